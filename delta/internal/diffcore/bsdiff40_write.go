package diffcore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// WriteBSDIFF40 writes a classic BSDIFF40 patch; see package delta/differ.
func WriteBSDIFF40(ctx context.Context, w io.Writer, old, new []byte, opts *Options) error {
	ctrls, err := computeControls(ctx, old, new, opts)
	if err != nil {
		return err
	}
	return encodeBSDIFF40(w, old, new, ctrls)
}

// ErrBSControls reports a control list that does not describe new from old;
// it means a bug in the differ, never bad input.
var ErrBSControls = errors.New("delta: invalid BSDIFF40 control list")

// checkBSRecords verifies that recs rebuild exactly len(newB) bytes while
// reading only inside old, as BSDIFF40 appliers (ours included) require.
func checkBSRecords(oldLen, newLen int64, recs []control) error {
	var oldPos, newPos int64
	for i, r := range recs {
		if r.add < 0 || r.copy < 0 || r.add > oldLen-oldPos || r.add > newLen-newPos || r.copy > newLen-newPos-r.add {
			return fmt.Errorf("%w: record %d (%d,%d,%d) at old %d new %d", ErrBSControls, i, r.add, r.copy, r.seek, oldPos, newPos)
		}
		oldPos += r.add
		newPos += r.add + r.copy
		if r.seek < -oldPos || r.seek > oldLen-oldPos {
			return fmt.Errorf("%w: record %d seeks %d from old %d", ErrBSControls, i, r.seek, oldPos)
		}
		oldPos += r.seek
	}
	if newPos != newLen {
		return fmt.Errorf("%w: records produce %d bytes, new has %d", ErrBSControls, newPos, newLen)
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
				format.PutOfft(r.add, rec[:])
				format.PutOfft(r.copy, rec[8:])
				format.PutOfft(r.seek, rec[16:])
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
			errs[i] = BSCompress(&bufs[i], producers[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return fmt.Errorf("delta: compressing BSDIFF40 streams: %w", err)
	}
	hdr := make([]byte, bsHeaderSize)
	copy(hdr, format.BSDIFF40Magic)
	format.PutOfft(int64(bufs[0].Len()), hdr[8:])
	format.PutOfft(int64(bufs[1].Len()), hdr[16:])
	format.PutOfft(int64(len(newB)), hdr[24:])
	for _, b := range [][]byte{hdr, bufs[0].Bytes(), bufs[1].Bytes(), bufs[2].Bytes()} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// BSCompress runs produce against a bzip2 compressor (level 9, as bsdiff
// uses) that writes to dst.
func BSCompress(dst io.Writer, produce func(io.Writer) error) error {
	zw := newBZWriter(dst)
	if err := produce(zw); err != nil {
		return err
	}
	return zw.Close()
}

// BSDIFF40 layout: a 32-byte header, 24-byte ctrl triples; bsChunk is the
// size of the pieces the streams are compressed in.
const (
	bsHeaderSize = 32
	bsRecordSize = 24
	bsChunk      = 32 << 10
)

// EncodeBSDIFF40Triples writes a BSDIFF40 patch for the given (add, copy,
// seek) triples, checked like the differ's own (tests craft patches with
// it).
func EncodeBSDIFF40Triples(w io.Writer, oldB, newB []byte, triples [][3]int64) error {
	recs := make([]control, len(triples))
	for i, t := range triples {
		recs[i] = control{add: t[0], copy: t[1], seek: t[2]}
	}
	return encodeBSDIFF40(w, oldB, newB, recs)
}
