package delta

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
)

// Magic is the first four bytes of every suitkit delta patch.
const Magic = "SKDF"

// FormatVersion is the patch format version this package writes and reads.
const FormatVersion = 1

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
	// Version is the format version (FormatVersion).
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

// maxHeaderLen bounds the encoded header: magic, version, codecs, three
// varints and two digests.
const maxHeaderLen = 4 + 2 + 3*binary.MaxVarintLen64 + 2*sha256.Size

func (h *Header) appendTo(b []byte) []byte {
	b = append(b, Magic...)
	b = append(b, byte(h.Version), h.Codecs)
	b = binary.AppendUvarint(b, uint64(h.OldSize))
	b = binary.AppendUvarint(b, uint64(h.NewSize))
	b = binary.AppendUvarint(b, uint64(h.ApplyMemory))
	b = append(b, h.OldDigest[:]...)
	b = append(b, h.NewDigest[:]...)
	return b
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
	if h.Version != FormatVersion {
		return nil, unsupported(4, "format version %d (this package reads %d)", h.Version, FormatVersion)
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

// blockHeader describes one block: how much new output it makes, how many
// control records it holds, and each stream's codec and sizes.
//
// Two layouts exist. Separate: each stream is compressed on its own
// (codec per stream). Joint: the four streams are concatenated and
// compressed as one (saves per-stream codec overhead on small blocks).
type blockHeader struct {
	newLen  int64
	records int64
	joint   bool
	// words: the diff is coded per 4-byte word of the new image (word
	// gap and lane mask in the gaps stream, values grouped by lane);
	// otherwise per byte (byte gaps, values in order).
	words bool
	// ordered (word coding only): values in position order instead of
	// grouped by lane.
	ordered bool
	// arith (word coding only): 0, or 4 or 2: whole 4-byte words (or
	// 2-byte halfwords) inside an add run are old unit + diff unit as
	// little-endian integers (carries included).
	arith int
	// a64 (with arith 4): the words are in AArch64 canonical form
	// (adrpCanon) when the diff word is added.
	a64 bool
	// units: the diff is in unit coding (unitcode.go); ordered may be set
	units bool
	// signed (with arith 4): word gap entries carry a sign bit
	signed  bool
	codec   [numStreams]Codec // joint: all equal
	rawLen  [numStreams]int64
	compLen [numStreams]int64 // separate: equals rawLen for CodecStored
	// joint layout: compressed size of the concatenation
	jointComp int64
}

// Bits of the block layout byte.
const (
	layoutJoint   = 1 << 0 // streams compressed as one
	layoutWords   = 1 << 1 // word-mask diff coding
	layoutOrdered = 1 << 2 // word coding with values in position order
	layoutArith   = 1 << 3 // word coding with 32-bit word arithmetic
	layoutArith16 = 1 << 4 // word coding with 16-bit halfword arithmetic
	layoutA64     = 1 << 5 // 32-bit word arithmetic in AArch64 canonical form
	layoutUnits   = 1 << 6 // unit coding at any alignment (unitcode.go)
	layoutSigned  = 1 << 7 // 32-bit word arithmetic with signed words
	layoutMask    = layoutJoint | layoutWords | layoutOrdered | layoutArith | layoutArith16 | layoutA64 | layoutUnits | layoutSigned
)

func (b *blockHeader) layout() byte {
	var l byte
	if b.joint {
		l |= layoutJoint
	}
	if b.ordered {
		l |= layoutOrdered
	}
	switch b.arith {
	case 4:
		l |= layoutArith
	case 2:
		l |= layoutArith16
	}
	if b.words {
		l |= layoutWords
	}
	if b.a64 {
		l |= layoutA64
	}
	if b.units {
		l |= layoutUnits
	}
	if b.signed {
		l |= layoutSigned
	}
	return l
}

func (b *blockHeader) appendTo(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(b.newLen))
	dst = binary.AppendUvarint(dst, uint64(b.records))
	if b.joint {
		dst = append(dst, b.layout(), byte(b.codec[0]))
		for s := 0; s < numStreams; s++ {
			dst = binary.AppendUvarint(dst, uint64(b.rawLen[s]))
		}
		if b.codec[0] != CodecStored {
			dst = binary.AppendUvarint(dst, uint64(b.jointComp))
		}
		return dst
	}
	var codecs byte
	for s := 0; s < numStreams; s++ {
		codecs |= byte(b.codec[s]) << (2 * s)
	}
	dst = append(dst, b.layout(), codecs)
	for s := 0; s < numStreams; s++ {
		dst = binary.AppendUvarint(dst, uint64(b.rawLen[s]))
		if b.codec[s] != CodecStored {
			dst = binary.AppendUvarint(dst, uint64(b.compLen[s]))
		}
	}
	return dst
}

func (b *blockHeader) rawTotal() int64 {
	var raw int64
	for s := 0; s < numStreams; s++ {
		raw += b.rawLen[s]
	}
	return raw
}

// memory is the working memory the applier needs for this block: all
// decoded streams, one compressed buffer (the largest), and one LZMA2
// dictionary (the largest), plus the fixed allowance.
func (b *blockHeader) memory() int64 {
	raw := b.rawTotal()
	var comp, dict int64
	if b.joint {
		if b.codec[0] != CodecStored {
			comp = b.jointComp
		}
		if b.codec[0] == CodecLZMA2 {
			dict = lzmaDictCap(raw)
		}
		return raw + comp + dict + fixedApplyMemory
	}
	for s := 0; s < numStreams; s++ {
		if b.codec[s] != CodecStored {
			comp = max(comp, b.compLen[s])
		}
		if b.codec[s] == CodecLZMA2 {
			dict = max(dict, lzmaDictCap(b.rawLen[s]))
		}
	}
	return raw + comp + dict + fixedApplyMemory
}

// fixedApplyMemory is the allowance, counted in every block's memory, for
// the applier's I/O buffers and codec state that does not scale with the
// block (patch read buffer, old/new chunk buffers, zstd decoder tables).
const fixedApplyMemory = 512 << 10
