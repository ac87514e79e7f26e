package delta

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
