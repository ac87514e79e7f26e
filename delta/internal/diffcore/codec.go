package diffcore

import (
	"bytes"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz/lzma"

	"github.com/suitkit/suitkit/delta/internal/format"
)

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
// allowed, preferring format.CodecStored when nothing is smaller.
func (cm *compressor) compressStream(raw []byte, kind streamKind) (uint8, []byte, error) {
	best, bestCodec := raw, uint8(format.CodecStored)
	if len(raw) < 16 {
		return bestCodec, best, nil
	}
	type result struct {
		c   uint8
		b   []byte
		err error
	}
	var trials []func() result
	trials = append(trials, func() result {
		return result{format.CodecZstd, cm.zstd.EncodeAll(raw, nil), nil}
	})
	if !cm.fast {
		for _, p := range lzmaPropsFor(kind) {
			trials = append(trials, func() result {
				b, err := lzmaCompress(raw, p)
				return result{format.CodecLZMA2, b, err}
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
	trials chan struct{} // semaphore: Options.trialSlots() slots
	fast   bool
	force  int  // Options.ForceCoding
	signed bool // 32-bit word arithmetic codes signed words (layout bit7)
	// instr[k]: instruction unit coding k (famInstr order) may be tried
	instr [numInstr]bool
}

// newCompressor makes a compressor for streams of up to about maxRaw
// bytes (larger streams still compress, with a window of this size).
func newCompressor(maxRaw int, opts *Options) (*compressor, error) {
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
		cm.fast, cm.force, cm.signed = opts.FastCompression, opts.ForceCoding, !opts.UnsignedArith
	}
	for k := range cm.instr {
		cm.instr[k] = opts.instrEnabled(uint8(1 + k/2))
	}
	return cm, nil
}

func (cm *compressor) close() { cm.zstd.Close() }

func lzmaCompress(raw []byte, props lzma.Properties) ([]byte, error) {
	var buf bytes.Buffer
	cfg := lzma.Writer2Config{
		Properties: &props,
		DictCap:    int(format.LZMADictCap(int64(len(raw)))),
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
