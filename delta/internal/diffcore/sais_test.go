package diffcore

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveSuffixArray sorts suffixes by direct comparison (the oracle).
func naiveSuffixArray(text []byte) []int32 {
	sa := make([]int32, len(text))
	for i := range sa {
		sa[i] = int32(i)
	}
	slices.SortFunc(sa, func(a, b int32) int { return bytes.Compare(text[a:], text[b:]) })
	return sa
}

func TestSuffixArrayMatchesNaiveSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(n int) []byte{
		"random": func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return b
		},
		"binary-alphabet": func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.IntN(2))
			}
			return b
		},
		"all-zero": func(n int) []byte { return make([]byte, n) },
		"all-ff":   func(n int) []byte { return bytes.Repeat([]byte{0xff}, n) },
		"periodic": func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = "abcab"[i%5]
			}
			return b
		},
		"fibonacci-word": func(n int) []byte {
			a, b := []byte("a"), []byte("ab")
			for len(b) < n {
				a, b = b, append(slices.Clone(b), a...)
			}
			return b[:n]
		},
		"decreasing": func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(255 - i%256)
			}
			return b
		},
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 2, 3, 5, 17, 64, 255, 1000, 4097} {
			text := gen(n)
			got := suffixArray(text)
			want := naiveSuffixArray(text)
			if !slices.Equal(got, want) {
				t.Fatalf("%s n=%d: suffix array differs from naive sort", name, n)
			}
		}
	}
}

func TestSuffixArrayRandomSmallAlphabets(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 2000; iter++ {
		n := rng.IntN(200)
		k := 1 + rng.IntN(4)
		text := make([]byte, n)
		for i := range text {
			text[i] = byte(rng.IntN(k))
		}
		if got, want := suffixArray(text), naiveSuffixArray(text); !slices.Equal(got, want) {
			t.Fatalf("text %v: got %v want %v", text, got, want)
		}
	}
}

// TestSuffixArrayLargeAlphabetLevel checks a recursion-level call with an
// alphabet too large for cached counts, with and without spare space for
// the buckets.
func TestSuffixArrayLargeAlphabetLevel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	for _, k := range []int{3, 70000, 200000} {
		for _, n := range []int{10, 1000, 50000} {
			text := make([]int32, n)
			for i := range text {
				// Few distinct runs so induced sorting recurses further.
				text[i] = int32(rng.IntN(k))
				if i > 0 && rng.IntN(3) == 0 {
					text[i] = text[i-1]
				}
			}
			want := make([]int32, n)
			for i := range want {
				want[i] = int32(i)
			}
			slices.SortFunc(want, func(a, b int32) int { return slices.Compare(text[a:], text[b:]) })
			for _, spare := range [][]int32{nil, make([]int32, k)} {
				sa := make([]int32, n)
				saisLevel(text, sa, k, spare)
				if !slices.Equal(sa, want) {
					t.Fatalf("k=%d n=%d spare=%d: suffix array differs from naive sort", k, n, len(spare))
				}
			}
		}
	}
}
