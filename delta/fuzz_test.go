package delta

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// fuzzLimits are tight so the fuzzer exercises the limit paths and its
// memory stays small.
var fuzzLimits = &Limits{MaxMemory: 2 << 20, MaxNewSize: 1 << 20}

// The delta fuzz targets run at full speed with (see doc.go):
//
//	go test ./delta -run '^$' -fuzz '^FuzzApply$' -fuzzminimizetime=10x -fuzztime=60s
//
// The seeds are a few hundred bytes: the fuzzing engine minimizes every
// new interesting input (by default for up to 60 s each), which on
// multi-KB old/patch pairs left FuzzApply at 16 execs and then 0/s; with
// small seeds and -fuzzminimizetime=10x it spends its time fuzzing.

// limitWriter fails the test if more than max bytes are written.
type limitWriter struct {
	t   *testing.T
	max int64
	buf bytes.Buffer
}

func (w *limitWriter) Write(b []byte) (int, error) {
	if int64(w.buf.Len()+len(b)) > w.max {
		w.t.Fatalf("applier wrote %d bytes past the declared %d", int64(w.buf.Len()+len(b))-w.max, w.max)
	}
	return w.buf.Write(b)
}

// applySeeds returns FuzzApply's seed corpus: old image and patch pairs.
func applySeeds(tb testing.TB) (seeds [][2][]byte) {
	add := func(old, patch []byte) { seeds = append(seeds, [2][]byte{old, patch}) }
	rng := rand.New(rand.NewPCG(31, 32))
	for i := 0; i < 6; i++ {
		old := coreRandom(rng, 64+rng.IntN(448))
		new := coreMutate(rng, old, 1+rng.IntN(20))
		if i%3 == 0 {
			// Aligned pointer-like edits exercise the word codings.
			new = bytes.Clone(old)
			for p := 0; p+4 <= len(new); p += 64 {
				new[p+1] += 4
			}
		}
		if i%3 == 1 {
			// Moved pointers (32-bit adds with carries): word arithmetic.
			new = bytes.Clone(old)
			for p := 0; p+4 <= len(new); p += 32 {
				binary.LittleEndian.PutUint32(new[p:], binary.LittleEndian.Uint32(new[p:])+0x1f0)
			}
		}
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, new, &p, &diffcore.Options{FastCompression: i%2 == 0}); err != nil {
			tb.Fatal(err)
		}
		add(old, p.Bytes())
	}
	// The AArch64 and unit codings, forced (automatic choice may not
	// pick them on small inputs).
	old, new := aarch64LikePair(9, 512)
	for _, coding := range []int{diffcore.CodingArithA64Lanes, diffcore.CodingArithA64Ordered, diffcore.CodingUnitLanes, diffcore.CodingUnitOrdered} {
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, new, &p, &diffcore.Options{FastCompression: true, ForceCoding: coding}); err != nil {
			tb.Fatal(err)
		}
		add(old, p.Bytes())
	}
	// Format version 2: the instruction unit coding of every instruction
	// set, relative and absolute.
	for c := 0; c < 2*(format.NumISAs-1); c++ {
		old, new := codeLikePair(uint8(1+c/2), 5, 400)
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, new, &p, &diffcore.Options{FastCompression: true, ForceCoding: diffcore.CodingInstr + c}); err != nil {
			tb.Fatal(err)
		}
		add(old, p.Bytes())
	}
	add(atkOld, craftPatch(atkOld, []byte("0124XY"), craftBlock{newLen: 6,
		records: []rawRecord{{seek: 0, add: 4, copy: 2}},
		gaps:    []byte{3}, values: []byte{1}, extra: []byte("XY")}))
	add([]byte{}, []byte(Magic))
	// Extreme values in integer slots (intslots_test.go).
	for _, s := range []struct {
		slot string
		v    uint64
	}{{"seek", 1 << 63}, {"seek", math.MaxInt64 - 1}, {"add", math.MaxUint64}, {"copy", math.MaxInt64 + 1},
		{"new size", math.MaxInt64}, {"record count", math.MaxUint64}, {"apply memory", math.MaxInt64}, {"extra length", math.MaxInt64}} {
		add(atkOld, intSlotPatch(s.slot, s.v))
	}
	return seeds
}

// FuzzApply feeds arbitrary old images and patches to Apply under tight
// limits. Properties: no panic; never more output than the header
// declares; success implies exactly NewSize bytes with the declared
// SHA-256; every error matches a package sentinel; applying through a
// one-byte reader gives the same output and the same error class; the
// allocation per call stays within twice the memory limit (the block
// buffer grows geometrically up to the declared memory) plus a constant
// per patch byte and per output byte (decoder state per stream or LZMA2
// chunk, LZMA2 dictionaries of the declared lengths): no stream, however
// compressed, allocates past what it declares.
func FuzzApply(f *testing.F) {
	for _, s := range applySeeds(f) {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, old, patch []byte) {
		h, herr := ReadHeader(bytes.NewReader(patch))
		declared := int64(fuzzLimits.MaxNewSize)
		if herr == nil && h.NewSize >= 0 && h.NewSize < declared {
			declared = h.NewSize
		}
		w := &limitWriter{t: t, max: declared}
		var before, after runtimeMem
		before.read()
		err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), w, fuzzLimits)
		after.read()
		// Per patch byte: decoder state per stream, and LZMA2's decoder
		// allocates fresh probability tables (up to 24 KB) at each chunk
		// that resets its state, a few bytes of patch each: garbage at
		// once, but counted by TotalAlloc.
		perByte := int64(4096)
		if herr == nil && h.UsesCodec(CodecLZMA2) {
			perByte = 64 << 10
		}
		bound := 2*fuzzLimits.MaxMemory + format.FixedApplyMemory + perByte*int64(len(patch)) + 128*declared
		if grew := after.totalAlloc - before.totalAlloc; grew > uint64(bound) {
			t.Fatalf("Apply allocated %d bytes (bound %d) under a %d-byte memory limit", grew, bound, fuzzLimits.MaxMemory)
		}
		if err == nil {
			if herr != nil {
				t.Fatalf("Apply succeeded but ReadHeader failed: %v", herr)
			}
			if int64(w.buf.Len()) != h.NewSize || sha256.Sum256(w.buf.Bytes()) != h.NewDigest {
				t.Fatalf("success with %d bytes, declared %d / digest mismatch", w.buf.Len(), h.NewSize)
			}
		} else if !isSentinel(err) {
			t.Fatalf("error matches no sentinel: %v", err)
		}
		w2 := &limitWriter{t: t, max: declared}
		err2 := Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), w2, fuzzLimits)
		if (err == nil) != (err2 == nil) || !bytes.Equal(w.buf.Bytes(), w2.buf.Bytes()) {
			t.Fatalf("streaming apply differs: %v vs %v", err, err2)
		}
		if err != nil && sentinelOf(err) != sentinelOf(err2) {
			t.Fatalf("streaming apply error class differs: %v vs %v", err, err2)
		}
	})
}

var sentinels = []error{ErrMalformed, ErrUnsupported, ErrLimit, ErrOldImageMismatch, ErrDigestMismatch}

func sentinelOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

func isSentinel(err error) bool { return sentinelOf(err) != nil }

// The fuzzing engine minimizes every new interesting input, which on
// multi-KB seeds stalled FuzzApply (16 execs, then 0/s): the seeds stay
// small, and every one of them applies or is rejected as malformed or
// over a limit (the extreme integer-slot seeds).
func TestFuzzApplySeedsAreSmall(t *testing.T) {
	for i, s := range applySeeds(t) {
		if n := len(s[0]) + len(s[1]); n > 1536 {
			t.Errorf("seed %d: old+patch %d bytes, keep seeds under 1.5 KB", i, n)
		}
		var out bytes.Buffer
		err := Apply(bytes.NewReader(s[0]), int64(len(s[0])), bytes.NewReader(s[1]), &out, fuzzLimits)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}
