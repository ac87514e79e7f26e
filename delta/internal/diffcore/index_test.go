package diffcore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The two-byte prefix ranges counted from the text must be exactly the
// ranges the suffix array holds, for the full and the sparse index,
// including the one-byte suffix and tiny texts.
func TestPrefixRangesMatchSuffixArray(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 17, 256, 4096, 70_000} {
		for _, alpha := range []int{1, 3, 256} {
			text := make([]byte, n)
			for i := range text {
				text[i] = byte(rng.IntN(alpha))
			}
			for _, sparse := range []bool{false, true} {
				keys, sa := text, []int32(nil)
				if sparse {
					keys = text[:n&^1]
					sa = sparseSuffixArray(keys)
				} else {
					sa = suffixArray(keys)
				}
				wantLo, wantHi := make([]int32, 1<<16), make([]int32, 1<<16)
				for r, s := range sa {
					if int(s) > len(keys)-2 {
						continue
					}
					k := int(keys[s])<<8 | int(keys[s+1])
					if wantHi[k] == 0 {
						wantLo[k] = int32(r)
					}
					wantHi[k] = int32(r + 1)
				}
				lo, hi := prefixRanges(keys, sparse)
				if !slices.Equal(lo, wantLo) || !slices.Equal(hi, wantHi) {
					t.Fatalf("n=%d alphabet=%d sparse=%v: counted prefix ranges differ from the suffix array's", n, alpha, sparse)
				}
			}
		}
	}
}
