package delta

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// Every integer slot of a patch (header sizes, block lengths and counts,
// stream lengths, control values, diff gaps; BSDIFF40's header and ctrl
// triples) takes the extreme values 0, ±1, MaxInt64, MinInt64 and
// MaxUint64 as far as the slot's encoding can carry them. Whatever the
// value, Apply must not panic, must return nil or an error matching one of
// the package's sentinels, and must not write past the declared size.

// uvarintSlotValues are the values an unsigned varint slot can carry:
// 0, 1, MaxInt64, MaxInt64+1 (MinInt64's bits, -1's magnitude) and
// MaxUint64 (-1's bits).
var uvarintSlotValues = []uint64{0, 1, 2, math.MaxInt64 - 1, math.MaxInt64, math.MaxInt64 + 1, math.MaxUint64 - 1, math.MaxUint64}

// zigzagSlotValues are the values the zigzag seek slot can carry.
var zigzagSlotValues = []int64{0, 1, -1, 2, -2, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}

// intSlotPatch builds a one-block patch against atkOld whose new image is
// "0123" (add 4 from old at 0); slot names the field to replace with v.
func intSlotPatch(slot string, v uint64) []byte {
	old, new := atkOld, []byte("0123")
	u := func(dst []byte, def uint64, name string) []byte {
		if slot == name {
			def = v
		}
		return binary.AppendUvarint(dst, def)
	}
	p := append([]byte(Magic), 1, 1<<CodecStored)
	p = u(p, uint64(len(old)), "old size")
	p = u(p, uint64(len(new)), "new size")
	p = u(p, 1<<20, "apply memory")
	od, nd := sha256.Sum256(old), sha256.Sum256(new)
	p = append(append(p, od[:]...), nd[:]...)
	p = u(p, 4, "block output length")
	p = u(p, 1, "record count")
	p = append(p, 0, 0) // separate layout, all stored
	ctrl := binary.AppendVarint(nil, 0)
	if slot == "seek" {
		ctrl = binary.AppendVarint(nil, int64(v))
	}
	ctrl = u(ctrl, 4, "add")
	ctrl = u(ctrl, 0, "copy")
	p = u(p, uint64(len(ctrl)), "control length")
	p = u(p, 0, "gaps length")
	p = u(p, 0, "values length")
	p = u(p, 0, "extra length")
	return append(p, ctrl...)
}

// checkApplyOutcome applies patch and checks the properties above.
func checkApplyOutcome(t *testing.T, name string, old, patch []byte) error {
	t.Helper()
	var out countingWriter
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%s: Apply panicked: %v", name, r)
			}
		}()
		err = Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), &out, nil)
	}()
	if err != nil && !isSentinel(err) {
		t.Errorf("%s: error matches no sentinel: %v", name, err)
	}
	var pe *PatchError
	if err != nil && !errors.Is(err, ErrOldImageMismatch) && !errors.Is(err, ErrDigestMismatch) && !errors.As(err, &pe) {
		t.Errorf("%s: error is not a *PatchError saying where: %v", name, err)
	}
	if h, herr := ReadHeader(bytes.NewReader(patch)); herr == nil && out.n > h.NewSize {
		t.Errorf("%s: wrote %d bytes, declared %d", name, out.n, h.NewSize)
	}
	return err
}

func TestPatchIntegerSlotsExtremeValues(t *testing.T) {
	if err := checkApplyOutcome(t, "unmodified", atkOld, intSlotPatch("", 0)); err != nil {
		t.Fatalf("the unmodified slot patch does not apply: %v", err)
	}
	slots := []string{"old size", "new size", "apply memory", "block output length", "record count",
		"control length", "gaps length", "values length", "extra length", "add", "copy"}
	for _, slot := range slots {
		for _, v := range uvarintSlotValues {
			checkApplyOutcome(t, fmt.Sprintf("%s=%d", slot, v), atkOld, intSlotPatch(slot, v))
		}
	}
	for _, v := range zigzagSlotValues {
		err := checkApplyOutcome(t, fmt.Sprintf("seek=%d", v), atkOld, intSlotPatch("seek", uint64(v)))
		if leaves := v < 0 || v > int64(len(atkOld))-4; leaves && !errors.Is(err, ErrMalformed) {
			t.Errorf("seek %d from old position 0: err %v, want ErrMalformed", v, err)
		}
	}
	// Diff gaps in every coding: a gap that points past the block, or
	// overflows word or unit arithmetic, is malformed.
	layouts := []byte{0, format.LayoutWords, format.LayoutWords | format.LayoutArith, format.LayoutWords | format.LayoutArith | format.LayoutSigned, format.LayoutWords | format.LayoutArith16, format.LayoutUnits}
	for _, lay := range layouts {
		for _, v := range uvarintSlotValues {
			p := craftPatch(atkOld, []byte("0124"), craftBlock{newLen: 4, records: []rawRecord{{add: 4}},
				gaps: binary.AppendUvarint(nil, v), values: []byte{1}})
			p[blockLayoutOffset(t, p)] = lay
			err := checkApplyOutcome(t, fmt.Sprintf("layout %#x gap=%d", lay, v), atkOld, p)
			if v > 1<<8 && err == nil {
				t.Errorf("layout %#x gap %d: accepted", lay, v)
			}
		}
	}
}

// bsIntSlotValues are what BSDIFF40's 8-byte sign-magnitude integers can
// carry: 0, ±1, ±MaxInt64, negative zero (MinInt64's bits) and MaxUint64's
// bits (-MaxInt64).
var bsIntSlotValues = []uint64{0, 1, 1<<63 | 1, math.MaxInt64, 1 << 63, math.MaxUint64, 2, math.MaxInt64 - 1}

func TestBSDIFF40IntegerSlotsExtremeValues(t *testing.T) {
	old := bsOld
	base := bsRaw{newSize: 6, recs: []control{{add: 4, copy: 2}}, diff: make([]byte, 4), extra: []byte("xy")}
	if _, err := applyBothWays(t, old, base.build(t), testBSLimits()); err != nil {
		t.Fatalf("the unmodified patch does not apply: %v", err)
	}
	set := func(b []byte, off int, v uint64) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint64(b[off:], v)
		return b
	}
	for _, v := range bsIntSlotValues {
		// Header: ctrl length, diff length, new size.
		for _, off := range []int{8, 16, 24} {
			p := set(base.build(t), off, v)
			checkBSOutcome(t, fmt.Sprintf("header[%d]=%#x", off, v), old, p)
		}
		// Ctrl triple: add, copy, seek.
		for k := range 3 {
			r := control{add: 4, copy: 2}
			x := offtin(binary.LittleEndian.AppendUint64(nil, v))
			switch k {
			case 0:
				r.add = x
			case 1:
				r.copy = x
			case 2:
				r.seek = x
			}
			p := bsRaw{newSize: 6, recs: []control{r}, diff: make([]byte, 4), extra: []byte("xy")}.build(t)
			checkBSOutcome(t, fmt.Sprintf("ctrl[%d]=%#x", k, v), old, p)
		}
	}
}

// checkBSOutcome applies a BSDIFF40 patch both ways: no panic, nil or a
// sentinel, no more output than declared.
func checkBSOutcome(t *testing.T, name string, old, patch []byte) {
	t.Helper()
	declared := max(offtin(patch[24:]), 0)
	for _, at := range []bool{false, true} {
		var err error
		w := &limitedWriter{t: t, max: declared}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: applier panicked: %v", name, r)
				}
			}()
			if at {
				err = ApplyBSDIFF40At(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), int64(len(patch)), w, nil)
			} else {
				err = ApplyBSDIFF40(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), w, nil)
			}
		}()
		if err != nil && !isSentinel(err) {
			t.Errorf("%s: error matches no sentinel: %v", name, err)
		}
	}
}

// The caller's Limits are integer slots too: with MaxMemory and
// MaxNewSize at 0, ±1, MaxInt64 and MinInt64, the header's and blocks'
// extreme values still give no panic and a typed error (a permissive
// limit must not let stream lengths overflow the block's memory sum or
// reach a decoder option that rejects them with an untyped error).
func TestApplyLimitsExtremeValues(t *testing.T) {
	limVals := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1}
	var patches [][]byte
	for _, slot := range []string{"apply memory", "control length", "gaps length", "values length", "extra length", "block output length", "new size"} {
		for _, v := range uvarintSlotValues {
			patches = append(patches, intSlotPatch(slot, v))
		}
	}
	// Four stored streams of MaxInt64/2 each and a compressed one whose
	// lengths overflow the block's memory sum.
	for _, c := range []byte{0, 1 << 6, 2 << 6} {
		p := append([]byte(Magic), 1, 1<<CodecStored|1<<CodecZstd|1<<CodecLZMA2)
		p = binary.AppendUvarint(p, uint64(len(atkOld)))
		p = binary.AppendUvarint(p, math.MaxInt64)
		p = binary.AppendUvarint(p, math.MaxInt64)
		od := sha256.Sum256(atkOld)
		p = append(append(p, od[:]...), make([]byte, 32)...)
		p = binary.AppendUvarint(p, math.MaxInt64) // block output length
		p = binary.AppendUvarint(p, math.MaxInt64) // records
		p = append(p, 0, c)
		for s := 0; s < numStreams; s++ {
			p = binary.AppendUvarint(p, math.MaxInt64/2+1)
			if s == streamExtra && c != 0 {
				p = binary.AppendUvarint(p, math.MaxInt64/2+1)
			}
		}
		patches = append(patches, append(p, 1, 2, 3))
	}
	for _, mm := range limVals {
		for _, mn := range limVals {
			lim := &Limits{MaxMemory: mm, MaxNewSize: mn}
			for i, p := range patches {
				var err error
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("limits %+v, patch %d: Apply panicked: %v", lim, i, r)
						}
					}()
					err = Apply(bytes.NewReader(atkOld), int64(len(atkOld)), bytes.NewReader(p), &countingWriter{}, lim)
				}()
				if err != nil && !isSentinel(err) {
					t.Errorf("limits %+v, patch %d: error matches no sentinel: %v", lim, i, err)
				}
			}
		}
	}
}
