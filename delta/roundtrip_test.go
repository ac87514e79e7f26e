package delta

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// diffApply makes a patch and applies it, failing the test on any error.
func diffApply(t testing.TB, old, new []byte, opts *DiffOptions) (patch, got []byte) {
	t.Helper()
	var p bytes.Buffer
	if err := Diff(old, new, &p, opts); err != nil {
		t.Fatalf("Diff: %v", err)
	}
	var out bytes.Buffer
	if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, nil); err != nil {
		t.Fatalf("Apply: %v", err)
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
		_, got := diffApply(t, old, new, &DiffOptions{FastCompression: iter%4 != 1})
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
	p2, got2 := diffApply(t, old, new, &DiffOptions{BlockMemory: MinBlockMemory, FastCompression: true})
	if !bytes.Equal(got1, new) || !bytes.Equal(got2, new) {
		t.Fatal("output differs from new")
	}
	h1, _ := ReadHeader(bytes.NewReader(p1))
	h2, _ := ReadHeader(bytes.NewReader(p2))
	if h2.ApplyMemory >= h1.ApplyMemory || h2.ApplyMemory > MinBlockMemory {
		t.Fatalf("small blocks need %d bytes, default %d", h2.ApplyMemory, h1.ApplyMemory)
	}
}

func TestApplyStreamingOneByteReaderEqualsInMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	old := coreRandom(rng, 100000)
	new := coreMutate(rng, old, 500)
	patch, want := diffApply(t, old, new, &DiffOptions{BlockMemory: MinBlockMemory})
	var out bytes.Buffer
	err := Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("streaming output differs from in-memory output")
	}
}

// TestApplyEveryDiffCoding forces each diff coding (byte gaps, word masks
// with lane-grouped or ordered values, bytewise, 32-bit or 16-bit
// arithmetic)
// on inputs with
// aligned and unaligned edits, including multi-block patches, and checks
// the round trip and the block layout actually used.
func TestApplyEveryDiffCoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	old := coreRandom(rng, 1500000)
	new := bytes.Clone(old)
	for p := 0; p+8 <= len(new); p += 8 + rng.IntN(8) {
		new[p+rng.IntN(4)] += byte(1 + rng.IntN(8)) // pointer-like edits
	}
	for p := 0; p+4 <= len(new); p += 4 * (1 + rng.IntN(64)) {
		v := binary.LittleEndian.Uint32(new[p:]) // moved pointers: carries
		binary.LittleEndian.PutUint32(new[p:], v+uint32(rng.IntN(1<<12)))
	}
	new = coreMutate(rng, new, 50)
	for _, coding := range []int{codingBytes, codingLanes, codingOrdered, codingArithLanes, codingArithOrdered, codingArith16Lanes, codingArith16Ordered, codingArithA64Lanes, codingArithA64Ordered, codingUnitLanes, codingUnitOrdered} {
		for _, bm := range []int{0, MinBlockMemory} {
			opts := &DiffOptions{FastCompression: true, BlockMemory: bm, forceCoding: coding}
			patch, got := diffApply(t, old, new, opts)
			if !bytes.Equal(got, new) {
				t.Fatalf("coding %d, block memory %d: output differs", coding, bm)
			}
			var out bytes.Buffer
			if err := Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), &out, nil); err != nil || !bytes.Equal(out.Bytes(), new) {
				t.Fatalf("coding %d: one-byte-reader apply: %v", coding, err)
			}
			layouts := blockLayouts(t, patch)
			if bm != 0 && len(layouts) < 2 {
				t.Fatalf("coding %d: expected several blocks with small block memory, got %d", coding, len(layouts))
			}
			for _, l := range layouts {
				want := map[int]byte{codingBytes: 0, codingLanes: layoutWords, codingOrdered: layoutWords | layoutOrdered,
					codingArithLanes: layoutWords | layoutArith, codingArithOrdered: layoutWords | layoutArith | layoutOrdered,
					codingArith16Lanes: layoutWords | layoutArith16, codingArith16Ordered: layoutWords | layoutArith16 | layoutOrdered,
					codingArithA64Lanes: layoutWords | layoutArith | layoutA64, codingArithA64Ordered: layoutWords | layoutArith | layoutA64 | layoutOrdered,
					codingUnitLanes: layoutUnits, codingUnitOrdered: layoutUnits | layoutOrdered}[coding]
				if want&layoutArith != 0 { // Diff codes signed words by default
					want |= layoutSigned
				}
				if l&^layoutJoint != want {
					t.Fatalf("coding %d: block layout %#x", coding, l)
				}
			}
		}
	}
}

// blockLayouts walks a patch's blocks and returns their layout bytes.
func blockLayouts(t *testing.T, patch []byte) []byte {
	t.Helper()
	pr := newPatchReader(bytes.NewReader(patch))
	h, err := readHeader(pr)
	if err != nil {
		t.Fatal(err)
	}
	a := &applier{h: h, pr: pr, out: &outWriter{limit: h.NewSize}}
	var layouts []byte
	for a.out.total() < h.NewSize {
		b, err := a.readBlockHeader()
		if err != nil {
			t.Fatal(err)
		}
		layouts = append(layouts, b.layout())
		skip := b.jointComp
		if !b.joint {
			skip = 0
			for s := 0; s < numStreams; s++ {
				skip += b.compLen[s]
			}
		}
		if _, err := io.CopyN(io.Discard, pr, skip); err != nil {
			t.Fatal(err)
		}
		a.out.n += b.newLen
	}
	return layouts
}
