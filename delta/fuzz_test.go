package delta

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"testing/iotest"
)

// fuzzLimits are tight so the fuzzer exercises the limit paths and its
// memory stays small.
var checkAllocs = os.Getenv("DC_NOALLOC") == ""

var fuzzLimits = &Limits{MaxMemory: 2 << 20, MaxNewSize: 1 << 20}

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

func addApplySeeds(f *testing.F) {
	rng := rand.New(rand.NewPCG(31, 32))
	for i := 0; i < 6; i++ {
		old := coreRandom(rng, 200+rng.IntN(3000))
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
		if err := Diff(old, new, &p, &DiffOptions{FastCompression: i%2 == 0}); err != nil {
			f.Fatal(err)
		}
		f.Add(old, p.Bytes())
	}
	// The AArch64 and unit codings, forced (automatic choice may not
	// pick them on small inputs).
	old, new := aarch64LikePair(9, 2000)
	for _, coding := range []int{codingArithA64Lanes, codingArithA64Ordered, codingUnitLanes, codingUnitOrdered} {
		var p bytes.Buffer
		if err := Diff(old, new, &p, &DiffOptions{FastCompression: true, forceCoding: coding}); err != nil {
			f.Fatal(err)
		}
		f.Add(old, p.Bytes())
	}
	f.Add(atkOld, craftPatch(atkOld, []byte("0124XY"), craftBlock{newLen: 6,
		records: []rawRecord{{seek: 0, add: 4, copy: 2}},
		gaps:    []byte{3}, values: []byte{1}, extra: []byte("XY")}))
	f.Add([]byte{}, []byte(Magic))
}

// FuzzApply feeds arbitrary old images and patches to Apply under tight
// limits. Properties: no panic; never more output than the header
// declares; success implies exactly NewSize bytes with the declared
// SHA-256; every error matches a package sentinel; applying through a
// one-byte reader gives the same output and the same error class; the
// allocation per call stays bounded by the limits.
func FuzzApply(f *testing.F) {
	addApplySeeds(f)
	f.Fuzz(func(t *testing.T, old, patch []byte) {
		h, herr := ReadHeader(bytes.NewReader(patch))
		declared := int64(fuzzLimits.MaxNewSize)
		if herr == nil && h.NewSize >= 0 && h.NewSize < declared {
			declared = h.NewSize
		}
		w := &limitWriter{t: t, max: declared}
		var before, after runtimeMem
		if checkAllocs {
			before.read()
		}
		err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), w, fuzzLimits)
		if checkAllocs {
			after.read()
			if grew := after.totalAlloc - before.totalAlloc; grew > 64<<20 {
				t.Fatalf("Apply allocated %d bytes under a %d-byte memory limit", grew, fuzzLimits.MaxMemory)
			}
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

// FuzzDiffApply is a differential fuzz of the whole pipeline: for any two
// inputs, Apply(old, Diff(old, new)) == new, and the bsdiff-style controls
// rebuild new too.
func FuzzDiffApply(f *testing.F) {
	f.Add([]byte("hello, firmware v1"), []byte("hello, firmware v2!"))
	f.Add(bytes.Repeat([]byte{0}, 300), bytes.Repeat([]byte{0xff}, 200))
	f.Add([]byte{}, []byte("new"))
	f.Add([]byte("old"), []byte{})
	rng := rand.New(rand.NewPCG(41, 42))
	old := coreRandom(rng, 2000)
	f.Add(old, coreMutate(rng, old, 10))
	f.Fuzz(func(t *testing.T, old, new []byte) {
		if len(old) > 1<<16 || len(new) > 1<<16 {
			return
		}
		var p bytes.Buffer
		opts := &DiffOptions{FastCompression: len(new)%8 != 0}
		if err := Diff(old, new, &p, opts); err != nil {
			t.Fatalf("Diff: %v", err)
		}
		var out bytes.Buffer
		if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, nil); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if !bytes.Equal(out.Bytes(), new) {
			t.Fatal("Apply(Diff(old, new)) != new")
		}
		ctrl, err := computeControls(old, new, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkControls(t, old, new, ctrl)
	})
}
