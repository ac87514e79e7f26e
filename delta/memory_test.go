package delta

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
)

// TestApplyMemoryIndependentOfImageSize applies patches for a 1 MiB and an
// 8 MiB image with the same kind of edits and checks that Apply's total
// allocation stays far below the image size and does not grow with it.
func TestApplyMemoryIndependentOfImageSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	var allocs []uint64
	for _, size := range []int{1 << 20, 8 << 20} {
		old := coreRandom(rng, size)
		new := bytes.Clone(old)
		for i := 0; i < 200; i++ {
			new[rng.IntN(len(new))] ^= 0x5a
		}
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, new, &p, &diffcore.Options{FastCompression: true}); err != nil {
			t.Fatal(err)
		}
		var before, after runtimeMem
		before.read()
		if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), io.Discard, nil); err != nil {
			t.Fatal(err)
		}
		after.read()
		a := after.totalAlloc - before.totalAlloc
		allocs = append(allocs, a)
		t.Logf("%d-byte image: Apply allocated %d bytes", size, a)
		if a > 2<<20 {
			t.Fatalf("Apply allocated %d bytes for a %d-byte image", a, size)
		}
	}
	if allocs[1] > 2*allocs[0]+256<<10 {
		t.Fatalf("allocation grows with image size: %d -> %d", allocs[0], allocs[1])
	}
}
