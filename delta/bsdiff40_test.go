package delta

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

func testBSLimits() *bsLimits {
	return &bsLimits{maxNewSize: 64 << 20, maxBuffered: 16 << 20, maxIdle: 16}
}

// naiveBSRecords is a tiny control generator for tests: it cuts new into
// random add/copy runs and seeks to random places in old. It makes valid but
// poor patches, which is all the encoder and the appliers need.
func naiveBSRecords(oldB, newB []byte, rng *rand.Rand) []control {
	var recs []control
	var oldPos, newPos int64
	oldLen, newLen := int64(len(oldB)), int64(len(newB))
	for newPos < newLen {
		left := newLen - newPos
		var r control
		if m := min(left, oldLen-oldPos); m > 0 {
			r.add = rng.Int64N(m + 1)
		}
		r.copy = rng.Int64N(left - r.add + 1)
		if r.add == 0 && r.copy == 0 {
			r.copy = 1
		}
		oldPos += r.add
		newPos += r.add + r.copy
		// Seek anywhere in [0, oldLen], usually near the aligned position.
		target := min(max(newPos+rng.Int64N(9)-4, 0), oldLen)
		if rng.IntN(4) == 0 {
			target = rng.Int64N(oldLen + 1)
		}
		r.seek = target - oldPos
		oldPos = target
		recs = append(recs, r)
	}
	return recs
}

// alignedBSRecords is the simplest valid control list: diff against old at
// the same offsets, then the rest of new as extra.
func alignedBSRecords(oldB, newB []byte) []control {
	n := int64(min(len(oldB), len(newB)))
	if len(newB) == 0 {
		return nil
	}
	return []control{{add: n, copy: int64(len(newB)) - n}}
}

func mutate(b []byte, rng *rand.Rand, edits int) []byte {
	out := append([]byte(nil), b...)
	for range edits {
		if len(out) == 0 {
			out = append(out, byte(rng.IntN(256)))
			continue
		}
		i := rng.IntN(len(out))
		switch rng.IntN(4) {
		case 0: // change a byte
			out[i] += byte(1 + rng.IntN(255))
		case 1: // insert a few bytes
			ins := make([]byte, 1+rng.IntN(16))
			for j := range ins {
				ins[j] = byte(rng.IntN(256))
			}
			out = append(out[:i], append(ins, out[i:]...)...)
		case 2: // delete a few bytes
			out = append(out[:i], out[min(len(out), i+1+rng.IntN(16)):]...)
		case 3: // add a small constant to a 4-byte "pointer"
			for j := i; j < min(len(out), i+4); j++ {
				out[j] += 4
			}
		}
	}
	return out
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// applyBothWays applies patch with the io.ReaderAt and the io.Reader
// appliers and checks that they agree.
func applyBothWays(t *testing.T, oldB, patch []byte, lim *bsLimits) ([]byte, error) {
	t.Helper()
	var outAt, outR bytes.Buffer
	nAt, errAt := applyBSDIFF40At(bytes.NewReader(oldB), int64(len(oldB)), bytes.NewReader(patch), int64(len(patch)), &outAt, lim)
	nR, errR := applyBSDIFF40(bytes.NewReader(oldB), int64(len(oldB)), bytes.NewReader(patch), &outR, lim)
	if (errAt == nil) != (errR == nil) {
		t.Fatalf("ReaderAt applier err=%v, Reader applier err=%v", errAt, errR)
	}
	if errAt == nil && !bytes.Equal(outAt.Bytes(), outR.Bytes()) {
		t.Fatalf("ReaderAt and Reader appliers produced different output")
	}
	if nAt != int64(outAt.Len()) || nR != int64(outR.Len()) {
		t.Fatalf("reported %d/%d bytes, wrote %d/%d", nAt, nR, outAt.Len(), outR.Len())
	}
	return outAt.Bytes(), errAt
}

func TestBSDIFF40OfftinOfftoutRoundTrip(t *testing.T) {
	var b [8]byte
	for _, v := range []int64{0, 1, -1, 255, -256, 1 << 40, -(1 << 40), 1<<63 - 1, -(1<<63 - 1)} {
		format.PutOfft(v, b[:])
		if got := offtin(b[:]); got != v {
			t.Errorf("offtin(format.PutOfft(%d)) = %d", v, got)
		}
	}
	// Sign-magnitude, not two's complement: -1 is 0x01 ... 0x80.
	format.PutOfft(-1, b[:])
	if b != [8]byte{1, 0, 0, 0, 0, 0, 0, 0x80} {
		t.Errorf("format.PutOfft(-1) = % x", b)
	}
	// Negative zero decodes as zero.
	if got := offtin([]byte{0, 0, 0, 0, 0, 0, 0, 0x80}); got != 0 {
		t.Errorf("offtin(-0) = %d", got)
	}
}

func TestBSDIFF40RoundTripRandomAndMutated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name     string
		old, new []byte
	}{
		{"both empty", nil, nil},
		{"empty old", nil, randomBytes(rng, 1000)},
		{"empty new", randomBytes(rng, 1000), nil},
		{"identical", bytes.Repeat([]byte("firmware"), 500), bytes.Repeat([]byte("firmware"), 500)},
		{"unrelated random", randomBytes(rng, 5000), randomBytes(rng, 7000)},
		{"all zeros to all 0xff", make([]byte, 100000), bytes.Repeat([]byte{0xff}, 90000)},
	}
	for i := range 8 {
		old := randomBytes(rng, 1+rng.IntN(200000))
		cases = append(cases, struct {
			name     string
			old, new []byte
		}{"mutated " + string(rune('a'+i)), old, mutate(old, rng, 1+rng.IntN(200))})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, recs := range [][]control{alignedBSRecords(c.old, c.new), naiveBSRecords(c.old, c.new, rng)} {
				var patch bytes.Buffer
				if err := encodeBSDIFF40(&patch, c.old, c.new, recs); err != nil {
					t.Fatal(err)
				}
				if !IsBSDIFF40(patch.Bytes()) {
					t.Fatal("patch lacks the BSDIFF40 magic")
				}
				got, err := applyBothWays(t, c.old, patch.Bytes(), testBSLimits())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, c.new) {
					t.Fatalf("applied patch gives %d bytes != new (%d bytes)", len(got), len(c.new))
				}
			}
		})
	}
}

func TestBSDIFF40EncoderRejectsInvalidControls(t *testing.T) {
	old, nw := []byte("0123456789"), []byte("abcdefghij")
	for name, recs := range map[string][]control{
		"too short":        {{add: 5}},
		"too long":         {{add: 10, copy: 1}},
		"add past old":     {{add: 3, seek: 7}, {add: 4, copy: 3}},
		"negative copy":    {{add: 10, copy: -1}, {copy: 1}},
		"seek before old":  {{add: 2, seek: -3}, {copy: 8}},
		"seek past old":    {{add: 2, seek: 9}, {copy: 8}},
		"negative add run": {{add: -1, copy: 11}},
	} {
		if err := encodeBSDIFF40(&bytes.Buffer{}, old, nw, recs); !errors.Is(err, diffcore.ErrBSControls) {
			t.Errorf("%s: err = %v, want diffcore.ErrBSControls", name, err)
		}
	}
}

func TestBSDIFF40PublicAppliersHonourLimits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	old := randomBytes(rng, 50000)
	nw := mutate(old, rng, 50)
	var patch bytes.Buffer
	if err := diffcore.WriteBSDIFF40(context.Background(), &patch, old, nw, nil); err != nil {
		t.Fatal(err)
	}
	p := patch.Bytes()
	apply := func(lim *Limits) (out []byte, errR, errAt error) {
		var a, b bytes.Buffer
		errR = ApplyBSDIFF40(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p), &a, lim)
		errAt = ApplyBSDIFF40At(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p), int64(len(p)), &b, lim)
		if errR == nil && errAt == nil && !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("appliers disagree")
		}
		return a.Bytes(), errR, errAt
	}
	if got, errR, errAt := apply(nil); errR != nil || errAt != nil || !bytes.Equal(got, nw) {
		t.Fatalf("default limits: %v, %v", errR, errAt)
	}
	// New image larger than MaxNewSize.
	if _, errR, errAt := apply(&Limits{MaxNewSize: int64(len(nw)) - 1}); !errors.Is(errR, ErrLimit) || !errors.Is(errAt, ErrLimit) {
		t.Fatalf("MaxNewSize: %v, %v", errR, errAt)
	}
	// Too little memory for three bzip2 decoders.
	if _, errR, errAt := apply(&Limits{MaxMemory: 1 << 20}); !errors.Is(errR, ErrLimit) || !errors.Is(errAt, ErrLimit) {
		t.Fatalf("MaxMemory: %v, %v", errR, errAt)
	}
	// Enough for the decoders but not for buffering ctrl+diff: only the
	// io.Reader applier needs the buffer.
	tight := &Limits{MaxMemory: 3*bsDecoderMemory + bsFixedMemory + 10}
	if _, errR, errAt := apply(tight); !errors.Is(errR, ErrLimit) || errAt != nil {
		t.Fatalf("tight MaxMemory: Reader %v, ReaderAt %v", errR, errAt)
	}
}
