package diffcore

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// checkControls verifies the structural invariants of bsdiff-style
// triples (what bspatch needs to accept them): non-negative lengths, old
// reads and seeks inside old, progress after the first triple, and exact
// coverage of new. The bytes themselves are checked by the delta.Apply round
// trips.
func checkControls(t testing.TB, old, new []byte, ctrl []control) {
	t.Helper()
	o, n := int64(0), int64(0)
	for i, c := range ctrl {
		if c.add < 0 || c.copy < 0 || o < 0 || o+c.add > int64(len(old)) {
			t.Fatalf("control %d %+v invalid at old pos %d", i, c, o)
		}
		if i > 0 && c.add == 0 && c.copy == 0 {
			t.Fatalf("control %d makes no progress", i)
		}
		n += c.add + c.copy
		o += c.add + c.seek
	}
	if n != int64(len(new)) {
		t.Fatalf("controls cover %d bytes, new has %d", n, len(new))
	}
	if k := len(ctrl); k > 0 && ctrl[k-1].seek != 0 {
		t.Fatalf("last seek %d != 0", ctrl[k-1].seek)
	}
}

func coreMutate(rng *rand.Rand, b []byte, edits int) []byte {
	out := bytes.Clone(b)
	for e := 0; e < edits && len(out) > 0; e++ {
		p := rng.IntN(len(out))
		switch rng.IntN(4) {
		case 0: // substitution
			out[p] ^= byte(1 + rng.IntN(255))
		case 1: // insertion
			ins := make([]byte, 1+rng.IntN(40))
			for i := range ins {
				ins[i] = byte(rng.IntN(256))
			}
			out = append(out[:p], append(ins, out[p:]...)...)
		case 2: // deletion
			q := min(len(out), p+1+rng.IntN(40))
			out = append(out[:p], out[q:]...)
		case 3: // pointer-like shift of a 32-bit value
			if p+4 <= len(out) {
				out[p] += byte(rng.IntN(16))
			}
		}
	}
	return out
}

func coreRandom(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

func TestComputeControlsAreValidBsdiffTriples(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 200; iter++ {
		old := coreRandom(rng, rng.IntN(5000))
		new := coreMutate(rng, old, rng.IntN(30))
		if iter%7 == 0 {
			new = coreRandom(rng, rng.IntN(3000))
		}
		ctrl, err := computeControls(context.Background(), old, new, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkControls(t, old, new, ctrl)
	}
}

func TestComputeControlsFindsShiftedCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	old := coreRandom(rng, 100000)
	// new = old with 100 bytes inserted in the middle: two alignments.
	ins := coreRandom(rng, 100)
	new := append(append(bytes.Clone(old[:50000]), ins...), old[50000:]...)
	ctrl, err := computeControls(context.Background(), old, new, nil)
	if err != nil {
		t.Fatal(err)
	}
	var extra int64
	for _, c := range ctrl {
		extra += c.copy
	}
	if len(ctrl) > 3 || extra > 120 {
		t.Fatalf("insertion of 100 bytes gave %d controls, %d extra bytes: %v", len(ctrl), extra, fmt.Sprint(ctrl))
	}
}
