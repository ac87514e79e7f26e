package delta

import (
	"github.com/suitkit/suitkit/delta/internal/format"

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
// for), its input buffer and a block's Huffman tables and selectors
// (measured: about 60 KB), and this package's read buffer after it.
const bsDecoderMemory = 900_000*4 + 4<<10 + 64<<10 + bsStreamBuffer

// bsFixedMemory is the applier's own buffers (old-image window, output
// buffer) and small state.
const bsFixedMemory = 2*bsChunk + 64<<10

// bsMaxIdle is the most consecutive zero-progress records accepted
// (Debian's bsdiff writes a few: 18 in 615 KB for micropython-esp8266;
// this package's differ may start with one seek-only record). In all, a
// patch may have bsMaxIdle of them plus one per bsIdleSpacing output
// bytes, so idle records cannot multiply the records per output byte
// (each costs a ctrl read and checks).
const (
	bsMaxIdle     = 16
	bsIdleSpacing = 64
)

// BSDIFF40 has no rule like our format's format.MinJumpAdd, and bsdiff writes
// short add runs after a seek (66 of under 8 bytes in 615 KB for
// micropython-esp8266). Each may cost a read of the old image, so a patch
// may have bsMaxShortJumps of them plus one per bsShortJumpSpacing output
// bytes; more is ErrLimit.
const (
	bsMaxShortJumps    = 1024
	bsShortJumpSpacing = 64
)

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
	oldPos, newPos    int64 // newPos counts bytes made, buffered or written
	addEnd            int64 // old position where the last add run ended
	shortJumps        int64 // add runs shorter than format.MinJumpAdd that started elsewhere
	win               *oldWindow
	obuf              []byte // output not yet written to out
	flushed           int64  // bytes written to out
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
		ctrl:  bsStream(bufio.NewReader(io.NewSectionReader(patch, bsHeaderSize, h.ctrlLen))),
		diff:  bsStream(bufio.NewReader(io.NewSectionReader(patch, bsHeaderSize+h.ctrlLen, h.diffLen))),
		extra: bsStream(bufio.NewReader(io.NewSectionReader(patch, extraOff, patchSize-extraOff))),
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
	// The declared size is capped by maxBuffered (MaxMemory less the
	// decoders and buffers), so one exact allocation keeps the promise;
	// growing a buffer as bytes arrive could hold up to three times it.
	b := make([]byte, h.ctrlLen+h.diffLen)
	if n, err := io.ReadFull(patch, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, bsErrorf(ErrMalformed, -1, -1, "patch ends after %d of %d ctrl+diff bytes", n, h.ctrlLen+h.diffLen)
		}
		return 0, err
	}
	a := &bsApplier{
		old: old, oldSize: oldSize, newSize: h.newSize, out: out, lim: lim,
		ctrl:  bsStream(bytes.NewReader(b[:h.ctrlLen])),
		diff:  bsStream(bytes.NewReader(b[h.ctrlLen:])),
		extra: bsStream(bufio.NewReader(patch)),
	}
	return a.run()
}

// bsStream decompresses one bzip2 stream of a patch, buffered so that the
// applier's small reads (a 24-byte record, a 1-byte add) do not each pay
// for a call into the decompressor.
func bsStream(r io.Reader) io.Reader {
	return bufio.NewReaderSize(bzip2.NewReader(r), bsStreamBuffer)
}

// bsStreamBuffer is the read buffer of each decompressed stream.
const bsStreamBuffer = 4 << 10

// run executes the ctrl records until the new image is complete, then checks
// that all three streams end there (which also verifies their last CRCs).
func (a *bsApplier) run() (int64, error) {
	a.win = newOldWindow(a.old, a.oldSize, bsChunk)
	a.obuf = make([]byte, 0, bsChunk)
	a.recBuf = make([]byte, bsRecordSize)
	idle, idleTotal := 0, int64(0)
	for a.newPos < a.newSize {
		r, err := a.nextRecord()
		if err != nil {
			return a.written(), err
		}
		if r.add == 0 && r.copy == 0 {
			idle++
			idleTotal++
			if idle > a.lim.maxIdle {
				return a.written(), bsErrorf(ErrMalformed, -1, a.newPos, "more than %d consecutive records produce no output", a.lim.maxIdle)
			}
			if idleTotal > int64(a.lim.maxIdle)+a.newPos/bsIdleSpacing {
				return a.written(), bsErrorf(ErrMalformed, -1, a.newPos, "%d records produce no output, more than %d plus one per %d output bytes", idleTotal, a.lim.maxIdle, bsIdleSpacing)
			}
		} else {
			idle = 0
		}
		if r.add > 0 && r.add < format.MinJumpAdd && a.oldPos != a.addEnd {
			a.shortJumps++
			if a.shortJumps > bsMaxShortJumps+a.newPos/bsShortJumpSpacing {
				return a.written(), bsErrorf(ErrLimit, -1, a.newPos, "%d add runs of under %d bytes after a seek, more than %d plus one per %d output bytes",
					a.shortJumps, format.MinJumpAdd, bsMaxShortJumps, bsShortJumpSpacing)
			}
		}
		if err := a.doAdd(r.add); err != nil {
			return a.written(), err
		}
		if r.add > 0 {
			a.addEnd = a.oldPos
		}
		if err := a.doCopy(r.copy); err != nil {
			return a.written(), err
		}
		// 0 <= oldPos <= oldSize and |seek| < 2^63, so the sum cannot overflow
		// in the direction that matters; check both bounds explicitly.
		if r.seek < -a.oldPos || r.seek > a.oldSize-a.oldPos {
			return a.written(), bsErrorf(ErrMalformed, -1, a.newPos, "seek %d from old offset %d leaves the %d-byte old image", r.seek, a.oldPos, a.oldSize)
		}
		a.oldPos += r.seek
	}
	if err := a.flush(); err != nil {
		return a.written(), err
	}
	for _, s := range []struct {
		name string
		r    io.Reader
	}{{"ctrl", a.ctrl}, {"diff", a.diff}, {"extra", a.extra}} {
		if err := a.expectEOF(s.name, s.r); err != nil {
			return a.written(), err
		}
	}
	return a.written(), nil
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

// doAdd makes n bytes of old[oldPos:]+diff: the diff bytes are read into
// the output buffer and the old bytes, from the cached window, added there.
func (a *bsApplier) doAdd(n int64) error {
	for n > 0 {
		db, err := a.reserve(n)
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(a.diff, db); err != nil {
			return a.streamErr("diff", err)
		}
		ob, err := a.win.get(a.oldPos, len(db))
		if err != nil {
			return err
		}
		for i := range db {
			db[i] += ob[i]
		}
		a.commit(len(db))
		a.oldPos += int64(len(db))
		n -= int64(len(db))
	}
	return nil
}

// doCopy makes n bytes of the extra stream.
func (a *bsApplier) doCopy(n int64) error {
	for n > 0 {
		db, err := a.reserve(n)
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(a.extra, db); err != nil {
			return a.streamErr("extra", err)
		}
		a.commit(len(db))
		n -= int64(len(db))
	}
	return nil
}

// reserve returns the free part of the output buffer, at most n bytes
// (flushing it first when full); commit then takes k bytes of it as
// output. Buffering makes a record of one byte cost no write call.
func (a *bsApplier) reserve(n int64) ([]byte, error) {
	if len(a.obuf) == cap(a.obuf) {
		if err := a.flush(); err != nil {
			return nil, err
		}
	}
	free := a.obuf[len(a.obuf):cap(a.obuf)]
	return free[:min(n, int64(len(free)))], nil
}

func (a *bsApplier) commit(k int) {
	a.obuf = a.obuf[:len(a.obuf)+k]
	a.newPos += int64(k)
}

// written is how many bytes of the new image reached out (the rest of
// newPos is still buffered).
func (a *bsApplier) written() int64 { return a.flushed }

// flush writes the buffered output to out.
func (a *bsApplier) flush() error {
	if len(a.obuf) == 0 {
		return nil
	}
	n, err := a.out.Write(a.obuf)
	a.flushed += int64(n)
	if err == nil && n != len(a.obuf) {
		err = io.ErrShortWrite
	}
	a.obuf = a.obuf[:0]
	if err != nil {
		return fmt.Errorf("delta: writing the new image at offset %d: %w", a.flushed, err)
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
