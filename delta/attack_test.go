package delta

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// rawRecord is a control record as written in a patch (seek first).
type rawRecord struct {
	seek      int64
	add, copy uint64
}

// craftBlock is a block written verbatim, all streams stored unless
// extraCodec says otherwise.
type craftBlock struct {
	newLen  uint64
	records []rawRecord
	nrec    *uint64 // overrides len(records) in the header
	gaps    []byte
	values  []byte
	extra   []byte
}

// craftPatch writes a patch by hand so tests can say anything in it.
func craftPatch(old, new []byte, blocks ...craftBlock) []byte {
	h := Header{Version: 1, Codecs: 1 << CodecStored,
		OldSize: int64(len(old)), NewSize: int64(len(new)), ApplyMemory: 1 << 20}
	h.OldDigest = sha256.Sum256(old)
	h.NewDigest = sha256.Sum256(new)
	p := headerBytes(h)
	for _, b := range blocks {
		var ctrl []byte
		for _, r := range b.records {
			ctrl = binary.AppendVarint(ctrl, r.seek)
		}
		for _, r := range b.records {
			ctrl = binary.AppendUvarint(ctrl, r.add)
		}
		for _, r := range b.records {
			ctrl = binary.AppendUvarint(ctrl, r.copy)
		}
		n := uint64(len(b.records))
		if b.nrec != nil {
			n = *b.nrec
		}
		p = binary.AppendUvarint(p, b.newLen)
		p = binary.AppendUvarint(p, n)
		p = append(p, 0, 0) // separate layout, all stored
		for _, s := range [][]byte{ctrl, b.gaps, b.values, b.extra} {
			p = binary.AppendUvarint(p, uint64(len(s)))
		}
		for _, s := range [][]byte{ctrl, b.gaps, b.values, b.extra} {
			p = append(p, s...)
		}
	}
	return p
}

// countingWriter records how much was written.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

// mustReject applies patch to old and requires an error matching want,
// no panic, and no more output than the patch's declared new size.
func mustReject(t *testing.T, old, patch []byte, want error) error {
	t.Helper()
	var out countingWriter
	err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), &out, nil)
	if !errors.Is(err, want) {
		t.Fatalf("Apply error = %v, want %v", err, want)
	}
	if h, herr := ReadHeader(bytes.NewReader(patch)); herr == nil && out.n > h.NewSize {
		t.Fatalf("wrote %d bytes, declared %d", out.n, h.NewSize)
	}
	return err
}

var atkOld = []byte("0123456789abcdefghijklmnopqrstuv") // 32 bytes

func TestCraftedPatchIsAccepted(t *testing.T) {
	// The crafting helper itself produces valid patches: copy 4 from old
	// with one changed byte, then 2 literal bytes.
	new := []byte("0124XY")
	p := craftPatch(atkOld, new, craftBlock{newLen: 6,
		records: []rawRecord{{seek: 0, add: 4, copy: 2}},
		gaps:    []byte{3}, values: []byte{1}, extra: []byte("XY")})
	var out bytes.Buffer
	if err := Apply(bytes.NewReader(atkOld), int64(len(atkOld)), bytes.NewReader(p), &out, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(new) {
		t.Fatalf("got %q", out.String())
	}
}

func TestApplyRejectsWrongOldImage(t *testing.T) {
	new := []byte("0123")
	p := craftPatch(atkOld, new, craftBlock{newLen: 4, records: []rawRecord{{add: 4}}})
	wrong := bytes.Clone(atkOld)
	wrong[20] ^= 1 // same size, different content
	var out countingWriter
	err := Apply(bytes.NewReader(wrong), int64(len(wrong)), bytes.NewReader(p), &out, nil)
	if !errors.Is(err, ErrOldImageMismatch) {
		t.Fatalf("err = %v", err)
	}
	if out.n != 0 {
		t.Fatalf("wrote %d bytes before rejecting the old image", out.n)
	}
	// Wrong size is rejected before hashing.
	mustReject(t, atkOld[:31], p, ErrOldImageMismatch)
}

func TestApplyRejectsSeekOutsideOld(t *testing.T) {
	for _, seek := range []int64{-1, 33, math.MaxInt64 / 2, math.MinInt64 / 2} {
		p := craftPatch(atkOld, []byte("ab"), craftBlock{newLen: 2,
			records: []rawRecord{{seek: seek, add: 2}}})
		mustReject(t, atkOld, p, ErrMalformed)
	}
	// A later seek before the start, relative to the current position.
	p := craftPatch(atkOld, []byte("abcd"), craftBlock{newLen: 4,
		records: []rawRecord{{seek: 10, add: 2}, {seek: -13, add: 2}}})
	mustReject(t, atkOld, p, ErrMalformed)
}

func TestApplyRejectsAddPastOldEnd(t *testing.T) {
	p := craftPatch(atkOld, make([]byte, 8), craftBlock{newLen: 8,
		records: []rawRecord{{seek: 30, add: 8}}})
	mustReject(t, atkOld, p, ErrMalformed)
}

func TestApplyRejectsOverflowingControlValues(t *testing.T) {
	// add + copy overflows uint64; each alone exceeds the block.
	for _, r := range []rawRecord{
		{add: math.MaxUint64, copy: 2},
		{add: 1, copy: math.MaxUint64},
		{add: math.MaxInt64 + 1, copy: math.MaxInt64 + 1},
	} {
		p := craftPatch(atkOld, []byte("ab"), craftBlock{newLen: 2, records: []rawRecord{r}, extra: []byte("ab")})
		mustReject(t, atkOld, p, ErrMalformed)
	}
}

func TestApplyRejectsOutputPastDeclaredSize(t *testing.T) {
	// Block claims more than the image; records write more than the block.
	p := craftPatch(atkOld, []byte("ab"), craftBlock{newLen: 3,
		records: []rawRecord{{add: 3}}})
	mustReject(t, atkOld, p, ErrMalformed)
	p = craftPatch(atkOld, []byte("ab"), craftBlock{newLen: 2,
		records: []rawRecord{{add: 2}, {add: 1}}})
	mustReject(t, atkOld, p, ErrMalformed)
	// A second block after the image is complete is trailing data.
	p = craftPatch(atkOld, []byte("01"),
		craftBlock{newLen: 2, records: []rawRecord{{add: 2}}},
		craftBlock{newLen: 2, records: []rawRecord{{add: 2}}})
	mustReject(t, atkOld, p, ErrMalformed)
}

func TestApplyRejectsZeroProgressRecords(t *testing.T) {
	// A million (seek 0, add 0, copy 0) records: rejected at the first,
	// quickly, and the record count cannot exceed the block's output.
	recs := make([]rawRecord, 1<<20)
	recs[len(recs)-1] = rawRecord{add: 2}
	start := time.Now()
	p := craftPatch(atkOld, []byte("01"), craftBlock{newLen: 2, records: recs})
	mustReject(t, atkOld, p, ErrMalformed)
	p = craftPatch(atkOld, []byte("01"), craftBlock{newLen: 2, records: []rawRecord{{}, {add: 2}}})
	mustReject(t, atkOld, p, ErrMalformed)
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
	// An empty block (no output) is rejected too.
	p = craftPatch(atkOld, []byte("01"), craftBlock{newLen: 0, records: []rawRecord{{add: 2}}})
	mustReject(t, atkOld, p, ErrMalformed)
}

// bombPatch declares a 4-byte extra stream whose compressed form (codec c)
// expands to far more (256 MiB for zstd).
func bombPatch(t *testing.T, c Codec) []byte {
	var bomb []byte
	switch c {
	case CodecZstd:
		// Small window, huge content: only an output cap stops it.
		enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithWindowSize(1<<16), zstd.WithSingleSegment(false), zstd.WithZeroFrames(true))
		bomb = enc.EncodeAll(make([]byte, 256<<20), nil)
		enc.Close()
	case CodecLZMA2:
		var err error
		// (Go LZMA is slow to make 256 MiB; 32 MiB against 2 MiB of
		// declared memory is the same attack.)
		if bomb, err = lzmaCompress(make([]byte, 32<<20), lzmaDefault); err != nil {
			t.Fatal(err)
		}
	}
	if len(bomb) > 256<<10 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	h := Header{Version: 1, Codecs: 1<<CodecStored | 1<<c,
		OldSize: int64(len(atkOld)), NewSize: 4, ApplyMemory: 2 << 20}
	h.OldDigest = sha256.Sum256(atkOld)
	p := headerBytes(h)
	ctrl := []byte{0, 0, 4} // seek 0, add 0, copy 4
	p = binary.AppendUvarint(p, 4)
	p = binary.AppendUvarint(p, 1)
	p = append(p, 0, byte(c)<<6)
	p = append(p, byte(len(ctrl)), 0, 0, 4)
	p = binary.AppendUvarint(p, uint64(len(bomb)))
	p = append(p, ctrl...)
	return append(p, bomb...)
}

func TestApplyRejectsDecompressionBomb(t *testing.T) {
	for _, c := range []Codec{CodecZstd, CodecLZMA2} {
		t.Run(c.String(), func(t *testing.T) {
			p := bombPatch(t, c)
			var before, after runtimeMem
			before.read()
			start := time.Now()
			mustReject(t, atkOld, p, ErrLimit)
			after.read()
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("bomb took %v", d)
			}
			if grew := after.totalAlloc - before.totalAlloc; grew > 4<<20 {
				t.Fatalf("allocated %d bytes decoding a bomb", grew)
			}
		})
	}
}

func TestApplyRejectsMemoryAboveLimit(t *testing.T) {
	h := Header{Version: 1, Codecs: 1, OldSize: int64(len(atkOld)), NewSize: 1, ApplyMemory: 1 << 40}
	h.OldDigest = sha256.Sum256(atkOld)
	mustReject(t, atkOld, headerBytes(h), ErrLimit)
	// A block that needs more than the header declares.
	p := craftPatch(atkOld, []byte("a"), craftBlock{newLen: 1, records: []rawRecord{{copy: 1}}, extra: make([]byte, 2<<20)})
	mustReject(t, atkOld, p, ErrLimit)
	// A huge declared new size is refused before any allocation.
	h = Header{Version: 1, Codecs: 1, OldSize: int64(len(atkOld)), NewSize: 1 << 50, ApplyMemory: 1 << 20}
	mustReject(t, atkOld, headerBytes(h), ErrLimit)
}

func TestApplyRejectsNewDigestMismatch(t *testing.T) {
	p := craftPatch(atkOld, []byte("0124"), craftBlock{newLen: 4, records: []rawRecord{{add: 4}}})
	mustReject(t, atkOld, p, ErrDigestMismatch)
}

func TestApplyRejectsDiffOutsideAddRuns(t *testing.T) {
	// A gap that points past the add run, into the extra bytes.
	p := craftPatch(atkOld, []byte("01XY"), craftBlock{newLen: 4,
		records: []rawRecord{{add: 2, copy: 2}}, gaps: []byte{3}, values: []byte{1}, extra: []byte("XY")})
	mustReject(t, atkOld, p, ErrMalformed)
	// A zero value, and more values than gaps.
	p = craftPatch(atkOld, []byte("01"), craftBlock{newLen: 2, records: []rawRecord{{add: 2}}, gaps: []byte{0}, values: []byte{0}})
	mustReject(t, atkOld, p, ErrMalformed)
	p = craftPatch(atkOld, []byte("01"), craftBlock{newLen: 2, records: []rawRecord{{add: 2}}, values: []byte{1}})
	mustReject(t, atkOld, p, ErrMalformed)
}

func TestApplyRejectsTruncatedAndTrailingPatch(t *testing.T) {
	old := bytes.Repeat([]byte("firmware "), 200)
	new := append(bytes.Clone(old[:900]), []byte("patched!")...)
	new = append(new, old[900:]...)
	var pb bytes.Buffer
	if err := diffcore.Diff(context.Background(), old, new, &pb, &diffcore.Options{FastCompression: true}); err != nil {
		t.Fatal(err)
	}
	patch := pb.Bytes()
	for cut := 0; cut < len(patch); cut++ {
		mustReject(t, old, patch[:cut], ErrMalformed)
	}
	mustReject(t, old, append(bytes.Clone(patch), 0), ErrMalformed)
}

func TestApplyRejectsUnknownVersionAndCodec(t *testing.T) {
	p := craftPatch(atkOld, []byte("01"), craftBlock{newLen: 2, records: []rawRecord{{add: 2}}})
	bad := bytes.Clone(p)
	bad[4] = FormatVersion + 1
	mustReject(t, atkOld, bad, ErrUnsupported)
	bad = bytes.Clone(p)
	bad[5] = 0x80
	mustReject(t, atkOld, bad, ErrUnsupported)
	bad = bytes.Clone(p)
	bad[0] = 'X'
	mustReject(t, atkOld, bad, ErrMalformed)
}

func TestApplyRejectsBlockAboveDeclaredMemory(t *testing.T) {
	// Header declares no memory at all; any block then exceeds it.
	h := Header{Version: 1, Codecs: 1<<CodecStored | 1<<CodecZstd, OldSize: int64(len(atkOld)), NewSize: 2}
	h.OldDigest = sha256.Sum256(atkOld)
	p := headerBytes(h)
	p = append(p, 2, 1, 0, 0, 3, 0, 0, 0, 0, 2, 0)
	mustReject(t, atkOld, p, ErrLimit)
}

func TestApplyRejectsInconsistentBlockLayout(t *testing.T) {
	for _, layout := range []byte{
		format.LayoutOrdered, // ordered values without word coding
		format.LayoutArith,   // arithmetic without word coding
		format.LayoutWords | format.LayoutArith | format.LayoutArith16,  // two arithmetic widths
		format.LayoutWords | format.LayoutA64,                           // AArch64 form without word arithmetic
		format.LayoutWords | format.LayoutArith16 | format.LayoutSigned, // signed words with halfwords
		format.LayoutSigned,                     // signed words without word coding
		format.LayoutUnits | format.LayoutWords, // unit and word coding
		format.LayoutUnits | format.LayoutArith, // arithmetic without word coding
	} {
		p := craftPatch(atkOld, []byte("01"), craftBlock{newLen: 2, records: []rawRecord{{add: 2}}})
		// The layout byte follows the two header varints of the block.
		h, _ := ReadHeader(bytes.NewReader(p))
		off := len(headerBytes(h)) + 2
		p[off] = layout
		mustReject(t, atkOld, p, ErrMalformed)
	}
}
