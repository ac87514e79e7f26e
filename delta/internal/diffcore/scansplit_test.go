package diffcore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The chunked scan must take exactly the seeds of the sequential
// scan (the patch must not depend on the number of cores), and its splice
// path (the scans meet) must be the one exercised.
func TestSplitScanEqualsSequentialScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	old := make([]byte, 300_000)
	for i := range old {
		// Code-like: a small alphabet with repeats, so searches find
		// many candidate matches.
		old[i] = byte(rng.IntN(24))
	}
	var new []byte
	for p := 0; p < len(old); {
		n := min(rng.IntN(4000)+200, len(old)-p)
		chunk := slices.Clone(old[p : p+n])
		for k := 0; k < n/300; k++ {
			chunk[rng.IntN(n)] ^= byte(rng.IntN(255) + 1)
		}
		new = append(new, chunk...)
		switch rng.IntN(4) {
		case 0:
			p += n + rng.IntN(500) // deletion
		case 1:
			for k := rng.IntN(300); k > 0; k-- { // insertion
				new = append(new, byte(rng.IntN(256)))
			}
			p += n
		default:
			p += n
		}
	}
	for _, sparse := range []bool{false, true} {
		x := newIndex(old, sparse)
		want, _ := x.scan(new, scanState{}, len(new), nil)
		for _, cw := range [][2]int{{2, 2}, {8, 2}, {8, 1}, {5, 3}, {64, 2}} {
			got, met := scanSplit(x, new, cw[0], cw[1])
			if met == 0 {
				t.Fatalf("sparse=%v chunks=%d: the scans never met; the splice path is untested", sparse, cw[0])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("sparse=%v chunks=%d workers=%d: split scan took %d seeds, sequential %d (first difference at %d)",
					sparse, cw[0], cw[1], len(got), len(want), firstDiff(got, want))
			}
		}
	}
}

// Where the scan from the middle starts on a different alignment than the
// sequential scan has there (a block that occurs twice in old), its first
// seeds are not the sequential scan's: they must be dropped, and the
// result must still equal the sequential scan's.
func TestSplitScanDropsDivergentTailSeeds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	x2, z, p, q, s := random(100_000), random(300_000), random(50_000), random(20_000), random(50_000)
	// old: X Z P X Q S. new: P X S. The sequential scan follows P into
	// the second copy of X; the scan from new's middle (inside X, with
	// alignment 0) prefers the first copy, which is nearer.
	old := slices.Concat(x2, z, p, x2, q, s)
	new := slices.Concat(p, x2, s)
	x := newIndex(old, false)
	want, _ := x.scan(new, scanState{}, len(new), nil)
	tail, _ := x.scan(new, scanState{i: len(new) / 2}, len(new), nil)
	if len(tail) == 0 || slices.Contains(want, tail[0]) {
		t.Fatalf("test input does not make the middle scan diverge (tail %v, want %v)", tail, want)
	}
	got, met := scanSplit(x, new, 2, 2)
	if met != 1 {
		t.Fatal("the two scans never met")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("split scan %v, sequential %v", got, want)
	}
}

// On the bench firmware too, the split scan equals the sequential one.
func TestSplitScanEqualsSequentialScanFirmware(t *testing.T) {
	for _, name := range []string{"micropython-esp8266", "libpython37-aarch64"} {
		old, new := loadPair(t, name)
		x := newIndex(old, false)
		want, _ := x.scan(new, scanState{}, len(new), nil)
		got, _ := scanSplit(x, new, scanChunks, 2)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: split scan took %d seeds, sequential %d (first difference at %d)",
				name, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []seed) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
