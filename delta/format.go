package delta

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// Magic is the first four bytes of every suitkit delta patch.
const Magic = format.Magic

// FormatVersion is the newest patch format version this package reads
// (it reads versions 1 and 2). Version 2 adds instruction unit coding
// (per-block branch and address transforms for Thumb-2, ARM32, AArch64,
// x86-64 and Xtensa); the differ writes version 1 when no block uses one,
// so such patches still apply with a version-1 applier.
const FormatVersion = 2

// Codec identifies the compression of one stream in a block.
type Codec uint8

// Codecs. A block names one per stream (two bits each).
const (
	CodecStored Codec = 0 // bytes as they are
	CodecZstd   Codec = 1 // one zstd frame (github.com/klauspost/compress/zstd)
	CodecLZMA2  Codec = 2 // an LZMA2 chunk sequence (github.com/ulikunitz/xz/lzma)
)

// String returns the codec's name.
func (c Codec) String() string {
	switch c {
	case CodecStored:
		return "stored"
	case CodecZstd:
		return "zstd"
	case CodecLZMA2:
		return "lzma2"
	}
	return "unknown"
}

// Streams of a block, in the order they appear.
const (
	streamCtrl = iota
	streamGaps
	streamValues
	streamExtra
	numStreams
)

var streamNames = [numStreams]string{"control", "gaps", "values", "extra"}

// Header is the fixed part at the start of a patch.
type Header struct {
	// Version is the format version (1 or 2, see FormatVersion).
	Version int
	// Codecs is the set of codecs used by the patch's streams, as a bit
	// mask: bit c is set when Codec c is used.
	Codecs uint8
	// OldSize and NewSize are the sizes of the old and new images.
	OldSize, NewSize int64
	// ApplyMemory is the number of bytes of working memory (buffers and
	// decoder state) the applier needs for the largest block, including
	// a fixed allowance for I/O buffers. Limits.MaxMemory must be at
	// least this.
	ApplyMemory int64
	// OldDigest and NewDigest are the SHA-256 digests of the images.
	OldDigest, NewDigest [sha256.Size]byte
}

// UsesCodec reports whether the header declares codec c.
func (h *Header) UsesCodec(c Codec) bool { return c < 8 && h.Codecs&(1<<c) != 0 }

// AppendBinary appends the encoded header to b (encoding.BinaryAppender);
// it fails only when a size is negative or the version does not fit a byte.
func (h *Header) AppendBinary(b []byte) ([]byte, error) {
	if h.OldSize < 0 || h.NewSize < 0 || h.ApplyMemory < 0 || h.Version < 0 || h.Version > 255 {
		return b, fmt.Errorf("delta: header with version %d, sizes %d, %d, apply memory %d cannot be encoded", h.Version, h.OldSize, h.NewSize, h.ApplyMemory)
	}
	return format.AppendHeader(b, uint8(h.Version), h.Codecs, uint64(h.OldSize), uint64(h.NewSize), uint64(h.ApplyMemory), &h.OldDigest, &h.NewDigest), nil
}

// patchReader reads a patch and counts the bytes consumed, so errors can
// say where the problem is.
type patchReader struct {
	r   *bufio.Reader
	off int64
}

func newPatchReader(r io.Reader) *patchReader {
	if br, ok := r.(*bufio.Reader); ok && br.Size() >= 4096 {
		return &patchReader{r: br}
	}
	return &patchReader{r: bufio.NewReaderSize(r, 32<<10)}
}

func (p *patchReader) ReadByte() (byte, error) {
	c, err := p.r.ReadByte()
	if err == nil {
		p.off++
	}
	return c, err
}

func (p *patchReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.off += int64(n)
	return n, err
}

// full reads exactly len(b) bytes; a short patch is ErrMalformed.
func (p *patchReader) full(b []byte, what string) error {
	if _, err := io.ReadFull(p, b); err != nil {
		return p.ioErr(err, what)
	}
	return nil
}

func (p *patchReader) ioErr(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &PatchError{Offset: p.off, What: "truncated " + what, Err: ErrMalformed}
	}
	return err
}

// uvarint reads a canonical (minimal) unsigned varint that must not
// exceed maxVal.
func (p *patchReader) uvarint(what string, maxVal uint64) (uint64, error) {
	start := p.off
	v, err := binary.ReadUvarint(p)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, p.ioErr(err, what)
		}
		return 0, malformed(start, "%s: bad varint", what)
	}
	if int64(uvarintLen(v)) != p.off-start {
		return 0, malformed(start, "%s: non-minimal varint", what)
	}
	if v > maxVal {
		return 0, limitErr(start, "%s %d exceeds %d", what, v, maxVal)
	}
	return v, nil
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// ReadHeader reads and checks a patch header (it does not check the
// header against any limit). It consumes only the header's bytes when r is
// an io.ByteReader; otherwise it may read ahead.
func ReadHeader(r io.Reader) (*Header, error) {
	var pr *patchReader
	if br, ok := r.(io.ByteReader); ok {
		pr = &patchReader{r: bufio.NewReaderSize(byteReaderAdapter{br}, 16)}
	} else {
		pr = newPatchReader(r)
	}
	return readHeader(pr)
}

// byteReaderAdapter reads one byte at a time so ReadHeader does not
// consume more than the header from an io.ByteReader.
type byteReaderAdapter struct{ br io.ByteReader }

func (a byteReaderAdapter) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c, err := a.br.ReadByte()
	if err != nil {
		return 0, err
	}
	b[0] = c
	return 1, nil
}

func readHeader(pr *patchReader) (*Header, error) {
	var fixed [6]byte
	if err := pr.full(fixed[:], "header"); err != nil {
		return nil, err
	}
	if string(fixed[:4]) != Magic {
		return nil, malformed(0, "bad magic %q", fixed[:4])
	}
	h := &Header{Version: int(fixed[4]), Codecs: fixed[5]}
	if h.Version < 1 || h.Version > FormatVersion {
		return nil, unsupported(4, "format version %d (this package reads 1 to %d)", h.Version, FormatVersion)
	}
	if h.Codecs&^(1<<CodecStored|1<<CodecZstd|1<<CodecLZMA2) != 0 {
		return nil, unsupported(5, "codec mask %#x names unknown codecs", h.Codecs)
	}
	const maxSize = 1<<63 - 1
	v, err := pr.uvarint("old size", maxSize)
	if err != nil {
		return nil, err
	}
	h.OldSize = int64(v)
	if v, err = pr.uvarint("new size", maxSize); err != nil {
		return nil, err
	}
	h.NewSize = int64(v)
	if v, err = pr.uvarint("apply memory", maxSize); err != nil {
		return nil, err
	}
	h.ApplyMemory = int64(v)
	if err := pr.full(h.OldDigest[:], "old digest"); err != nil {
		return nil, err
	}
	if err := pr.full(h.NewDigest[:], "new digest"); err != nil {
		return nil, err
	}
	return h, nil
}
