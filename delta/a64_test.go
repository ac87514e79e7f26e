package delta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// The canonical form must be a bijection that keeps non-ADRP words and
// the ADRP class: otherwise the applier could not undo it.
func TestADRPCanonIsABijection(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1<<20; i++ {
		w := r.Uint32()
		if i&1 == 0 {
			w = w&^format.ADRPClassMask | format.ADRPClass
		}
		c := format.ADRPCanon(w)
		if got := format.ADRPPlain(c); got != w {
			t.Fatalf("format.ADRPPlain(format.ADRPCanon(%#x)) = %#x", w, got)
		}
		if (w&format.ADRPClassMask == format.ADRPClass) != (c&format.ADRPClassMask == format.ADRPClass) {
			t.Fatalf("format.ADRPCanon(%#x) = %#x changes the class", w, c)
		}
		if w&format.ADRPClassMask != format.ADRPClass && c != w {
			t.Fatalf("format.ADRPCanon changed the non-ADRP word %#x", w)
		}
	}
}

// A page shift of the target gives one diff word for every ADRP, whatever
// the old offset's low bits (the point of the canonical form).
func TestADRPPageShiftGivesOneDiffWord(t *testing.T) {
	adrp := func(rd, imm uint32) uint32 {
		return format.ADRPClass | (imm&3)<<29 | (imm>>2&0x7FFFF)<<5 | rd
	}
	const shift = 5
	diffs := map[uint32]bool{}
	plainDiffs := map[uint32]bool{}
	for imm := uint32(0); imm < 64; imm++ {
		o, n := adrp(imm%31, imm), adrp(imm%31, imm+shift)
		diffs[format.ADRPCanon(n)-format.ADRPCanon(o)] = true
		plainDiffs[n-o] = true
	}
	if len(diffs) != 1 {
		t.Fatalf("canonical form gives %d distinct diff words, want 1", len(diffs))
	}
	if len(plainDiffs) < 2 {
		t.Fatalf("plain words give %d distinct diff words; the test does not exercise the split field", len(plainDiffs))
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], adrp(1, 2))
	if b[3]&0x9F != 0x90 {
		t.Fatalf("test encoder built %x, not an ADRP", b)
	}
}

// aarch64LikePair makes an old image of random words with many ADRPs and
// a new image where the ADRPs' pages moved (some across the class bits'
// carry, some by negative amounts) and a few bytes changed.
func aarch64LikePair(seed uint64, n int) (old, new []byte) {
	r := rand.New(rand.NewPCG(seed, 7))
	old = make([]byte, n)
	for p := 0; p+4 <= n; p += 4 {
		w := r.Uint32()
		if r.IntN(3) == 0 {
			w = w&^format.ADRPClassMask | format.ADRPClass
		}
		binary.LittleEndian.PutUint32(old[p:], w)
	}
	new = append([]byte(nil), old...)
	shifts := []uint32{1, 3, 0xFFFFFFFF, 1 << 19, 0x7FFFF}
	for p := 0; p+4 <= n; p += 4 {
		w := binary.LittleEndian.Uint32(new[p:])
		if w&format.ADRPClassMask == format.ADRPClass && p%64 != 0 {
			s := shifts[(p/4096)%len(shifts)]
			binary.LittleEndian.PutUint32(new[p:], format.ADRPPlain(format.ADRPCanon(w)+s<<5))
		}
	}
	for i := 0; i < n/500; i++ {
		new[r.IntN(n)] ^= byte(1 + r.IntN(255))
	}
	return old, new
}

// ADRP-heavy images round-trip with the AArch64 form forced and
// automatic, and the automatic choice takes the AArch64 form.
func TestADRPShiftedImageRoundTrips(t *testing.T) {
	old, new := aarch64LikePair(3, 200<<10)
	for _, coding := range []int{0, diffcore.CodingArithA64Lanes, diffcore.CodingArithA64Ordered} {
		patch, got := diffApply(t, old, new, &diffcore.Options{FastCompression: true, ForceCoding: coding})
		if !bytes.Equal(got, new) {
			t.Fatalf("coding %d: output differs", coding)
		}
		if coding == 0 {
			for _, l := range blockLayouts(t, patch) {
				if l&format.LayoutA64 == 0 {
					t.Errorf("automatic coding chose layout %#x, want the AArch64 form", l)
				}
			}
		}
	}
}

// A block that sets the AArch64 bit without 32-bit word arithmetic is
// malformed.
func TestADRPBitWithoutWordArithmeticRejected(t *testing.T) {
	old, new := aarch64LikePair(4, 8<<10)
	patch, _ := diffApply(t, old, new, &diffcore.Options{FastCompression: true, ForceCoding: diffcore.CodingArithA64Lanes})
	off := blockLayoutOffset(t, patch)
	bad := bytes.Clone(patch)
	bad[off] &^= format.LayoutArith
	err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(bad), io.Discard, nil)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("Apply = %v, want ErrMalformed", err)
	}
}

// blockLayoutOffset returns the offset of the first block's layout byte.
func blockLayoutOffset(t *testing.T, patch []byte) int {
	t.Helper()
	h, err := ReadHeader(bytes.NewReader(patch))
	if err != nil {
		t.Fatal(err)
	}
	off := len(headerBytes(h))
	for i := 0; i < 2; i++ { // output length, record count
		_, n := binary.Uvarint(patch[off:])
		if n <= 0 {
			t.Fatal("bad block header varint")
		}
		off += n
	}
	return off
}
