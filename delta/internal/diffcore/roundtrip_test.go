package diffcore

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/suitkit/suitkit/delta"
)

// diffApply makes a patch and applies it, failing the test on any error.
func diffApply(t testing.TB, old, new []byte, opts *Options) (patch, got []byte) {
	t.Helper()
	var p bytes.Buffer
	if err := Diff(context.Background(), old, new, &p, opts); err != nil {
		t.Fatalf("Diff: %v", err)
	}
	var out bytes.Buffer
	if err := delta.Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, nil); err != nil {
		t.Fatalf("delta.Apply: %v", err)
	}
	return p.Bytes(), out.Bytes()
}

func TestApplyDiffRoundTripRandomAndMutated(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := 0; iter < 40; iter++ {
		old := coreRandom(rng, rng.IntN(20000))
		var new []byte
		switch iter % 4 {
		case 0:
			new = coreRandom(rng, rng.IntN(20000))
		default:
			new = coreMutate(rng, old, rng.IntN(50))
		}
		// Full compression trials are slow; most iterations use zstd only.
		_, got := diffApply(t, old, new, &Options{FastCompression: iter%4 != 1})
		if !bytes.Equal(got, new) {
			t.Fatalf("iter %d: output differs from new", iter)
		}
	}
}

func TestApplyDiffRoundTripEdgeCases(t *testing.T) {
	cases := map[string][2][]byte{
		"both-empty":   {nil, nil},
		"empty-old":    {nil, []byte("hello world, hello world")},
		"empty-new":    {[]byte("hello"), nil},
		"identical":    {bytes.Repeat([]byte("abc"), 1000), bytes.Repeat([]byte("abc"), 1000)},
		"zeros-to-ff":  {make([]byte, 5000), bytes.Repeat([]byte{0xff}, 5000)},
		"one-byte-old": {[]byte{7}, []byte{7, 7, 7}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, got := diffApply(t, c[0], c[1], nil)
			if !bytes.Equal(got, c[1]) {
				t.Fatalf("output differs")
			}
		})
	}
}

func TestApplySmallBlocksEqualsDefault(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	old := coreRandom(rng, 200000)
	new := coreMutate(rng, old, 2000)
	p1, got1 := diffApply(t, old, new, nil)
	p2, got2 := diffApply(t, old, new, &Options{BlockMemory: MinBlockMemory, FastCompression: true})
	if !bytes.Equal(got1, new) || !bytes.Equal(got2, new) {
		t.Fatal("output differs from new")
	}
	h1, _ := delta.ReadHeader(bytes.NewReader(p1))
	h2, _ := delta.ReadHeader(bytes.NewReader(p2))
	if h2.ApplyMemory >= h1.ApplyMemory || h2.ApplyMemory > MinBlockMemory {
		t.Fatalf("small blocks need %d bytes, default %d", h2.ApplyMemory, h1.ApplyMemory)
	}
}

func TestApplyStreamingOneByteReaderEqualsInMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	old := coreRandom(rng, 100000)
	new := coreMutate(rng, old, 500)
	patch, want := diffApply(t, old, new, &Options{BlockMemory: MinBlockMemory})
	var out bytes.Buffer
	err := delta.Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("streaming output differs from in-memory output")
	}
}
