package delta

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// codeTemplates are one branch or address instruction per instruction set
// (zero field), placed into the synthetic code of codeLikePair.
var codeTemplates = map[uint8][][]byte{
	format.ISAThumb2: {{0x00, 0xF0, 0x00, 0xF8}, {0x00, 0xF0, 0x00, 0x90}},
	format.ISAARM32:  {{0, 0, 0, 0xEB}, {0, 0, 0, 0xEA}},
	format.ISAA64:    {{0, 0, 0, 0x94}, {0, 0, 0, 0x54}, {0, 0, 0, 0x90}, {0, 0, 0, 0x10}},
	format.ISAX86:    {{0xE8, 0, 0, 0, 0}, {0x0F, 0x85, 0, 0, 0, 0}, {0x48, 0x8D, 0x05, 0, 0, 0, 0}},
	format.ISAXtensa: {{0x25, 0, 0}, {0x01, 0, 0}},
}

// codeLikePair returns n bytes of random code holding one of isa's branch
// instructions every 8 to 40 bytes (at its alignment), and a new version
// in which a block of bytes is inserted in the middle and most branches'
// fields moved by one of two constants (calls into moved code), plus a few
// random edits.
func codeLikePair(isa uint8, seed uint64, n int) (old, new []byte) {
	rng := rand.New(rand.NewPCG(seed, uint64(isa)))
	old = coreRandom(rng, n)
	align := int(format.ISAAlign(isa))
	var at []int
	for p := 0; p+8 <= n; p += 8 + rng.IntN(32) {
		p &^= align - 1
		t := codeTemplates[isa][rng.IntN(len(codeTemplates[isa]))]
		copy(old[p:], t)
		in := format.MatchInsn(isa, old[p:])
		in.Put(old[p:p+in.Size], rng.Uint64())
		at = append(at, p)
		p += len(t)
	}
	new = bytes.Clone(old)
	k1, k2 := uint64(1+rng.IntN(64)), uint64(1<<(8+rng.IntN(8)))
	for _, p := range at {
		in := format.MatchInsn(isa, new[p:])
		switch rng.IntN(4) {
		case 0, 1:
			in.Put(new[p:p+in.Size], in.Field(new[p:])+k1)
		case 2:
			in.Put(new[p:p+in.Size], in.Field(new[p:])-k2)
		}
	}
	for range 8 {
		new[rng.IntN(n)] ^= byte(1 + rng.IntN(255))
	}
	mid := (n / 2) &^ 7
	ins := coreRandom(rng, 8*align+3)
	return old, append(new[:mid:mid], append(ins, new[mid:]...)...)
}

// Every instruction unit coding (each instruction set, relative and
// absolute) round-trips, also through a one-byte reader and with small
// blocks, and the forced blocks carry the transform.
func TestApplyEveryInstructionCoding(t *testing.T) {
	for c := 0; c < 2*(format.NumISAs-1); c++ {
		isa := uint8(1 + c/2)
		// 200 KB: the applier's 64 KiB chunks end inside instruction
		// units now and then (carried into the next chunk).
		old, new := codeLikePair(isa, uint64(c), 200<<10)
		for _, bm := range []int{0, diffcore.MinBlockMemory} {
			patch, got := diffApply(t, old, new, &diffcore.Options{FastCompression: true, BlockMemory: bm, ForceCoding: diffcore.CodingInstr + c})
			if !bytes.Equal(got, new) {
				t.Fatalf("coding %d: output differs", c)
			}
			var out bytes.Buffer
			if err := Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), &out, nil); err != nil || !bytes.Equal(out.Bytes(), new) {
				t.Fatalf("coding %d: one-byte reader: %v", c, err)
			}
			h, err := ReadHeader(bytes.NewReader(patch))
			if err != nil || h.Version != 2 {
				t.Fatalf("coding %d: header %+v, %v; want version 2", c, h, err)
			}
			tr := blockTransforms(t, patch)
			want := isa
			if c%2 == 1 {
				want |= format.TransformAbs
			}
			for _, x := range tr {
				if x != want {
					t.Fatalf("coding %d: block transforms %x, want %#x", c, tr, want)
				}
			}
		}
	}
}

// With the automatic choice, an instruction set's coding wins on code of
// that set: the patch is smaller than without transforms (and is version
// 2), and never larger on any of the synthetic pairs.
func TestInstructionCodingsWinOnTheirCode(t *testing.T) {
	for isa := uint8(1); isa < format.NumISAs; isa++ {
		old, new := codeLikePair(isa, 99, 64<<10)
		with, got := diffApply(t, old, new, nil)
		if !bytes.Equal(got, new) {
			t.Fatal("output differs")
		}
		without, _ := diffApply(t, old, new, &diffcore.Options{NoTransforms: true})
		if h, _ := ReadHeader(bytes.NewReader(without)); h.Version != 1 {
			t.Fatalf("NoTransforms wrote version %d", h.Version)
		}
		t.Logf("%s: %d bytes with transforms, %d without", format.ISAName(isa), len(with), len(without))
		if len(with) >= len(without) {
			t.Errorf("%s: %d bytes with transforms, %d without", format.ISAName(isa), len(with), len(without))
		}
	}
}

// blockTransforms walks a version-2 patch's blocks and returns their
// transform bytes.
func blockTransforms(t *testing.T, patch []byte) []byte {
	t.Helper()
	pr := newPatchReader(bytes.NewReader(patch))
	h, err := readHeader(pr)
	if err != nil {
		t.Fatal(err)
	}
	a := &applier{h: h, pr: pr, out: &outWriter{limit: h.NewSize}}
	var tr []byte
	for a.out.total() < h.NewSize {
		b, err := a.readBlockHeader()
		if err != nil {
			t.Fatal(err)
		}
		tr = append(tr, b.Transform)
		skip := b.JointComp
		if !b.Joint {
			skip = 0
			for s := 0; s < format.NumStreams; s++ {
				skip += b.CompLen[s]
			}
		}
		if _, err := pr.r.Discard(int(skip)); err != nil {
			t.Fatal(err)
		}
		pr.off += skip
		a.out.n += b.NewLen
	}
	return tr
}

// instrPatch crafts a one-block version-2 patch (stored streams) that
// turns old into new with one add run over all of old, the given
// transform and raw gaps and values streams.
func instrPatch(old, new []byte, transform, layout byte, gaps, values []byte) []byte {
	h := Header{Version: 2, Codecs: 1 << CodecStored, OldSize: int64(len(old)), NewSize: int64(len(new)), ApplyMemory: 1 << 20}
	h.OldDigest, h.NewDigest = sha(old), sha(new)
	p := headerBytes(h)
	ctrl := []byte{0}
	ctrl = binary.AppendUvarint(ctrl, uint64(len(new)))
	ctrl = append(ctrl, 0)
	p = binary.AppendUvarint(p, uint64(len(new)))
	p = append(p, 1, layout, transform, 0)
	for _, s := range [][]byte{ctrl, gaps, values, nil} {
		p = binary.AppendUvarint(p, uint64(len(s)))
	}
	return append(append(append(p, ctrl...), gaps...), values...)
}

// Hostile instruction unit codings are refused with ErrMalformed or
// ErrUnsupported, never applied: an unknown instruction set, the absolute
// flag alone, other layout bits with a transform, an all-zero residual, a
// zero or out-of-range data unit, a truncated residual, unused values.
func TestApplyRejectsBadInstructionCoding(t *testing.T) {
	old := bytes.Repeat([]byte{0x00, 0xF0, 0x00, 0xF8}, 4) // four Thumb BLs
	new := bytes.Clone(old)
	in := format.MatchInsn(format.ISAThumb2, new)
	in.Put(new[:4], 5)
	good := instrPatch(old, new, format.ISAThumb2, 0, []byte{0}, []byte{byte(format.Zigzag(int64(5)-int64(in.Field(old)))) << 1})
	if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(good), io_discard{}, nil); err != nil {
		t.Fatalf("crafted good patch: %v", err)
	}
	for _, tc := range []struct {
		name  string
		patch []byte
		want  error
	}{
		{"unknown instruction set", instrPatch(old, new, 9, 0, []byte{0}, []byte{10}), ErrUnsupported},
		{"absolute flag alone", instrPatch(old, new, format.TransformAbs, 0, nil, nil), ErrMalformed},
		{"layout bits with a transform", instrPatch(old, new, format.ISAThumb2, format.LayoutWords, []byte{0}, []byte{10}), ErrMalformed},
		{"all-zero residual", instrPatch(old, new, format.ISAThumb2, 0, []byte{0}, []byte{11, 0, 0, 0, 0}), ErrMalformed},
		{"truncated residual", instrPatch(old, new, format.ISAThumb2, 0, []byte{0}, []byte{11, 1}), ErrMalformed},
		{"zero data unit", instrPatch(old, new, format.ISAThumb2, 0, []byte{1}, []byte{0}), ErrMalformed},
		{"data unit out of range", instrPatch(old, new, format.ISAThumb2, 0, []byte{15}, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), ErrMalformed},
		{"unused values", instrPatch(old, new, format.ISAThumb2, 0, []byte{0}, []byte{10, 4}), ErrMalformed},
	} {
		var out bytes.Buffer
		err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(tc.patch), &out, nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

type io_discard struct{}

func (io_discard) Write(b []byte) (int, error) { return len(b), nil }

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// Units that straddle the applier's 64 KiB chunks are carried over into
// the next chunk: a unit every 16 bytes (after 12 random bytes), placed so
// that it covers every multiple of 16 (chunks end at multiples of 4 inside
// a run), each one changed, in one add run of 300 KB.
func TestInstructionUnitsAcrossChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, tc := range []struct {
		isa  uint8
		lead int
		unit []byte
	}{
		{format.ISAThumb2, 2, []byte{0x00, 0xF0, 0x00, 0xF8}},
		{format.ISAX86, 0, []byte{0xE8, 0, 0, 0, 0}},
	} {
		old := coreRandom(rng, tc.lead)
		var at []int
		for len(old)+16 <= 300<<10 {
			old = append(old, coreRandom(rng, 12)...)
			at = append(at, len(old))
			old = append(old, tc.unit...)
			old = append(old, coreRandom(rng, 4-len(tc.unit)+4)...)
		}
		new := bytes.Clone(old)
		for _, p := range at {
			in := format.MatchInsn(tc.isa, new[p:])
			in.Put(new[p:p+in.Size], in.Field(new[p:])+1)
		}
		for _, abs := range []int{0, 1} {
			_, got := diffApply(t, old, new, &diffcore.Options{FastCompression: true, ForceCoding: diffcore.CodingInstr + 2*int(tc.isa-1) + abs})
			if !bytes.Equal(got, new) {
				t.Fatalf("%s abs=%d: output differs", format.ISAName(tc.isa), abs)
			}
		}
	}
}
