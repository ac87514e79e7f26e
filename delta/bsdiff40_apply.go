package delta

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
)

// ApplyBSDIFF40 applies a classic BSDIFF40 patch read front to back from
// patch, reading the old image (oldSize bytes) through old and writing the
// new image to new sequentially. Because BSDIFF40 puts the whole ctrl and
// diff blocks before the extra block, those two compressed blocks are held
// in memory; with the three bzip2 decoders they must fit lim's MaxMemory
// (otherwise ErrLimit: use [ApplyBSDIFF40At]). The new size is capped by
// MaxNewSize.
//
// BSDIFF40 carries no digests: a wrong old image is only detected when the
// patch reads outside it. Check the old and new images' digests yourself
// (SUIT's image-match does). When an error is returned, the bytes already
// written to new must be discarded. Patch problems wrap [ErrMalformed] or
// [ErrLimit] in a *[PatchError]; errors of old, patch or new pass through.
func ApplyBSDIFF40(old io.ReaderAt, oldSize int64, patch io.Reader, new io.Writer, lim *Limits) error {
	bl, err := bsLimitsFrom(lim)
	if err != nil {
		return err
	}
	_, err = applyBSDIFF40(old, oldSize, patch, new, bl)
	return err
}

// ApplyBSDIFF40At is [ApplyBSDIFF40] for a patch of patchSize bytes that can
// be read at any offset (a file): the three streams are decoded side by
// side from their own offsets, so no part of the patch is buffered and the
// memory used is the three bzip2 decoders plus small I/O buffers, whatever
// the patch size.
func ApplyBSDIFF40At(old io.ReaderAt, oldSize int64, patch io.ReaderAt, patchSize int64, new io.Writer, lim *Limits) error {
	bl, err := bsLimitsFrom(lim)
	if err != nil {
		return err
	}
	bl.maxBuffered = 0
	_, err = applyBSDIFF40At(old, oldSize, patch, patchSize, new, bl)
	return err
}

// bsDecoderMemory is what one compress/bzip2 decoder may allocate: a
// 900 kB block of 4-byte entries (level 9, the worst case a stream can ask
// for), plus its input buffer.
const bsDecoderMemory = 900_000*4 + 4<<10

// bsFixedMemory is the applier's own buffers.
const bsFixedMemory = 2*bsChunk + 64<<10

// bsMaxIdle is the most consecutive zero-progress records accepted. bsdiff
// never writes one; this package's differ may start with one seek-only
// record.
const bsMaxIdle = 16

// bsLimitsFrom derives the BSDIFF40 caps from lim.
func bsLimitsFrom(lim *Limits) (*bsLimits, error) {
	mem := lim.maxMemory()
	need := int64(3*bsDecoderMemory + bsFixedMemory)
	if mem < need {
		return nil, &PatchError{Offset: -1, Err: ErrLimit,
			What: fmt.Sprintf("BSDIFF40: three bzip2 decoders need %d bytes, more than MaxMemory %d", need, mem)}
	}
	return &bsLimits{maxNewSize: lim.maxNewSize(), maxBuffered: mem - need, maxIdle: bsMaxIdle}, nil
}

// bsLimits are the caps the BSDIFF40 applier enforces.
type bsLimits struct {
	maxNewSize  int64 // largest new image accepted
	maxBuffered int64 // largest ctrl+diff block kept in memory when the patch is an io.Reader
	maxIdle     int   // most consecutive records that produce no output
}

// bsChunk is the size of the old/diff/output buffers of the applier.
const bsChunk = 32 << 10

// bsApplier holds the state of one BSDIFF40 application.
type bsApplier struct {
	old               io.ReaderAt
	oldSize           int64
	newSize           int64
	ctrl, diff, extra io.Reader
	out               io.Writer
	lim               *bsLimits
	oldPos, newPos    int64
	obuf, dbuf        []byte
	recBuf            []byte
}

// applyBSDIFF40At applies a patch that can be read at random offsets: the
// three bzip2 streams are decompressed side by side from their own sections,
// so nothing of the patch is buffered beyond the decompressors' state.
func applyBSDIFF40At(old io.ReaderAt, oldSize int64, patch io.ReaderAt, patchSize int64, out io.Writer, lim *bsLimits) (int64, error) {
	if oldSize < 0 || patchSize < 0 {
		return 0, fmt.Errorf("delta: negative old size %d or patch size %d", oldSize, patchSize)
	}
	hb := make([]byte, bsHeaderSize)
	if patchSize < bsHeaderSize {
		return 0, bsErrorf(ErrMalformed, -1, -1, "patch is %d bytes, shorter than the header", patchSize)
	}
	if _, err := bsReadFullAt(patch, hb, 0); err != nil {
		return 0, err
	}
	h, err := parseBSHeader(hb, lim)
	if err != nil {
		return 0, err
	}
	if bsHeaderSize+h.ctrlLen+h.diffLen > patchSize {
		return 0, bsErrorf(ErrMalformed, -1, -1, "blocks of %d+%d bytes do not fit a %d-byte patch", h.ctrlLen, h.diffLen, patchSize)
	}
	extraOff := bsHeaderSize + h.ctrlLen + h.diffLen
	a := &bsApplier{
		old: old, oldSize: oldSize, newSize: h.newSize, out: out, lim: lim,
		ctrl:  bzip2.NewReader(bufio.NewReader(io.NewSectionReader(patch, bsHeaderSize, h.ctrlLen))),
		diff:  bzip2.NewReader(bufio.NewReader(io.NewSectionReader(patch, bsHeaderSize+h.ctrlLen, h.diffLen))),
		extra: bzip2.NewReader(bufio.NewReader(io.NewSectionReader(patch, extraOff, patchSize-extraOff))),
	}
	return a.run()
}

// applyBSDIFF40 applies a patch read front to back. The ctrl and diff blocks
// precede the extra block, so they are held in memory (compressed, at most
// lim.maxBuffered bytes); the extra block is decompressed as it is read.
func applyBSDIFF40(old io.ReaderAt, oldSize int64, patch io.Reader, out io.Writer, lim *bsLimits) (int64, error) {
	if oldSize < 0 {
		return 0, fmt.Errorf("delta: negative old size %d", oldSize)
	}
	hb := make([]byte, bsHeaderSize)
	if _, err := io.ReadFull(patch, hb); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, bsErrorf(ErrMalformed, -1, -1, "patch is shorter than the header")
		}
		return 0, err
	}
	h, err := parseBSHeader(hb, lim)
	if err != nil {
		return 0, err
	}
	if h.ctrlLen+h.diffLen > lim.maxBuffered {
		return 0, bsErrorf(ErrLimit, -1, -1, "ctrl+diff blocks of %d+%d bytes exceed the buffer limit %d (apply from an io.ReaderAt instead)",
			h.ctrlLen, h.diffLen, lim.maxBuffered)
	}
	// Grow the buffer as bytes arrive rather than trusting the declared size.
	var blocks bytes.Buffer
	n, err := io.CopyN(&blocks, patch, h.ctrlLen+h.diffLen)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, bsErrorf(ErrMalformed, -1, -1, "patch ends after %d of %d ctrl+diff bytes", n, h.ctrlLen+h.diffLen)
		}
		return 0, err
	}
	b := blocks.Bytes()
	a := &bsApplier{
		old: old, oldSize: oldSize, newSize: h.newSize, out: out, lim: lim,
		ctrl:  bzip2.NewReader(bytes.NewReader(b[:h.ctrlLen])),
		diff:  bzip2.NewReader(bytes.NewReader(b[h.ctrlLen:])),
		extra: bzip2.NewReader(bufio.NewReader(patch)),
	}
	return a.run()
}

// run executes the ctrl records until the new image is complete, then checks
// that all three streams end there (which also verifies their last CRCs).
func (a *bsApplier) run() (int64, error) {
	a.obuf = make([]byte, bsChunk)
	a.dbuf = make([]byte, bsChunk)
	a.recBuf = make([]byte, bsRecordSize)
	idle := 0
	for a.newPos < a.newSize {
		r, err := a.nextRecord()
		if err != nil {
			return a.newPos, err
		}
		if r.add == 0 && r.copy == 0 {
			idle++
			if idle > a.lim.maxIdle {
				return a.newPos, bsErrorf(ErrMalformed, -1, a.newPos, "more than %d consecutive records produce no output", a.lim.maxIdle)
			}
		} else {
			idle = 0
		}
		if err := a.doAdd(r.add); err != nil {
			return a.newPos, err
		}
		if err := a.doCopy(r.copy); err != nil {
			return a.newPos, err
		}
		// 0 <= oldPos <= oldSize and |seek| < 2^63, so the sum cannot overflow
		// in the direction that matters; check both bounds explicitly.
		if r.seek < -a.oldPos || r.seek > a.oldSize-a.oldPos {
			return a.newPos, bsErrorf(ErrMalformed, -1, a.newPos, "seek %d from old offset %d leaves the %d-byte old image", r.seek, a.oldPos, a.oldSize)
		}
		a.oldPos += r.seek
	}
	for _, s := range []struct {
		name string
		r    io.Reader
	}{{"ctrl", a.ctrl}, {"diff", a.diff}, {"extra", a.extra}} {
		if err := a.expectEOF(s.name, s.r); err != nil {
			return a.newPos, err
		}
	}
	return a.newPos, nil
}

// nextRecord reads and range-checks one ctrl triple.
func (a *bsApplier) nextRecord() (control, error) {
	if _, err := io.ReadFull(a.ctrl, a.recBuf); err != nil {
		return control{}, a.streamErr("ctrl", err)
	}
	r := control{add: offtin(a.recBuf), copy: offtin(a.recBuf[8:]), seek: offtin(a.recBuf[16:])}
	left := a.newSize - a.newPos
	switch {
	case r.add < 0:
		return r, bsErrorf(ErrMalformed, -1, a.newPos, "negative add length %d", r.add)
	case r.copy < 0:
		return r, bsErrorf(ErrMalformed, -1, a.newPos, "negative copy length %d", r.copy)
	case r.add > left || r.copy > left-r.add:
		return r, bsErrorf(ErrMalformed, -1, a.newPos, "record of %d+%d bytes writes past the new size %d", r.add, r.copy, a.newSize)
	case r.add > a.oldSize-a.oldPos:
		return r, bsErrorf(ErrMalformed, -1, a.newPos, "add of %d bytes at old offset %d reads past the %d-byte old image", r.add, a.oldPos, a.oldSize)
	}
	return r, nil
}

// doAdd writes n bytes of old[oldPos:]+diff.
func (a *bsApplier) doAdd(n int64) error {
	for n > 0 {
		c := int(min(n, bsChunk))
		ob, db := a.obuf[:c], a.dbuf[:c]
		if _, err := bsReadFullAt(a.old, ob, a.oldPos); err != nil {
			return err
		}
		if _, err := io.ReadFull(a.diff, db); err != nil {
			return a.streamErr("diff", err)
		}
		for i := range db {
			db[i] += ob[i]
		}
		if err := a.write(db); err != nil {
			return err
		}
		a.oldPos += int64(c)
		n -= int64(c)
	}
	return nil
}

// doCopy writes n bytes of the extra stream.
func (a *bsApplier) doCopy(n int64) error {
	for n > 0 {
		c := int(min(n, bsChunk))
		db := a.dbuf[:c]
		if _, err := io.ReadFull(a.extra, db); err != nil {
			return a.streamErr("extra", err)
		}
		if err := a.write(db); err != nil {
			return err
		}
		n -= int64(c)
	}
	return nil
}

func (a *bsApplier) write(b []byte) error {
	n, err := a.out.Write(b)
	a.newPos += int64(n)
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("delta: writing the new image at offset %d: %w", a.newPos, err)
	}
	return nil
}

// expectEOF checks that stream r has no data left.
func (a *bsApplier) expectEOF(name string, r io.Reader) error {
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	if n > 0 {
		return bsErrorf(ErrMalformed, -1, a.newPos, "%s stream has data past the end of the new image", name)
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return a.streamErr(name, err)
}

// streamErr classifies an error from a bzip2 stream: corrupt or truncated
// compressed data rejects the patch; anything else (an I/O error reading the
// patch) is passed on.
func (a *bsApplier) streamErr(name string, err error) error {
	var se bzip2.StructuralError
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return bsErrorf(ErrMalformed, -1, a.newPos, "%s stream ends early", name)
	case errors.As(err, &se):
		return bsErrorf(ErrMalformed, -1, a.newPos, "%s stream: %v", name, err)
	}
	return fmt.Errorf("delta: reading the BSDIFF40 %s stream: %w", name, err)
}

// bsReadFullAt reads len(b) bytes at off; a short read means the reader is
// shorter than its declared size.
func bsReadFullAt(r io.ReaderAt, b []byte, off int64) (int, error) {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return n, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, fmt.Errorf("delta: reading %d bytes at offset %d: %w", len(b), off, err)
}
