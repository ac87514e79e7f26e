package delta

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz/lzma"

	"github.com/suitkit/suitkit/delta/internal/format"
)

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
		r, err := lzma.Reader2Config{DictCap: int(format.LZMADictCap(int64(len(dst))))}.NewReader2(src)
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
