package delta

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// The cost of applying a patch must be bounded by a small constant per
// output byte plus per patch byte, whatever its records (issue 9 item 12).
// These patches are the worst cases found: a few KB of compressed control
// records that each make one output byte.

// zstdRecordsPatch writes a patch of nrec records in blocks of up to
// perBlock records, the control streams zstd-compressed (the records are
// periodic, so they compress to almost nothing), diff and extra streams
// empty (records only add). rec(i) gives record i.
func zstdRecordsPatch(t testing.TB, old, new []byte, nrec, perBlock int, rec func(i int) rawRecord) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithSingleSegment(true))
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var blocks []byte
	var mem int64 = format.FixedApplyMemory
	for i := 0; i < nrec; {
		n := min(perBlock, nrec-i)
		var ctrl []byte
		var newLen uint64
		for k := 0; k < n; k++ {
			ctrl = binary.AppendVarint(ctrl, rec(i+k).seek)
			newLen += rec(i + k).add
		}
		for k := 0; k < n; k++ {
			ctrl = binary.AppendUvarint(ctrl, rec(i+k).add)
		}
		for k := 0; k < n; k++ {
			ctrl = binary.AppendUvarint(ctrl, rec(i+k).copy)
		}
		comp := enc.EncodeAll(ctrl, nil)
		blocks = binary.AppendUvarint(blocks, newLen)
		blocks = binary.AppendUvarint(blocks, uint64(n))
		blocks = append(blocks, 0, byte(CodecZstd))
		blocks = binary.AppendUvarint(blocks, uint64(len(ctrl)))
		blocks = binary.AppendUvarint(blocks, uint64(len(comp)))
		blocks = append(blocks, 0, 0, 0)
		blocks = append(blocks, comp...)
		mem = max(mem, int64(len(ctrl)+len(comp))+format.FixedApplyMemory)
		i += n
	}
	h := Header{Version: 1, Codecs: 1<<CodecStored | 1<<CodecZstd,
		OldSize: int64(len(old)), NewSize: int64(len(new)), ApplyMemory: mem}
	h.OldDigest, h.NewDigest = sha256.Sum256(old), sha256.Sum256(new)
	return append(headerBytes(h), blocks...)
}

// seekBackPatch is the case: against a 1-byte old image, records
// "seek -1, add 1, copy 0" make n bytes.
func seekBackPatch(t testing.TB, n int) (old, new, patch []byte) {
	old = []byte{'A'}
	new = bytes.Repeat(old, n)
	patch = zstdRecordsPatch(t, old, new, n, 1<<20, func(i int) rawRecord {
		if i == 0 {
			return rawRecord{add: 1}
		}
		return rawRecord{seek: -1, add: 1}
	})
	return old, new, patch
}

// jumpPatch alternates add runs of jumpAdd bytes between old offsets 0
// and len(old)/2, so no window of the old image smaller than half of it
// serves two records in a row.
func jumpPatch(t testing.TB, oldSize, n, jumpAdd int) (old, new, patch []byte) {
	old = make([]byte, oldSize)
	for i := range old {
		old[i] = byte(i*7 + i>>8)
	}
	j := int64(oldSize / 2)
	new = make([]byte, n)
	a := int64(jumpAdd)
	for i := range new {
		r := int64(i) / a
		new[i] = old[(r%2)*j+int64(i)%a]
	}
	patch = zstdRecordsPatch(t, old, new, n/jumpAdd, 1<<20, func(i int) rawRecord {
		switch {
		case i == 0:
			return rawRecord{add: uint64(a)}
		case i%2 == 1:
			return rawRecord{seek: j - a, add: uint64(a)}
		}
		return rawRecord{seek: -j - a, add: uint64(a)}
	})
	return old, new, patch
}

// sequentialPatch makes n bytes with one record "add 1" per byte,
// reading old sequentially: the most records per output byte a patch may
// have without jumping.
func sequentialPatch(t testing.TB, n int) (old, new, patch []byte) {
	old = make([]byte, n)
	for i := range old {
		old[i] = byte(i*13 + i>>9)
	}
	return old, old, zstdRecordsPatch(t, old, old, n, 1<<20, func(int) rawRecord { return rawRecord{add: 1} })
}

// countingReaderAt counts ReadAt calls (each one a pread for a file).
type countingReaderAt struct {
	r     io.ReaderAt
	calls int
}

func (c *countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	c.calls++
	return c.r.ReadAt(b, off)
}

// countingWriteCalls counts Write calls (each one a write syscall for a
// file).
type countingWriteCalls struct {
	bytes.Buffer
	calls int
}

func (c *countingWriteCalls) Write(b []byte) (int, error) {
	c.calls++
	return c.Buffer.Write(b)
}

// bsSeekBackPatch is the BSDIFF40 form of seekBackPatch: records (add 1,
// copy 0, seek -1) against a 1-byte old image, idle records of (0, 0, 0)
// between them.
func bsSeekBackPatch(t testing.TB, n, idle int) (old, new, patch []byte) {
	old = []byte{'A'}
	new = bytes.Repeat(old, n)
	recs := make([]control, 0, n*(1+idle))
	for range n {
		for range idle {
			recs = append(recs, control{})
		}
		recs = append(recs, control{add: 1, seek: -1})
	}
	diff := make([]byte, n)
	return old, new, bsRaw{newSize: int64(n), recs: recs, diff: diff}.build(t)
}

// benchApplyCost applies patch with the old image in a file (as the CLI
// does) and reports wall and CPU nanoseconds per output byte.
func benchApplyCost(b *testing.B, old, new, patch []byte, bsdiff bool) {
	b.Helper()
	benchApplyCostErr(b, old, new, patch, bsdiff, false)
}

// benchApplyCostErr is benchApplyCost for a patch that may be rejected
// (the cost is then that of rejecting it, still per declared byte).
func benchApplyCostErr(b *testing.B, old, new, patch []byte, bsdiff, mayReject bool) {
	b.Helper()
	f, err := os.CreateTemp(b.TempDir(), "old")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(old); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(new)))
	start, cpu := time.Now(), processCPU()
	for b.Loop() {
		var err error
		if bsdiff {
			err = ApplyBSDIFF40(f, int64(len(old)), bytes.NewReader(patch), io.Discard, nil)
		} else {
			err = Apply(f, int64(len(old)), bytes.NewReader(patch), io.Discard, nil)
		}
		if err != nil && !mayReject {
			b.Fatal(err)
		}
	}
	per := float64(b.N) * float64(len(new))
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/per, "ns/out-byte")
	b.ReportMetric(float64(processCPU()-cpu)/per, "cpu-ns/out-byte")
	b.ReportMetric(float64(len(patch)), "patch-bytes")
}

// BenchmarkApplyCost compares the cost per output byte of a real patch
// with the worst cases above (see BENCHMARKS.md).
func BenchmarkApplyCost(b *testing.B) {
	const n = 1 << 20
	b.Run("real-esp8266", func(b *testing.B) {
		old, new := loadPair(b, "micropython-esp8266")
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, new, &p, nil); err != nil {
			b.Fatal(err)
		}
		benchApplyCost(b, old, new, p.Bytes(), false)
	})
	b.Run("real-esp8266-bsdiff40", func(b *testing.B) {
		old, new := loadPair(b, "micropython-esp8266")
		var p bytes.Buffer
		if err := diffcore.WriteBSDIFF40(context.Background(), &p, old, new, nil); err != nil {
			b.Fatal(err)
		}
		benchApplyCost(b, old, new, p.Bytes(), true)
	})
	// The patches (rejected now, at a cost per declared byte).
	b.Run("issue-seek-back", func(b *testing.B) {
		old, new, p := seekBackPatch(b, n)
		benchApplyCostErr(b, old, new, p, false, true)
	})
	b.Run("issue-bsdiff40-seek-back", func(b *testing.B) {
		old, new, p := bsSeekBackPatch(b, n, 0)
		benchApplyCostErr(b, old, new, p, true, true)
	})
	b.Run("issue-bsdiff40-idle", func(b *testing.B) {
		old, new, p := bsSeekBackPatch(b, n/16, bsMaxIdle)
		benchApplyCostErr(b, old, new, p, true, true)
	})
	b.Run("jump-1", func(b *testing.B) {
		old, new, p := jumpPatch(b, 1<<20, n, 1)
		benchApplyCostErr(b, old, new, p, false, true)
	})
	// The worst cases that are accepted.
	b.Run("sequential-1", func(b *testing.B) {
		old, new, p := sequentialPatch(b, n)
		benchApplyCost(b, old, new, p, false)
	})
	b.Run("jump-8", func(b *testing.B) {
		old, new, p := jumpPatch(b, 1<<20, n, format.MinJumpAdd)
		benchApplyCost(b, old, new, p, false)
	})
	b.Run("bsdiff40-sequential-1", func(b *testing.B) {
		old := make([]byte, n)
		recs := make([]control, n)
		for i := range recs {
			old[i], recs[i] = byte(i*13+i>>9), control{add: 1}
		}
		p := bsRaw{newSize: n, recs: recs, diff: make([]byte, n)}.build(b)
		benchApplyCost(b, old, old, p, true)
	})
	b.Run("bsdiff40-jump-8", func(b *testing.B) {
		old, new, _ := jumpPatch(b, 1<<20, n, format.MinJumpAdd)
		j, a := int64(len(old)/2), int64(format.MinJumpAdd)
		recs := make([]control, n/format.MinJumpAdd)
		for i := range recs {
			recs[i] = control{add: a, seek: j - a}
			if i%2 == 1 {
				recs[i].seek = -j - a
			}
		}
		diff := make([]byte, n)
		for i := range diff {
			r := int64(i) / a
			diff[i] = new[i] - old[(r%2)*j+int64(i)%a]
		}
		p := bsRaw{newSize: n, recs: recs, diff: diff}.build(b)
		benchApplyCost(b, old, new, p, true)
	})

}

// TestApplyCostBoundedPerOutputByte: the issue's patch (records "seek -1,
// add 1" against a 1-byte image) is rejected; a patch with one record per
// output byte reads the old image once per window and writes once per
// buffer; a patch that jumps between distant old offsets reads the old
// image at most once per format.MinJumpAdd output bytes, and a shorter jumping
// add is malformed.
func TestApplyCostBoundedPerOutputByte(t *testing.T) {
	old, _, p := seekBackPatch(t, 64<<10)
	start := time.Now()
	mustReject(t, old, p, ErrMalformed)
	if d := time.Since(start); d > time.Second {
		t.Errorf("rejecting took %v", d)
	}

	const n = 256 << 10
	apply := func(old, new, patch []byte) (reads, writes int) {
		t.Helper()
		r := &countingReaderAt{r: bytes.NewReader(old)}
		var w countingWriteCalls
		if err := Apply(r, int64(len(old)), bytes.NewReader(patch), &w, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.Bytes(), new) {
			t.Fatal("output differs")
		}
		return r.calls, w.calls
	}
	hashReads := func(old []byte) int { return (len(old) + ioChunk - 1) / ioChunk }
	old, new, p := sequentialPatch(t, n)
	reads, writes := apply(old, new, p)
	if reads > 2*hashReads(old)+2 || writes > n/ioChunk+2 {
		t.Errorf("one record per byte: %d reads of old, %d writes for %d bytes", reads, writes, n)
	}
	old, new, p = jumpPatch(t, 1<<20, n, format.MinJumpAdd)
	reads, writes = apply(old, new, p)
	if reads > hashReads(old)+n/format.MinJumpAdd+2 || writes > n/ioChunk+2 {
		t.Errorf("jumping adds of %d bytes: %d reads of old, %d writes for %d bytes", format.MinJumpAdd, reads, writes, n)
	}
	t.Logf("jumps of %d bytes: %d reads of old for %d output bytes", format.MinJumpAdd, reads-hashReads(old), n)
	old, _, p = jumpPatch(t, 1<<20, n, format.MinJumpAdd-1)
	mustReject(t, old, p, ErrMalformed)
}

// TestBSDIFF40ApplyCostBounded: a BSDIFF40 patch of one-byte records
// reads the old image once per window and writes once per buffer; the
// issue's patches (records "add 1, seek -1" against a 1-byte image, with
// or without 16 idle records each) and add runs of 1 byte alternating
// between distant offsets are refused once past the allowance.
func TestBSDIFF40ApplyCostBounded(t *testing.T) {
	const n = 64 << 10
	old := make([]byte, n)
	for i := range old {
		old[i] = byte(i * 13)
	}
	recs := make([]control, n)
	for i := range recs {
		recs[i] = control{add: 1}
	}
	p := bsRaw{newSize: n, recs: recs, diff: make([]byte, n)}.build(t)
	r := &countingReaderAt{r: bytes.NewReader(old)}
	var w countingWriteCalls
	if err := ApplyBSDIFF40(r, int64(len(old)), bytes.NewReader(p), &w, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.Bytes(), old) {
		t.Fatal("output differs")
	}
	if r.calls > n/bsChunk+2 || w.calls > n/bsChunk+2 {
		t.Errorf("%d reads of old, %d writes for %d one-byte records", r.calls, w.calls, n)
	}
	one, _, p := bsSeekBackPatch(t, n, 0)
	expectRejected(t, one, p, testBSLimits(), ErrLimit)
	_, _, p = bsSeekBackPatch(t, 4096, bsMaxIdle)
	expectRejected(t, one, p, testBSLimits(), ErrMalformed)

	// Add runs of 1 byte alternating between two distant old offsets.
	big := make([]byte, 1<<20)
	recs = recs[:0]
	k := int64(len(big) / 2)
	for i := range 4096 {
		if i%2 == 0 {
			recs = append(recs, control{add: 1, seek: k - 1})
		} else {
			recs = append(recs, control{add: 1, seek: -k - 1})
		}
	}
	p = bsRaw{newSize: int64(len(recs)), recs: recs, diff: make([]byte, len(recs))}.build(t)
	expectRejected(t, big, p, testBSLimits(), ErrLimit)
}

// A stream longer than its block can use (more values than output bytes,
// more gap bytes than 10 per output byte, more control bytes than three
// varints per record) is refused from the block header, before it is
// read or decoded: decoding then costs at most a constant per output
// byte, whatever the compression ratio.
func TestApplyRejectsStreamLongerThanBlockCanUse(t *testing.T) {
	one := []rawRecord{{copy: 1}}
	for _, b := range []craftBlock{
		{newLen: 1, records: one, extra: []byte("x"), values: []byte{1, 2}},
		{newLen: 1, records: one, extra: []byte("x"), gaps: make([]byte, 11)},
		{newLen: 1, records: one, extra: []byte("xy")},
	} {
		err := mustReject(t, atkOld, craftPatch(atkOld, []byte("x"), b), ErrMalformed)
		if !strings.Contains(err.Error(), "longer than") {
			t.Errorf("error %q does not say which stream is too long", err)
		}
	}
	// Control bytes beyond three varints per record.
	p := craftPatch(atkOld, []byte("x"), craftBlock{newLen: 1, records: one, extra: []byte("x")})
	h, _ := ReadHeader(bytes.NewReader(p))
	hdrLen := len(headerBytes(h))
	bad := append(bytes.Clone(p[:hdrLen]), 1, 1, 0, 0, 31, 0, 0, 1) // 1 byte, 1 record, stored; lengths 31, 0, 0, 1
	bad = append(bad, make([]byte, 31)...)
	bad = append(bad, 'x')
	err := mustReject(t, atkOld, bad, ErrMalformed)
	if !strings.Contains(err.Error(), "control stream longer") {
		t.Errorf("error %q does not say the control stream is too long", err)
	}
}
