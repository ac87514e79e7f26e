package delta

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz/lzma"
)

// lzmaDictCap is the LZMA2 dictionary size for a stream of n decoded
// bytes: the writer and the reader both derive it from the declared size,
// so it never exceeds what the block's memory figure accounts for. It is
// capped at 1 MiB: larger dictionaries won nothing on the bench firmware
// and would raise the applier's memory.
func lzmaDictCap(n int64) int64 { return max(min(n, lzmaMaxDict), lzma.MinDictCap) }

// lzmaMaxDict caps LZMA2 dictionaries.
const lzmaMaxDict = 1 << 20

// streamKind says what a stream holds, to choose which LZMA parameter
// sets are worth trying.
type streamKind int

const (
	kindCtrl streamKind = iota
	kindGaps
	kindValues
	kindExtra
	kindJoint
)

var (
	lzmaDefault = lzma.Properties{LC: 3, LP: 0, PB: 2} // code-like bytes
	lzmaLC0     = lzma.Properties{LC: 0, LP: 0, PB: 0} // near-random bytes: context dilutes statistics
	lzmaLC1     = lzma.Properties{LC: 1, LP: 0, PB: 0}
	lzmaLC3PB0  = lzma.Properties{LC: 3, LP: 0, PB: 0}
	lzmaLC1PB1  = lzma.Properties{LC: 1, LP: 0, PB: 1}
	lzmaProps   = []lzma.Properties{lzmaDefault, lzmaLC0, lzmaLC1}
)

// lzmaPropsFor lists the parameter sets tried for a kind of stream (the
// winners measured on the bench firmware; others never won).
func lzmaPropsFor(k streamKind) []lzma.Properties {
	switch k {
	case kindGaps, kindValues:
		return []lzma.Properties{lzmaLC0, lzmaLC1}
	case kindCtrl:
		return []lzma.Properties{lzmaLC0, lzmaLC1, lzmaDefault}
	case kindExtra:
		return []lzma.Properties{lzmaDefault, lzmaLC0, lzmaLC3PB0, lzmaLC1PB1}
	}
	return []lzma.Properties{lzmaDefault, lzmaLC0}
}

// bigTrial is the stream size above which compressStream collects its
// trial encoders' garbage right away.
const bigTrial = 1 << 20

// compressStream returns the smallest encoding of raw among the codecs
// allowed, preferring CodecStored when nothing is smaller.
func (cm *compressor) compressStream(raw []byte, kind streamKind) (Codec, []byte, error) {
	best, bestCodec := raw, CodecStored
	if len(raw) < 16 {
		return bestCodec, best, nil
	}
	type result struct {
		c   Codec
		b   []byte
		err error
	}
	var trials []func() result
	trials = append(trials, func() result {
		return result{CodecZstd, cm.zstd.EncodeAll(raw, nil), nil}
	})
	if !cm.fast {
		for _, p := range lzmaPropsFor(kind) {
			trials = append(trials, func() result {
				b, err := lzmaCompress(raw, p)
				return result{CodecLZMA2, b, err}
			})
		}
	}
	results := make([]result, len(trials))
	var wg sync.WaitGroup
	for i, f := range trials {
		wg.Go(func() {
			cm.trials <- struct{}{}
			defer func() { <-cm.trials }()
			results[i] = f()
			if len(raw) >= bigTrial {
				// The trial encoder's match tables (tens of MB) are
				// garbage now; collect them before the next trial
				// allocates its own, so a large Diff does not carry
				// several generations of them (peak RSS).
				runtime.GC()
			}
		})
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return 0, nil, r.err
		}
		if len(r.b) < len(best) {
			best, bestCodec = r.b, r.c
		}
	}
	return bestCodec, best, nil
}

// compressor holds the state shared by a Diff's compression trials: one
// zstd encoder (its match tables are large; making one per stream
// dominated Diff's allocations). The zstd level is "better", not "best":
// on the bench firmware LZMA2 wins every stream where zstd-best beat
// zstd-better (5 bytes in total), and best's tables cost 34 MB of RSS.
//
// It belongs to one Diff call: trials bounds how many trial compressions
// of that call run at once (each holds large match tables), so concurrent
// Diff calls do not share or contend for a package-wide limit.
type compressor struct {
	zstd   *zstd.Encoder
	trials chan struct{} // semaphore: DiffOptions.trialSlots() slots
	fast   bool
	force  int  // DiffOptions.forceCoding
	signed bool // 32-bit word arithmetic codes signed words (layout bit7)
}

// newCompressor makes a compressor for streams of up to about maxRaw
// bytes (larger streams still compress, with a window of this size).
func newCompressor(maxRaw int, opts *DiffOptions) (*compressor, error) {
	window := zstd.MinWindowSize
	for window < maxRaw && window < zstd.MaxWindowSize {
		window <<= 1
	}
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithEncoderCRC(false),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(window),
		zstd.WithSingleSegment(true))
	if err != nil {
		return nil, err
	}
	cm := &compressor{zstd: enc, trials: make(chan struct{}, opts.trialSlots()), signed: true}
	if opts != nil {
		cm.fast, cm.force, cm.signed = opts.FastCompression, opts.forceCoding, !opts.unsignedArith
	}
	return cm, nil
}

func (cm *compressor) close() { cm.zstd.Close() }

func lzmaCompress(raw []byte, props lzma.Properties) ([]byte, error) {
	var buf bytes.Buffer
	cfg := lzma.Writer2Config{
		Properties: &props,
		DictCap:    int(lzmaDictCap(int64(len(raw)))),
		Matcher:    lzma.HashTable4,
	}
	w, err := cfg.NewWriter2(&buf)
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

// decoders holds the applier's reusable decoder state.
type decoders struct {
	zstd     *zstd.Decoder
	maxBlock int64
}

func newDecoders(maxBlock int64) (*decoders, error) {
	d, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxMemory(uint64(maxBlock)),
		zstd.WithDecoderMaxWindow(uint64(max(maxBlock, zstd.MinWindowSize))))
	if err != nil {
		return nil, err
	}
	return &decoders{zstd: d, maxBlock: maxBlock}, nil
}

func (d *decoders) close() { d.zstd.Close() }

// decode decompresses comp into dst, which has exactly the declared
// decoded length. Any other decoded length, trailing compressed bytes or
// codec error is ErrMalformed. Each decoder is limited by this stream's
// declared length, not by the block's or the header's memory: zstd
// decodes into dst and stops at its capacity (WithDecodeAllCapLimit),
// LZMA2's dictionary is derived from len(dst) and it is read up to
// len(dst)+1 bytes, so a decompression bomb allocates nothing past them.
func (d *decoders) decode(c Codec, comp, dst []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v codec failed: %v", ErrMalformed, c, r)
		}
	}()
	switch c {
	case CodecZstd:
		out, err := d.zstd.DecodeAll(comp, dst[:0:len(dst)])
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) || len(out) > len(dst) {
			return fmt.Errorf("%w: zstd stream decodes to more than the declared %d bytes", ErrLimit, len(dst))
		}
		if err != nil {
			return fmt.Errorf("%w: zstd: %v", ErrMalformed, err)
		}
		if len(out) != len(dst) {
			return fmt.Errorf("%w: zstd stream decodes to %d bytes, declared %d", ErrMalformed, len(out), len(dst))
		}
		if &out[0] != &dst[0] {
			copy(dst, out)
		}
		return nil
	case CodecLZMA2:
		src := bytes.NewReader(comp)
		r, err := lzma.Reader2Config{DictCap: int(lzmaDictCap(int64(len(dst))))}.NewReader2(src)
		if err != nil {
			return fmt.Errorf("%w: lzma2: %v", ErrMalformed, err)
		}
		if _, err := io.ReadFull(r, dst); err != nil {
			return fmt.Errorf("%w: lzma2 stream shorter than declared %d bytes: %v", ErrMalformed, len(dst), err)
		}
		var one [1]byte
		if n, err := r.Read(one[:]); n != 0 || err != io.EOF {
			if n != 0 {
				return fmt.Errorf("%w: lzma2 stream decodes to more than the declared %d bytes", ErrLimit, len(dst))
			}
			return fmt.Errorf("%w: lzma2 stream after %d bytes: %v", ErrMalformed, len(dst), err)
		}
		if src.Len() != 0 {
			return fmt.Errorf("%w: %d trailing bytes after lzma2 stream", ErrMalformed, src.Len())
		}
		return nil
	}
	return fmt.Errorf("%w: codec %d", ErrUnsupported, c)
}
