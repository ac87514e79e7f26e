package delta

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// WriteBSDIFF40 writes a classic BSDIFF40 patch (bzip2, as bsdiff 4.x) that
// turns old into new, for tools and devices that only speak bspatch. The
// matching is this package's differ (the same one [Diff] uses), so the patch
// is usually smaller than bsdiff's own; it applies with Debian's bspatch and
// with [ApplyBSDIFF40]. Like bsdiff, it holds both images in memory.
func WriteBSDIFF40(w io.Writer, old, new []byte) error {
	ctrls, err := computeControls(old, new, nil)
	if err != nil {
		return err
	}
	return encodeBSDIFF40(w, old, new, ctrls)
}

// errBSControls reports a control list that does not describe new from old;
// it means a bug in the differ, never bad input.
var errBSControls = errors.New("delta: invalid BSDIFF40 control list")

// checkBSRecords verifies that recs rebuild exactly len(newB) bytes while
// reading only inside old, as BSDIFF40 appliers (ours included) require.
func checkBSRecords(oldLen, newLen int64, recs []control) error {
	var oldPos, newPos int64
	for i, r := range recs {
		if r.add < 0 || r.copy < 0 || r.add > oldLen-oldPos || r.add > newLen-newPos || r.copy > newLen-newPos-r.add {
			return fmt.Errorf("%w: record %d (%d,%d,%d) at old %d new %d", errBSControls, i, r.add, r.copy, r.seek, oldPos, newPos)
		}
		oldPos += r.add
		newPos += r.add + r.copy
		if r.seek < -oldPos || r.seek > oldLen-oldPos {
			return fmt.Errorf("%w: record %d seeks %d from old %d", errBSControls, i, r.seek, oldPos)
		}
		oldPos += r.seek
	}
	if newPos != newLen {
		return fmt.Errorf("%w: records produce %d bytes, new has %d", errBSControls, newPos, newLen)
	}
	return nil
}

// encodeBSDIFF40 writes a BSDIFF40 patch for recs. The three bzip2 streams are
// compressed concurrently into memory (bsdiff40_bzip2.go) (their compressed sizes go in the
// header), then written out in order.
func encodeBSDIFF40(w io.Writer, oldB, newB []byte, recs []control) error {
	if err := checkBSRecords(int64(len(oldB)), int64(len(newB)), recs); err != nil {
		return err
	}
	var bufs [3]bytes.Buffer
	var errs [3]error
	producers := [3]func(io.Writer) error{
		func(zw io.Writer) error { // ctrl
			var rec [bsRecordSize]byte
			for _, r := range recs {
				offtout(r.add, rec[:])
				offtout(r.copy, rec[8:])
				offtout(r.seek, rec[16:])
				if _, err := zw.Write(rec[:]); err != nil {
					return err
				}
			}
			return nil
		},
		func(zw io.Writer) error { // diff: new - old over every add run
			buf := make([]byte, bsChunk)
			var oldPos, newPos int64
			for _, r := range recs {
				for done := int64(0); done < r.add; {
					c := min(r.add-done, bsChunk)
					o := oldB[oldPos+done : oldPos+done+c]
					n := newB[newPos+done : newPos+done+c]
					d := buf[:c]
					for i := range d {
						d[i] = n[i] - o[i]
					}
					if _, err := zw.Write(d); err != nil {
						return err
					}
					done += c
				}
				oldPos += r.add + r.seek
				newPos += r.add + r.copy
			}
			return nil
		},
		func(zw io.Writer) error { // extra: the copy runs of new
			var newPos int64
			for _, r := range recs {
				newPos += r.add
				if _, err := zw.Write(newB[newPos : newPos+r.copy]); err != nil {
					return err
				}
				newPos += r.copy
			}
			return nil
		},
	}
	var wg sync.WaitGroup
	for i := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = bsCompress(&bufs[i], producers[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return fmt.Errorf("delta: compressing BSDIFF40 streams: %w", err)
	}
	hdr := make([]byte, bsHeaderSize)
	copy(hdr, BSDIFF40Magic)
	offtout(int64(bufs[0].Len()), hdr[8:])
	offtout(int64(bufs[1].Len()), hdr[16:])
	offtout(int64(len(newB)), hdr[24:])
	for _, b := range [][]byte{hdr, bufs[0].Bytes(), bufs[1].Bytes(), bufs[2].Bytes()} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// bsCompress runs produce against a bzip2 compressor (level 9, as bsdiff
// uses) that writes to dst.
func bsCompress(dst io.Writer, produce func(io.Writer) error) error {
	zw := newBZWriter(dst)
	if err := produce(zw); err != nil {
		return err
	}
	return zw.Close()
}
