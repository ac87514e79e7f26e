package delta

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// Both signed (layout bit7, the default) and unsigned 32-bit word
// arithmetic round-trip, plain and AArch64, on images whose words moved
// up and down.
func TestWordArithmeticSignedAndUnsignedRoundTrip(t *testing.T) {
	old, new := aarch64LikePair(11, 300<<10)
	for _, coding := range []int{diffcore.CodingArithLanes, diffcore.CodingArithOrdered, diffcore.CodingArithA64Lanes, diffcore.CodingArithA64Ordered} {
		for _, signed := range []bool{false, true} {
			patch, got := diffApply(t, old, new, &diffcore.Options{FastCompression: true, ForceCoding: coding, UnsignedArith: !signed})
			if !bytes.Equal(got, new) {
				t.Fatalf("coding %d signed=%v: output differs", coding, signed)
			}
			for _, l := range blockLayouts(t, patch) {
				if (l&format.LayoutSigned != 0) != signed {
					t.Fatalf("coding %d signed=%v: block layout %#x", coding, signed, l)
				}
			}
		}
	}
}

// A sign bit on a word that is not applied as a whole 32-bit unit, or
// the signed bit without 32-bit arithmetic, is malformed.
func TestWordSignOutsideUnitRejected(t *testing.T) {
	// Word 0, sign set, mask 0b0001; the add run has 2 bytes, so the
	// word is not a whole unit.
	d, err := newWordDiff([]byte{1<<4 | 1}, []byte{5}, 0, true, true)
	if err != nil {
		t.Fatal(err)
	}
	d.arith = 4
	if err := d.apply(make([]byte, 2), 0, 0, 2); err == nil {
		t.Fatal("apply accepted a sign bit on a partial word")
	}
	old, new := aarch64LikePair(12, 8<<10)
	patch, _ := diffApply(t, old, new, &diffcore.Options{FastCompression: true, ForceCoding: diffcore.CodingArith16Lanes})
	off := blockLayoutOffset(t, patch)
	bad := bytes.Clone(patch)
	bad[off] |= format.LayoutSigned
	if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(bad), &bytes.Buffer{}, nil); !errors.Is(err, ErrMalformed) {
		t.Fatal("Apply accepted signed words with 16-bit arithmetic")
	}
}
