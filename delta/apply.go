package delta

import (
	"github.com/suitkit/suitkit/delta/internal/format"

	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
)

// ioChunk is the size of the old-image read buffer and the output buffer.
const ioChunk = 64 << 10

// Apply reconstructs the new image from the old image and a patch made by
// differ.Diff, writing it to new as it goes. The old image is read through
// old (oldSize bytes); the patch is read once, front to back, so it can be
// applied while it downloads.
//
// Before writing anything, Apply reads the patch header and checks the old
// image's size and SHA-256 digest ([ErrOldImageMismatch]). Memory is
// bounded by lim (see [Limits]) independently of the image sizes. At most
// Header.NewSize bytes are written. After the last block Apply checks that
// the patch has no trailing data and that the output's SHA-256 digest is
// the declared one ([ErrDigestMismatch]); on any error the output written
// so far must be discarded.
func Apply(old io.ReaderAt, oldSize int64, patch io.Reader, new io.Writer, lim *Limits) error {
	pr := newPatchReader(patch)
	h, err := readHeader(pr)
	if err != nil {
		return err
	}
	if h.OldSize != oldSize {
		return fmt.Errorf("%w: patch is for a %d-byte image, got %d bytes", ErrOldImageMismatch, h.OldSize, oldSize)
	}
	if h.NewSize > lim.maxNewSize() {
		return limitErr(-1, "new image of %d bytes exceeds the %d-byte limit", h.NewSize, lim.maxNewSize())
	}
	if h.ApplyMemory > lim.maxMemory() {
		return limitErr(-1, "patch needs %d bytes of memory, limit is %d", h.ApplyMemory, lim.maxMemory())
	}
	a := &applier{h: h, pr: pr, old: newOldWindow(old, h.OldSize, ioChunk)}
	if err := a.checkOld(); err != nil {
		return err
	}
	// The decoders' output cap is the declared memory (blocks are checked
	// against it); a tiny or zero figure still makes valid decoders.
	dec, err := newDecoders(max(h.ApplyMemory, format.FixedApplyMemory))
	if err != nil {
		return err
	}
	defer dec.close()
	a.dec = dec
	a.out = &outWriter{w: new, h: sha256.New(), limit: h.NewSize, buf: make([]byte, 0, ioChunk)}
	for a.out.total() < h.NewSize {
		if err := a.block(); err != nil {
			return err
		}
	}
	if err := a.out.flush(); err != nil {
		return err
	}
	if _, err := pr.ReadByte(); err != io.EOF {
		if err != nil {
			return err
		}
		return malformed(pr.off-1, "trailing data after the last block")
	}
	var sum [sha256.Size]byte
	if !bytes.Equal(a.out.h.Sum(sum[:0]), h.NewDigest[:]) {
		return ErrDigestMismatch
	}
	return nil
}

type applier struct {
	h      *Header
	pr     *patchReader
	dec    *decoders
	old    *oldWindow // the old image, a window of it cached
	oldPos int64
	addEnd int64 // old position where the last add run ended
	out    *outWriter
	buf    []byte // the current block's arena, then its comp buffer
	arena  []byte // decoded streams of the current block
	comp   []byte // compressed bytes of one stream
}

// checkOld hashes the old image and compares it with the header.
func (a *applier) checkOld() error {
	hs := sha256.New()
	buf := a.old.buf
	for off := int64(0); off < a.h.OldSize; {
		n := int(min(int64(len(buf)), a.h.OldSize-off))
		if err := readFullAt(a.old.r, buf[:n], off); err != nil {
			return err
		}
		hs.Write(buf[:n])
		off += int64(n)
	}
	a.old.invalidate()
	var sum [sha256.Size]byte
	if !bytes.Equal(hs.Sum(sum[:0]), a.h.OldDigest[:]) {
		return fmt.Errorf("%w: SHA-256 of the old image differs from the patch's", ErrOldImageMismatch)
	}
	return nil
}

// readBlockHeader reads and validates one block header.
func (a *applier) readBlockHeader() (*format.BlockHeader, error) {
	pr := a.pr
	start := pr.off
	remaining := a.h.NewSize - a.out.total()
	var b format.BlockHeader
	v, err := pr.uvarint("block output length", uint64(remaining))
	if err != nil {
		return nil, asMalformed(err)
	}
	if v == 0 {
		return nil, malformed(start, "empty block")
	}
	b.NewLen = int64(v)
	// Every record makes at least one byte of progress.
	if v, err = pr.uvarint("block record count", uint64(b.NewLen)); err != nil {
		return nil, asMalformed(err)
	}
	if v == 0 {
		return nil, malformed(start, "block without records")
	}
	b.Records = int64(v)
	layOff := pr.off
	var lay [2]byte
	if err := pr.full(lay[:1], "block header"); err != nil {
		return nil, err
	}
	if a.h.Version >= format.Version2 {
		b.V2 = true
		var t [1]byte
		if err := pr.full(t[:], "block header"); err != nil {
			return nil, err
		}
		b.Transform = t[0]
		isa := t[0] &^ format.TransformAbs
		if isa >= format.NumISAs {
			return nil, unsupported(pr.off-1, "block transform %#x", t[0])
		}
		if isa == format.ISANone && t[0] != 0 {
			return nil, malformed(pr.off-1, "block transform %#x: absolute flag without an instruction set", t[0])
		}
		if isa != format.ISANone && lay[0]&^format.LayoutJoint != 0 {
			return nil, malformed(layOff, "block layout %#x with transform %#x", lay[0], t[0])
		}
	}
	if err := pr.full(lay[1:], "block header"); err != nil {
		return nil, err
	}
	mem := uint64(a.h.ApplyMemory)
	checkCodec := func(c Codec, name string) error {
		if c > CodecLZMA2 {
			return unsupported(pr.off-1, "%s codec %d", name, c)
		}
		if !a.h.UsesCodec(c) {
			return malformed(pr.off-1, "%s uses codec %v not declared in the header", name, c)
		}
		return nil
	}
	if lay[0]&^format.LayoutMask != 0 {
		return nil, unsupported(layOff, "block layout %#x", lay[0])
	}
	b.Words = lay[0]&format.LayoutWords != 0
	b.Ordered = lay[0]&format.LayoutOrdered != 0
	switch lay[0] & (format.LayoutArith | format.LayoutArith16) {
	case format.LayoutArith:
		b.Arith = 4
	case format.LayoutArith16:
		b.Arith = 2
	case format.LayoutArith | format.LayoutArith16:
		return nil, malformed(layOff, "block layout %#x: two arithmetic widths", lay[0])
	}
	b.A64 = lay[0]&format.LayoutA64 != 0
	if b.A64 && b.Arith != 4 {
		return nil, malformed(layOff, "block layout %#x: AArch64 form without 32-bit word arithmetic", lay[0])
	}
	b.Signed = lay[0]&format.LayoutSigned != 0
	if b.Signed && b.Arith != 4 {
		return nil, malformed(layOff, "block layout %#x: signed words without 32-bit word arithmetic", lay[0])
	}
	b.Units = lay[0]&format.LayoutUnits != 0
	if b.Units && b.Words {
		return nil, malformed(layOff, "block layout %#x: unit and word coding", lay[0])
	}
	if (b.Ordered && !b.Units || b.Arith != 0) && !b.Words {
		return nil, malformed(layOff, "block layout %#x: word options without word coding", lay[0])
	}
	switch lay[0] & format.LayoutJoint {
	case format.LayoutJoint:
		b.Joint = true
		c := Codec(lay[1])
		if err := checkCodec(c, "joint stream"); err != nil {
			return nil, err
		}
		b.Codec = [numStreams]uint8{uint8(c), uint8(c), uint8(c), uint8(c)}
		for s := 0; s < numStreams; s++ {
			if v, err = pr.uvarint(streamNames[s]+" stream length", mem); err != nil {
				return nil, err
			}
			b.RawLen[s] = int64(v)
		}
		if c != CodecStored {
			if b.RawTotal() == 0 {
				return nil, malformed(pr.off, "empty joint stream must be stored")
			}
			if v, err = pr.uvarint("joint compressed length", mem); err != nil {
				return nil, err
			}
			b.JointComp = int64(v)
		}
	default:
		for s := 0; s < numStreams; s++ {
			c := Codec(lay[1] >> (2 * s) & 3)
			if err := checkCodec(c, streamNames[s]+" stream"); err != nil {
				return nil, err
			}
			b.Codec[s] = uint8(c)
			if v, err = pr.uvarint(streamNames[s]+" stream length", mem); err != nil {
				return nil, err
			}
			b.RawLen[s] = int64(v)
			b.CompLen[s] = b.RawLen[s]
			if c != CodecStored {
				if b.RawLen[s] == 0 {
					return nil, malformed(pr.off, "empty %s stream must be stored", streamNames[s])
				}
				if v, err = pr.uvarint(streamNames[s]+" compressed length", mem); err != nil {
					return nil, err
				}
				b.CompLen[s] = int64(v)
			}
		}
	}
	if m := b.Memory(); m > a.h.ApplyMemory {
		return nil, limitErr(start, "block needs %d bytes of memory, header declared %d", m, a.h.ApplyMemory)
	}
	// A stream longer than its block can use would be decoded and then
	// rejected: check first, so decoding costs at most a constant per
	// output byte (a record is three varints, a non-zero diff byte one
	// value and at most one gap varint).
	const vl = binary.MaxVarintLen64
	switch {
	case b.RawLen[streamExtra] > b.NewLen:
		return nil, malformed(start, "extra stream longer than the block output")
	case b.RawLen[streamValues] > b.NewLen:
		return nil, malformed(start, "values stream longer than the block output")
	case (b.RawLen[streamGaps]+vl-1)/vl > b.NewLen:
		return nil, malformed(start, "gaps stream longer than the block output can use")
	case (b.RawLen[streamCtrl]+3*vl-1)/(3*vl) > b.Records:
		return nil, malformed(start, "control stream longer than %d records can use", b.Records)
	}
	return &b, nil
}

// asMalformed turns a limit error on a structural value into ErrMalformed
// (a block longer than the image is a lie, not a resource request).
func asMalformed(err error) error {
	var pe *PatchError
	if errors.As(err, &pe) && pe.Err == ErrLimit {
		return &PatchError{Offset: pe.Offset, What: pe.What, Err: ErrMalformed}
	}
	return err
}

// block reads, decodes and applies one block.
func (a *applier) block() error {
	b, err := a.readBlockHeader()
	if err != nil {
		return err
	}
	// One buffer holds the decoded streams and, after them, the largest
	// compressed stream. It grows geometrically, capped at the header's
	// memory less the fixed allowance, so it never exceeds what the
	// header declares and blocks of increasing size cannot make the
	// allocations add up.
	total := b.RawTotal()
	var comp int64
	if b.Joint {
		if b.Codec[0] != format.CodecStored {
			comp = b.JointComp
		}
	} else {
		for s := 0; s < numStreams; s++ {
			if b.Codec[s] != format.CodecStored {
				comp = max(comp, b.CompLen[s])
			}
		}
	}
	if need := total + comp; int64(cap(a.buf)) < need {
		a.buf = make([]byte, min(max(need, 2*int64(cap(a.buf))), max(need, a.h.ApplyMemory-format.FixedApplyMemory)))
	}
	a.arena = a.buf[:total]
	a.comp = a.buf[total:cap(a.buf)]
	var streams [numStreams][]byte
	pos := int64(0)
	for s := 0; s < numStreams; s++ {
		streams[s] = a.arena[pos : pos+b.RawLen[s]]
		pos += b.RawLen[s]
	}
	if b.Joint {
		if err := a.readStream(Codec(b.Codec[0]), b.JointComp, a.arena, "joint stream"); err != nil {
			return err
		}
		return a.run(b, streams)
	}
	for s := 0; s < numStreams; s++ {
		if err := a.readStream(Codec(b.Codec[s]), b.CompLen[s], streams[s], streamNames[s]+" stream"); err != nil {
			return err
		}
	}
	return a.run(b, streams)
}

// readStream reads one stream of the patch into dst (its decoded size),
// decompressing it unless it is stored.
func (a *applier) readStream(c Codec, compLen int64, dst []byte, what string) error {
	if c == CodecStored {
		return a.pr.full(dst, what)
	}
	comp := a.comp[:compLen] // block made room for the largest
	at := a.pr.off
	if err := a.pr.full(comp, what); err != nil {
		return err
	}
	if err := a.dec.decode(c, comp, dst); err != nil {
		return &PatchError{Offset: at, What: what, Err: err}
	}
	return nil
}

// splitControl locates the three columns of n records in ctrl.
func splitControl(ctrl []byte, n int64) (seeks, adds, copies []byte, err error) {
	cols := [3][]byte{}
	rest := ctrl
	for c := 0; c < 3; c++ {
		start := rest
		for i := int64(0); i < n; i++ {
			_, k := binary.Uvarint(rest)
			if k <= 0 {
				return nil, nil, nil, errors.New("control stream too short or bad varint")
			}
			rest = rest[k:]
		}
		cols[c] = start[:len(start)-len(rest)]
	}
	if len(rest) != 0 {
		return nil, nil, nil, errors.New("trailing bytes in control stream")
	}
	return cols[0], cols[1], cols[2], nil
}

func nextUvarint(b *[]byte) (uint64, error) {
	v, k := binary.Uvarint(*b)
	if k <= 0 || k != uvarintLen(v) {
		return 0, errors.New("bad varint")
	}
	*b = (*b)[k:]
	return v, nil
}

// run applies the block's records.
func (a *applier) run(b *format.BlockHeader, streams [numStreams][]byte) error {
	bad := func(format string, args ...any) error {
		return &PatchError{Offset: a.pr.off, What: fmt.Sprintf(format, args...), Err: ErrMalformed}
	}
	seeks, adds, copies, err := splitControl(streams[streamCtrl], b.Records)
	if err != nil {
		return bad("%v", err)
	}
	d, err := newDiffSource(b, streams[streamGaps], streams[streamValues], a.out.total())
	if err != nil {
		return bad("%v", err)
	}
	extra := streams[streamExtra]
	oldSize := a.h.OldSize
	left := b.NewLen
	for i := int64(0); i < b.Records; i++ {
		zz, err := nextUvarint(&seeks)
		if err != nil {
			return bad("record %d seek: %v", i, err)
		}
		add, err := nextUvarint(&adds)
		if err != nil {
			return bad("record %d add: %v", i, err)
		}
		cp, err := nextUvarint(&copies)
		if err != nil {
			return bad("record %d copy: %v", i, err)
		}
		// Zigzag-decoded seek; compare without overflow.
		seek := int64(zz >> 1)
		if zz&1 != 0 {
			seek = ^seek
		}
		if seek < -a.oldPos || seek > oldSize-a.oldPos {
			return bad("record %d seeks to %d+%d, outside the %d-byte old image", i, a.oldPos, seek, oldSize)
		}
		a.oldPos += seek
		if add == 0 && cp == 0 {
			return bad("record %d makes no progress", i)
		}
		if add > uint64(left) || cp > uint64(left)-add {
			return bad("record %d writes %d+%d bytes, block has %d left", i, add, cp, left)
		}
		if int64(add) > oldSize-a.oldPos {
			return bad("record %d reads %d bytes past old position %d of %d", i, add, a.oldPos, oldSize)
		}
		if int64(cp) > int64(len(extra)) {
			return bad("record %d copies %d bytes, extra stream has %d", i, cp, len(extra))
		}
		if add > 0 {
			if add < format.MinJumpAdd && a.oldPos != a.addEnd && i != b.Records-1 {
				return bad("record %d jumps to old position %d for an add of %d bytes (at least %d unless last in its block)", i, a.oldPos, add, format.MinJumpAdd)
			}
			if err := a.addRun(int64(add), d); err != nil {
				return err
			}
			a.addEnd = a.oldPos
		}
		if err := a.out.write(extra[:cp]); err != nil {
			return err
		}
		extra = extra[cp:]
		left -= int64(add + cp)
	}
	if left != 0 {
		return bad("records produce %d bytes less than the block declares", left)
	}
	if len(extra) != 0 {
		return bad("%d unused extra bytes", len(extra))
	}
	if !d.done() {
		return bad("diff stream has non-zero bytes beyond the block's add runs")
	}
	return nil
}

// addRun writes old[oldPos:oldPos+n] + diff bytes: the old bytes are
// copied from the cached window into the output buffer and the diff is
// added there, in chunks that end on word boundaries inside the run.
func (a *applier) addRun(n int64, d diffSource) error {
	o := a.out
	if n > o.limit-o.total() {
		return malformed(-1, "output would exceed the declared %d bytes", o.limit)
	}
	runStart := o.total()
	runEnd := runStart + n
	for n > 0 {
		room := int64(cap(o.buf) - len(o.buf))
		if room < min(n, 4) {
			if err := o.flush(); err != nil {
				return err
			}
			room = int64(cap(o.buf))
		}
		pos := o.total()
		k := min(n, room, int64(len(a.old.buf)))
		if k < n {
			k -= (pos + k) & 3 // chunks end on word boundaries inside a run
		}
		src, err := a.old.get(a.oldPos, int(k))
		if err != nil {
			return err
		}
		chunk := o.buf[len(o.buf):][:k]
		copy(chunk, src)
		if id, ok := d.(*instrDiff); ok {
			// Items may straddle the chunk's end: pass the old bytes after it.
			var ahead []byte
			if na := min(int64(format.MaxUnit-1), runEnd-(pos+k)); na > 0 {
				if ahead, err = a.old.get(a.oldPos+k, int(na)); err != nil {
					return err
				}
			}
			err = id.applyAt(chunk, pos, runEnd, a.oldPos, ahead)
		} else {
			err = d.apply(chunk, pos, runStart, runEnd)
		}
		if err != nil {
			return &PatchError{Offset: a.pr.off, What: err.Error(), Err: ErrMalformed}
		}
		o.buf = o.buf[:len(o.buf)+int(k)]
		if len(o.buf) == cap(o.buf) {
			if err := o.flush(); err != nil {
				return err
			}
		}
		a.oldPos += k
		n -= k
	}
	return nil
}

// outWriter buffers output, hashes it and refuses to exceed the declared
// new size.
type outWriter struct {
	w     io.Writer
	h     hash.Hash
	n     int64 // bytes written to w
	limit int64
	buf   []byte
}

func (o *outWriter) total() int64 { return o.n + int64(len(o.buf)) }

func (o *outWriter) write(p []byte) error {
	if int64(len(p)) > o.limit-o.total() {
		return malformed(-1, "output would exceed the declared %d bytes", o.limit)
	}
	for len(p) > 0 {
		k := copy(o.buf[len(o.buf):cap(o.buf)], p)
		o.buf = o.buf[:len(o.buf)+k]
		p = p[k:]
		if len(o.buf) == cap(o.buf) {
			if err := o.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *outWriter) flush() error {
	if len(o.buf) == 0 {
		return nil
	}
	o.h.Write(o.buf)
	n, err := o.w.Write(o.buf)
	o.n += int64(n)
	if err == nil && n != len(o.buf) {
		err = io.ErrShortWrite
	}
	o.buf = o.buf[:0]
	return err
}
