package delta

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// allocatedBy returns the bytes allocated (runtime.MemStats.TotalAlloc)
// while f runs. TotalAlloc bounds the peak heap f used from above.
func allocatedBy(f func()) uint64 {
	runtime.GC()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// copyStreamPatch is a one-block patch whose only record copies len(new)
// bytes from an extra stream coded with codec c as comp, in a header that
// declares mem bytes of apply memory.
func copyStreamPatch(new []byte, c Codec, comp []byte, mem int64) []byte {
	h := Header{Version: 1, Codecs: 1<<CodecStored | 1<<c,
		OldSize: int64(len(atkOld)), NewSize: int64(len(new)), ApplyMemory: mem}
	h.OldDigest, h.NewDigest = sha256.Sum256(atkOld), sha256.Sum256(new)
	p := headerBytes(h)
	ctrl := binary.AppendUvarint([]byte{0, 0}, uint64(len(new))) // seek 0, add 0, copy n
	p = binary.AppendUvarint(p, uint64(len(new)))
	p = binary.AppendUvarint(p, 1)
	p = append(p, 0, byte(c)<<6)
	p = binary.AppendUvarint(p, uint64(len(ctrl)))
	p = append(p, 0, 0)
	p = binary.AppendUvarint(p, uint64(len(new)))
	p = binary.AppendUvarint(p, uint64(len(comp)))
	p = append(p, ctrl...)
	return append(p, comp...)
}

// TestApplyAllocatesWithinDeclaredMemory measures what Apply allocates on
// crafted patches whose compressed streams decode to far more than they
// declare, under a header that declares (and a limit that allows) the
// default 16 MiB: every decoder must stop at its own stream's declared
// length, so Apply allocates about the block's memory figure, never the
// header's whole allowance (main 9d84ca8: 17-33 MB for a stream declared
// as 1 byte). A real patch stays within its header's ApplyMemory, and a
// BSDIFF40 patch within MaxMemory.
func TestApplyAllocatesWithinDeclaredMemory(t *testing.T) {
	zeros := make([]byte, 16<<20)
	bomb := func(window int) []byte {
		enc, err := zstd.NewWriter(nil, zstd.WithWindowSize(window), zstd.WithSingleSegment(false), zstd.WithZeroFrames(true))
		if err != nil {
			t.Fatal(err)
		}
		defer enc.Close()
		return enc.EncodeAll(zeros, nil)
	}
	lz, err := lzmaCompress(zeros, lzmaDefault)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		declared int
		c        Codec
		comp     []byte
	}{
		{"zstd 1 byte, 8 MiB window", 1, CodecZstd, bomb(8 << 20)},
		{"zstd 512 KiB, 8 MiB window", 512 << 10, CodecZstd, bomb(8 << 20)},
		{"zstd 512 KiB, 64 KiB window", 512 << 10, CodecZstd, bomb(64 << 10)},
		{"lzma2 1 byte", 1, CodecLZMA2, lz},
		{"lzma2 512 KiB", 512 << 10, CodecLZMA2, lz},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := copyStreamPatch(bytes.Repeat([]byte{1}, tc.declared), tc.c, tc.comp, DefaultMaxMemory)
			// What the block may use: its streams, its compressed
			// buffer, an LZMA2 dictionary, the fixed allowance.
			budget := uint64(3+tc.declared+len(tc.comp)) + uint64(format.LZMADictCap(int64(tc.declared))) + format.FixedApplyMemory
			var err error
			got := allocatedBy(func() {
				err = Apply(bytes.NewReader(atkOld), int64(len(atkOld)), bytes.NewReader(p), io.Discard, nil)
			})
			if err == nil {
				t.Fatal("a stream that decodes to more than declared was accepted")
			}
			t.Logf("allocated %d bytes (block budget %d): %v", got, budget, err)
			if got > budget {
				t.Errorf("allocated %d bytes, more than the block's %d", got, budget)
			}
		})
	}

	t.Run("real patch", func(t *testing.T) {
		old, new := aarch64LikePair(31, 1<<20)
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, new, &p, &diffcore.Options{FastCompression: true}); err != nil {
			t.Fatal(err)
		}
		h, err := ReadHeader(bytes.NewReader(p.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		got := allocatedBy(func() {
			err = Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), io.Discard, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("allocated %d bytes, header declares %d", got, h.ApplyMemory)
		if got > uint64(h.ApplyMemory) {
			t.Errorf("allocated %d bytes, header declares %d", got, h.ApplyMemory)
		}
	})

	t.Run("BSDIFF40", func(t *testing.T) {
		old, new := aarch64LikePair(32, 1<<20)
		var p bytes.Buffer
		if err := diffcore.WriteBSDIFF40(context.Background(), &p, old, new, nil); err != nil {
			t.Fatal(err)
		}
		lim := &Limits{MaxMemory: 3*bsDecoderMemory + bsFixedMemory + int64(p.Len())}
		var err error
		got := allocatedBy(func() {
			err = ApplyBSDIFF40(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), io.Discard, lim)
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("allocated %d bytes, MaxMemory %d", got, lim.MaxMemory)
		if got > uint64(lim.MaxMemory) {
			t.Errorf("allocated %d bytes, MaxMemory %d", got, lim.MaxMemory)
		}
	})
}

// Limits.MaxNewSize is the output limit a caller that knows the result's
// size passes (SUIT image-size, a slot): at the declared size the patch
// applies; one byte below, both appliers refuse it with ErrLimit before
// reading the old image or writing anything.
func TestApplyOutputLimitAtAndBelowNewSize(t *testing.T) {
	old, new := aarch64LikePair(33, 64<<10)
	var ours, bs bytes.Buffer
	if err := diffcore.Diff(context.Background(), old, new, &ours, &diffcore.Options{FastCompression: true}); err != nil {
		t.Fatal(err)
	}
	if err := diffcore.WriteBSDIFF40(context.Background(), &bs, old, new, nil); err != nil {
		t.Fatal(err)
	}
	apply := map[string]func(io.ReaderAt, io.Writer, *Limits) error{
		"suitkit": func(r io.ReaderAt, w io.Writer, lim *Limits) error {
			return Apply(r, int64(len(old)), bytes.NewReader(ours.Bytes()), w, lim)
		},
		"bsdiff40": func(r io.ReaderAt, w io.Writer, lim *Limits) error {
			return ApplyBSDIFF40(r, int64(len(old)), bytes.NewReader(bs.Bytes()), w, lim)
		},
		"bsdiff40 at": func(r io.ReaderAt, w io.Writer, lim *Limits) error {
			return ApplyBSDIFF40At(r, int64(len(old)), bytes.NewReader(bs.Bytes()), int64(bs.Len()), w, lim)
		},
	}
	for name, f := range apply {
		var out bytes.Buffer
		if err := f(bytes.NewReader(old), &out, &Limits{MaxNewSize: int64(len(new))}); err != nil || !bytes.Equal(out.Bytes(), new) {
			t.Errorf("%s: limit = new size: %v", name, err)
		}
		r := &countingReaderAt{r: bytes.NewReader(old)}
		var w countingWriteCalls
		err := f(r, &w, &Limits{MaxNewSize: int64(len(new)) - 1})
		if !errors.Is(err, ErrLimit) || r.calls != 0 || w.Len() != 0 {
			t.Errorf("%s: limit = new size - 1: err %v, %d old reads, %d bytes written", name, err, r.calls, w.Len())
		}
	}
}
