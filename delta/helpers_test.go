package delta

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
	"github.com/ulikunitz/xz/lzma"
)

// Helpers for the applier's tests: patches come from the differ core
// (package delta/internal/diffcore, which does not import this package).

// diffApply diffs old and new, applies the patch and returns both.
func diffApply(t testing.TB, old, new []byte, opts *diffcore.Options) (patch, got []byte) {
	t.Helper()
	var p bytes.Buffer
	if err := diffcore.Diff(context.Background(), old, new, &p, opts); err != nil {
		t.Fatalf("Diff: %v", err)
	}
	var out bytes.Buffer
	if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return p.Bytes(), out.Bytes()
}

// headerBytes encodes h (a Header or *Header).
func headerBytes[H Header | *Header](h H) []byte {
	var hp *Header
	switch v := any(h).(type) {
	case Header:
		hp = &v
	case *Header:
		hp = v
	}
	b, err := hp.AppendBinary(nil)
	if err != nil {
		panic(err)
	}
	return b
}

// lzmaCompress compresses raw as one LZMA2 stream the way the differ does
// (dictionary derived from the decoded length).
func lzmaCompress(raw []byte, props lzma.Properties) ([]byte, error) {
	var buf bytes.Buffer
	w, err := lzma.Writer2Config{Properties: &props, DictCap: int(format.LZMADictCap(int64(len(raw)))), Matcher: lzma.HashTable4}.NewWriter2(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lzmaDefault is LZMA's default literal context.
var lzmaDefault = lzma.Properties{LC: 3, LP: 0, PB: 2}

// coreMutate applies random edits (substitutions, insertions, deletions,
// pointer-like shifts) to a copy of b; coreRandom returns n random bytes.
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
	for _, coding := range []int{diffcore.CodingBytes, diffcore.CodingLanes, diffcore.CodingOrdered, diffcore.CodingArithLanes, diffcore.CodingArithOrdered, diffcore.CodingArith16Lanes, diffcore.CodingArith16Ordered, diffcore.CodingArithA64Lanes, diffcore.CodingArithA64Ordered, diffcore.CodingUnitLanes, diffcore.CodingUnitOrdered} {
		for _, bm := range []int{0, diffcore.MinBlockMemory} {
			opts := &diffcore.Options{FastCompression: true, BlockMemory: bm, ForceCoding: coding}
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
				want := map[int]byte{diffcore.CodingBytes: 0, diffcore.CodingLanes: format.LayoutWords, diffcore.CodingOrdered: format.LayoutWords | format.LayoutOrdered,
					diffcore.CodingArithLanes: format.LayoutWords | format.LayoutArith, diffcore.CodingArithOrdered: format.LayoutWords | format.LayoutArith | format.LayoutOrdered,
					diffcore.CodingArith16Lanes: format.LayoutWords | format.LayoutArith16, diffcore.CodingArith16Ordered: format.LayoutWords | format.LayoutArith16 | format.LayoutOrdered,
					diffcore.CodingArithA64Lanes: format.LayoutWords | format.LayoutArith | format.LayoutA64, diffcore.CodingArithA64Ordered: format.LayoutWords | format.LayoutArith | format.LayoutA64 | format.LayoutOrdered,
					diffcore.CodingUnitLanes: format.LayoutUnits, diffcore.CodingUnitOrdered: format.LayoutUnits | format.LayoutOrdered}[coding]
				if want&format.LayoutArith != 0 { // Diff codes signed words by default
					want |= format.LayoutSigned
				}
				if l&^format.LayoutJoint != want {
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
		layouts = append(layouts, b.Layout())
		skip := b.JointComp
		if !b.Joint {
			skip = 0
			for s := 0; s < format.NumStreams; s++ {
				skip += b.CompLen[s]
			}
		}
		if _, err := io.CopyN(io.Discard, pr, skip); err != nil {
			t.Fatal(err)
		}
		a.out.n += b.NewLen
	}
	return layouts
}

// encodeBSDIFF40 writes a BSDIFF40 patch for recs with the differ's encoder.
func encodeBSDIFF40(w io.Writer, oldB, newB []byte, recs []control) error {
	t := make([][3]int64, len(recs))
	for i, r := range recs {
		t[i] = [3]int64{r.add, r.copy, r.seek}
	}
	return diffcore.EncodeBSDIFF40Triples(w, oldB, newB, t)
}
