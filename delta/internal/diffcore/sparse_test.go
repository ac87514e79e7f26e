package diffcore

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// The sparse suffix array is the even positions in the order of their
// byte suffixes (of the even-length keys), for every kind of text.
func TestSparseSuffixArrayMatchesNaiveSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	texts := map[string][]byte{
		"all-zero": make([]byte, 1000),
		"all-ff":   bytes.Repeat([]byte{0xff}, 998),
		"periodic": bytes.Repeat([]byte("abcab"), 300),
	}
	for _, n := range []int{2, 4, 6, 100, 5000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(3))
		}
		texts["small-alphabet"] = b
		r := make([]byte, n)
		for i := range r {
			r[i] = byte(rng.IntN(256))
		}
		texts["random"] = r
		for name, text := range texts {
			keys := text[:len(text)&^1]
			var want []int32
			for i := 0; i < len(keys); i += 2 {
				want = append(want, int32(i))
			}
			slices.SortFunc(want, func(a, b int32) int { return bytes.Compare(keys[a:], keys[b:]) })
			if got := sparseSuffixArray(keys); !slices.Equal(got, want) {
				t.Fatalf("%s (%d bytes): sparse suffix array differs from the naive sort", name, len(keys))
			}
		}
	}
}

// With the sparse index, longest still finds the longest match whether
// it starts at an even or an odd old position.
func TestSparseIndexFindsOddMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	old := make([]byte, 4001)
	for i := range old {
		old[i] = byte(rng.IntN(256))
	}
	x := newIndex(old, true)
	if !x.sparse {
		t.Fatal("index is not sparse")
	}
	for _, at := range []int{0, 1, 2, 3, 1001, 2222, 3900, 3979} {
		pat := append(bytes.Clone(old[at:at+20]), 0xAA, 0x55, 0xAA)
		pos, n := x.longest(pat, 0)
		if pos != at || n < 20 {
			t.Errorf("match of old[%d:%d]: longest = (%d, %d)", at, at+20, pos, n)
		}
	}
}

// Diff with the sparse index (forced on small inputs) round-trips and
// still makes a small patch for a lightly edited image.
func TestSparseIndexDiffRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	old := coreRandom(rng, 300<<10)
	new := coreMutate(rng, old, 40)
	// Shift by one byte so most matches are at odd old positions.
	new = append([]byte{0x42}, new...)
	full, got := diffApply(t, old, new, &Options{FastCompression: true})
	if !bytes.Equal(got, new) {
		t.Fatal("full index: output differs")
	}
	sparse, got := diffApply(t, old, new, &Options{FastCompression: true, SparseFrom: 1})
	if !bytes.Equal(got, new) {
		t.Fatal("sparse index: output differs")
	}
	if len(sparse) > len(full)+len(full)/20+64 {
		t.Fatalf("sparse index patch %d bytes, full index %d", len(sparse), len(full))
	}
}
