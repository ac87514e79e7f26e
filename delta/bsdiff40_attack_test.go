package delta

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// bsRaw builds a BSDIFF40 patch from raw parts without any validation, the
// way an attacker would.
type bsRaw struct {
	newSize            int64
	recs               []control
	diff, extra        []byte
	ctrlLen, diffLen   *int64 // header overrides
	ctrlZ, diffZ, extZ []byte // compressed-stream overrides
}

func (p bsRaw) build(t testing.TB) []byte {
	t.Helper()
	z := func(override []byte, produce func(io.Writer) error) []byte {
		if override != nil {
			return override
		}
		var b bytes.Buffer
		if err := diffcore.BSCompress(&b, produce); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	ctrl := z(p.ctrlZ, func(w io.Writer) error {
		var rec [bsRecordSize]byte
		for _, r := range p.recs {
			format.PutOfft(r.add, rec[:])
			format.PutOfft(r.copy, rec[8:])
			format.PutOfft(r.seek, rec[16:])
			w.Write(rec[:])
		}
		return nil
	})
	diff := z(p.diffZ, func(w io.Writer) error { _, err := w.Write(p.diff); return err })
	extra := z(p.extZ, func(w io.Writer) error { _, err := w.Write(p.extra); return err })
	hdr := make([]byte, bsHeaderSize)
	copy(hdr, BSDIFF40Magic)
	cl, dl := int64(len(ctrl)), int64(len(diff))
	if p.ctrlLen != nil {
		cl = *p.ctrlLen
	}
	if p.diffLen != nil {
		dl = *p.diffLen
	}
	format.PutOfft(cl, hdr[8:])
	format.PutOfft(dl, hdr[16:])
	format.PutOfft(p.newSize, hdr[24:])
	return bytes.Join([][]byte{hdr, ctrl, diff, extra}, nil)
}

// limitedWriter fails the test if more than max bytes are written.
type limitedWriter struct {
	t   *testing.T
	max int64
	n   int64
}

func (w *limitedWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	if w.n > w.max {
		w.t.Fatalf("applier wrote %d bytes, more than the %d declared", w.n, w.max)
	}
	return len(b), nil
}

// expectRejected applies patch both ways and requires the given sentinel
// and no more output than the header declares.
func expectRejected(t *testing.T, oldB, patch []byte, lim *bsLimits, want error) {
	t.Helper()
	declared := int64(0)
	if len(patch) >= bsHeaderSize {
		declared = max(offtin(patch[24:]), 0)
	}
	_, errAt := applyBSDIFF40At(bytes.NewReader(oldB), int64(len(oldB)), bytes.NewReader(patch), int64(len(patch)), &limitedWriter{t: t, max: declared}, lim)
	_, errR := applyBSDIFF40(bytes.NewReader(oldB), int64(len(oldB)), bytes.NewReader(patch), &limitedWriter{t: t, max: declared}, lim)
	for _, err := range []error{errAt, errR} {
		if !errors.Is(err, want) {
			t.Fatalf("err = %v, want %v", err, want)
		}
		var pe *PatchError
		if !errors.As(err, &pe) || pe.What == "" {
			t.Fatalf("err = %v is not a *PatchError that says what was wrong", err)
		}
	}
}

var bsOld = []byte("0123456789abcdefghij") // 20 bytes

func TestBSDIFF40NegativeAddLength(t *testing.T) {
	p := bsRaw{newSize: 4, recs: []control{{add: -4, copy: 8}}, extra: []byte("xxxxxxxx")}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
}

func TestBSDIFF40NegativeCopyLength(t *testing.T) {
	p := bsRaw{newSize: 4, recs: []control{{add: 8, copy: -4}}, diff: make([]byte, 8)}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
}

func TestBSDIFF40SeekBeforeOldStart(t *testing.T) {
	p := bsRaw{newSize: 8, recs: []control{{add: 4, seek: -5}, {add: 4}}, diff: make([]byte, 8)}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
}

func TestBSDIFF40SeekPastOldEnd(t *testing.T) {
	p := bsRaw{newSize: 8, recs: []control{{add: 4, seek: 17}, {add: 4}}, diff: make([]byte, 8)}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
}

func TestBSDIFF40SeekOverflowsInt64(t *testing.T) {
	p := bsRaw{newSize: 8, recs: []control{{add: 4, seek: 1<<63 - 1}, {add: 4}}, diff: make([]byte, 8)}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
}

func TestBSDIFF40AddReadsPastOldEnd(t *testing.T) {
	p := bsRaw{newSize: 24, recs: []control{{add: 24}}, diff: make([]byte, 24)}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
}

func TestBSDIFF40OutputPastDeclaredSize(t *testing.T) {
	// add+copy of 1<<62 each would overflow a naive newPos+add+copy check.
	for _, r := range []control{{add: 4, copy: 5}, {add: 1 << 62, copy: 1 << 62}, {copy: 1<<63 - 1}} {
		p := bsRaw{newSize: 8, recs: []control{r}, diff: make([]byte, 4), extra: make([]byte, 5)}.build(t)
		expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
	}
}

func TestBSDIFF40EndlessZeroProgressRecords(t *testing.T) {
	recs := make([]control, 1_000_000) // 24 MB of zero triples, compresses to a few bytes
	p := bsRaw{newSize: 1, recs: recs, extra: []byte{1}}.build(t)
	start := time.Now()
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("rejecting zero-progress records took %v", d)
	}
}

func TestBSDIFF40ExtraStreamBomb(t *testing.T) {
	// 64 MiB of zeros compress to ~100 bytes; the patch declares 16 bytes.
	// The applier must stop after 16 bytes plus one, not inflate the bomb.
	bomb := make([]byte, 64<<20)
	var z bytes.Buffer
	if err := diffcore.BSCompress(&z, func(w io.Writer) error { _, err := w.Write(bomb); return err }); err != nil {
		t.Fatal(err)
	}
	p := bsRaw{newSize: 16, recs: []control{{copy: 16}}, extZ: z.Bytes()}.build(t)
	start := time.Now()
	expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("rejecting the bomb took %v", d)
	}
}

func TestBSDIFF40DeclaredNewSizeOverLimit(t *testing.T) {
	p := bsRaw{newSize: 1 << 40, recs: []control{{copy: 1 << 40}}}.build(t)
	expectRejected(t, bsOld, p, testBSLimits(), ErrLimit)
}

func TestBSDIFF40BufferedBlocksOverLimit(t *testing.T) {
	// The io.Reader applier must buffer ctrl+diff; a header that declares
	// more than the cap is refused before anything is allocated.
	big := int64(1 << 40)
	p := bsRaw{newSize: 4, recs: []control{{copy: 4}}, extra: []byte("abcd"), diffLen: &big}.build(t)
	_, err := applyBSDIFF40(bytes.NewReader(bsOld), int64(len(bsOld)), bytes.NewReader(p), io.Discard, testBSLimits())
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Reader applier: err = %v, want ErrLimit", err)
	}
	// The ReaderAt applier sees the blocks do not fit the patch.
	_, err = applyBSDIFF40At(bytes.NewReader(bsOld), int64(len(bsOld)), bytes.NewReader(p), int64(len(p)), io.Discard, testBSLimits())
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("ReaderAt applier: err = %v, want ErrMalformed", err)
	}
}

func TestBSDIFF40HeaderAttacks(t *testing.T) {
	good := bsRaw{newSize: 4, recs: []control{{copy: 4}}, extra: []byte("abcd")}.build(t)
	neg := int64(-1)
	cases := map[string][]byte{
		"empty":              nil,
		"short header":       good[:20],
		"bad magic":          append([]byte("BSDIFF41"), good[8:]...),
		"negative ctrl len":  bsRaw{newSize: 4, recs: []control{{copy: 4}}, extra: []byte("abcd"), ctrlLen: &neg}.build(t),
		"negative diff len":  bsRaw{newSize: 4, recs: []control{{copy: 4}}, extra: []byte("abcd"), diffLen: &neg}.build(t),
		"negative new size":  bsRaw{newSize: -4, recs: []control{{copy: 4}}, extra: []byte("abcd")}.build(t),
		"truncated blocks":   good[:bsHeaderSize+10],
		"truncated extra":    good[:len(good)-5],
		"no extra stream":    good[:bsHeaderSize+offtin(good[8:])+offtin(good[16:])],
		"flipped ctrl byte":  flipByte(good, bsHeaderSize+20),
		"ctrl not bzip2":     bsRaw{newSize: 4, recs: []control{{copy: 4}}, extra: []byte("abcd"), ctrlZ: []byte("BZh9 not really")}.build(t),
		"trailing ctrl data": bsRaw{newSize: 4, recs: []control{{copy: 4}, {copy: 4}}, extra: []byte("abcd")}.build(t),
		"trailing extra":     bsRaw{newSize: 4, recs: []control{{copy: 4}}, extra: []byte("abcdefgh")}.build(t),
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			expectRejected(t, bsOld, p, testBSLimits(), ErrMalformed)
		})
	}
	// The untouched patch applies.
	got, err := applyBothWays(t, bsOld, good, testBSLimits())
	if err != nil || string(got) != "abcd" {
		t.Fatalf("good patch: %q, %v", got, err)
	}
}

func flipByte(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x55
	return out
}

func TestBSDIFF40OldImageShorterThanDeclared(t *testing.T) {
	p := bsRaw{newSize: 20, recs: []control{{add: 20}}, diff: make([]byte, 20)}.build(t)
	// The caller claims 20 bytes of old but the reader holds 10: an I/O
	// problem of the caller, reported as io.ErrUnexpectedEOF.
	_, err := applyBSDIFF40At(bytes.NewReader(bsOld[:10]), 20, bytes.NewReader(p), int64(len(p)), io.Discard, testBSLimits())
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestBSDIFF40BitFlipsNeverYieldWrongOutput: BSDIFF40 has no digest, so the
// applier's guarantee for a damaged patch is that it is rejected or (when
// the flip hits bits that carry no information, such as bzip2's final
// padding) still rebuilds exactly the new image; never different output.
func TestBSDIFF40BitFlipsNeverYieldWrongOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	old := randomBytes(rng, 4000)
	nw := mutate(old, rng, 40)
	var b bytes.Buffer
	if err := diffcore.WriteBSDIFF40(context.Background(), &b, old, nw, nil); err != nil {
		t.Fatal(err)
	}
	patch := b.Bytes()
	rejected := 0
	for range 300 {
		i := rng.IntN(len(patch))
		bad := append([]byte(nil), patch...)
		bad[i] ^= 1 << rng.IntN(8)
		var out bytes.Buffer
		err := ApplyBSDIFF40At(bytes.NewReader(old), int64(len(old)), bytes.NewReader(bad), int64(len(bad)), &out, nil)
		if err != nil {
			rejected++
			continue
		}
		if !bytes.Equal(out.Bytes(), nw) {
			t.Fatalf("flip at byte %d of %d: accepted with wrong output", i, len(patch))
		}
	}
	if rejected < 250 {
		t.Errorf("only %d of 300 bit flips rejected", rejected)
	}
}
