// Package format holds what the delta applier and the differ share about
// the suitkit patch format: the block header, the sparse diff codings'
// encoders and the reversible instruction transforms. The applier (package
// delta) decodes with it; the differ (package delta/differ) encodes with it.
// It has no dependencies beyond the standard library, so a device build
// that links the applier links no compressor, matcher or suffix array.
package format

import (
	"encoding/binary"
	"math/bits"
)

// Magic is the first four bytes of a suitkit delta patch; BSDIFF40Magic
// those of a classic bsdiff patch.
const (
	Magic         = "SKDF"
	BSDIFF40Magic = "BSDIFF40"
)

// Patch format versions: 1, and 2, which adds a transform byte to every
// block header (instruction unit coding). The differ writes version 1
// unless some block uses a transform.
const (
	Version1 = 1
	Version2 = 2
)

// AppendHeader appends a patch header (magic, version, codec mask, sizes,
// apply memory, digests) to b.
func AppendHeader(b []byte, version, codecs uint8, oldSize, newSize, applyMemory uint64, oldDigest, newDigest *[32]byte) []byte {
	b = append(b, Magic...)
	b = append(b, version, codecs)
	b = binary.AppendUvarint(b, oldSize)
	b = binary.AppendUvarint(b, newSize)
	b = binary.AppendUvarint(b, applyMemory)
	b = append(b, oldDigest[:]...)
	return append(b, newDigest[:]...)
}

// Codecs, as stored in a block's codec fields (package delta names them
// delta.Codec).
const (
	CodecStored = 0
	CodecZstd   = 1
	CodecLZMA2  = 2
)

// Streams of a block, in the order they appear.
const (
	StreamCtrl = iota
	StreamGaps
	StreamValues
	StreamExtra
	NumStreams
)

// LZMADictCap is the LZMA2 dictionary size for a stream of n decoded
// bytes: the writer and the reader both derive it from the declared size,
// so it never exceeds what the block's memory figure accounts for. It is
// capped at LZMAMaxDict: larger dictionaries won nothing on the bench
// firmware and would raise the applier's memory.
func LZMADictCap(n int64) int64 { return max(min(n, LZMAMaxDict), LZMAMinDict) }

// LZMAMaxDict caps LZMA2 dictionaries; LZMAMinDict is the smallest one
// (the LZMA library's minimum).
const (
	LZMAMaxDict = 1 << 20
	LZMAMinDict = 4096
)

// MinJumpAdd is the shortest add run allowed to start away from where the
// previous one ended (unless it is the last record of its block): a patch
// then cannot make the applier read the old image more than once per
// MinJumpAdd output bytes.
const MinJumpAdd = 8

// CommonPrefix returns the length of the common prefix of a and b.
func CommonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// BlockHeader describes one block: how much new output it makes, how many
// control records it holds, and each stream's codec and sizes.
//
// Two layouts exist. Separate: each stream is compressed on its own
// (codec per stream). Joint: the four streams are concatenated and
// compressed as one (saves per-stream codec overhead on small blocks).
type BlockHeader struct {
	NewLen  int64
	Records int64
	Joint   bool
	// Words: the diff is coded per 4-byte word of the new image (word
	// gap and lane mask in the gaps stream, values grouped by lane);
	// otherwise per byte (byte gaps, values in order).
	Words bool
	// Ordered (word coding only): values in position order instead of
	// grouped by lane.
	Ordered bool
	// Arith (word coding only): 0, or 4 or 2: whole 4-byte words (or
	// 2-byte halfwords) inside an add run are old unit + diff unit as
	// little-endian integers (carries included).
	Arith int
	// A64 (with arith 4): the words are in AArch64 canonical form
	// (ADRPCanon) when the diff word is added.
	A64 bool
	// Units: the diff is in unit coding (UnitEncoder); ordered may be set
	Units bool
	// Signed (with arith 4): word gap entries carry a sign bit
	Signed  bool
	Codec   [NumStreams]uint8 // joint: all equal
	RawLen  [NumStreams]int64
	CompLen [NumStreams]int64 // separate: equals RawLen for CodecStored
	// Joint layout: compressed size of the concatenation
	JointComp int64
	// V2: the block belongs to a version-2 patch, whose block headers
	// carry a transform byte after the layout byte.
	V2 bool
	// Transform (version 2): 0, or an instruction set (ISA*) with the
	// TransformAbs flag: the diff is in instruction unit coding (isa.go)
	// and the layout byte may only have the joint bit.
	Transform uint8
}

// Bits of the block layout byte.
const (
	LayoutJoint   = 1 << 0 // streams compressed as one
	LayoutWords   = 1 << 1 // word-mask diff coding
	LayoutOrdered = 1 << 2 // word coding with values in position order
	LayoutArith   = 1 << 3 // word coding with 32-bit word arithmetic
	LayoutArith16 = 1 << 4 // word coding with 16-bit halfword arithmetic
	LayoutA64     = 1 << 5 // 32-bit word arithmetic in AArch64 canonical form
	LayoutUnits   = 1 << 6 // unit coding at any alignment (UnitEncoder)
	LayoutSigned  = 1 << 7 // 32-bit word arithmetic with signed words
	LayoutMask    = LayoutJoint | LayoutWords | LayoutOrdered | LayoutArith | LayoutArith16 | LayoutA64 | LayoutUnits | LayoutSigned
)

// Layout returns the block's layout byte.
func (b *BlockHeader) Layout() byte {
	var l byte
	if b.Joint {
		l |= LayoutJoint
	}
	if b.Ordered {
		l |= LayoutOrdered
	}
	switch b.Arith {
	case 4:
		l |= LayoutArith
	case 2:
		l |= LayoutArith16
	}
	if b.Words {
		l |= LayoutWords
	}
	if b.A64 {
		l |= LayoutA64
	}
	if b.Units {
		l |= LayoutUnits
	}
	if b.Signed {
		l |= LayoutSigned
	}
	return l
}

// AppendTo appends the encoded block header to dst.
func (b *BlockHeader) AppendTo(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(b.NewLen))
	dst = binary.AppendUvarint(dst, uint64(b.Records))
	if b.Joint {
		dst = append(dst, b.Layout())
		if b.V2 {
			dst = append(dst, b.Transform)
		}
		dst = append(dst, b.Codec[0])
		for s := 0; s < NumStreams; s++ {
			dst = binary.AppendUvarint(dst, uint64(b.RawLen[s]))
		}
		if b.Codec[0] != CodecStored {
			dst = binary.AppendUvarint(dst, uint64(b.JointComp))
		}
		return dst
	}
	var codecs byte
	for s := 0; s < NumStreams; s++ {
		codecs |= b.Codec[s] << (2 * s)
	}
	dst = append(dst, b.Layout())
	if b.V2 {
		dst = append(dst, b.Transform)
	}
	dst = append(dst, codecs)
	for s := 0; s < NumStreams; s++ {
		dst = binary.AppendUvarint(dst, uint64(b.RawLen[s]))
		if b.Codec[s] != CodecStored {
			dst = binary.AppendUvarint(dst, uint64(b.CompLen[s]))
		}
	}
	return dst
}

// RawTotal is the sum of the decoded stream lengths.
func (b *BlockHeader) RawTotal() int64 {
	var raw int64
	for s := 0; s < NumStreams; s++ {
		raw += b.RawLen[s]
	}
	return raw
}

// Memory is the working memory the applier needs for this block: all
// decoded streams, one compressed buffer (the largest), and one LZMA2
// dictionary (the largest), plus the fixed allowance.
func (b *BlockHeader) Memory() int64 {
	raw := b.RawTotal()
	var comp, dict int64
	if b.Joint {
		if b.Codec[0] != CodecStored {
			comp = b.JointComp
		}
		if b.Codec[0] == CodecLZMA2 {
			dict = LZMADictCap(raw)
		}
		return raw + comp + dict + FixedApplyMemory
	}
	for s := 0; s < NumStreams; s++ {
		if b.Codec[s] != CodecStored {
			comp = max(comp, b.CompLen[s])
		}
		if b.Codec[s] == CodecLZMA2 {
			dict = max(dict, LZMADictCap(b.RawLen[s]))
		}
	}
	return raw + comp + dict + FixedApplyMemory
}

// FixedApplyMemory is the allowance, counted in every block's memory, for
// the applier's I/O buffers and codec state that does not scale with the
// block (patch read buffer, old/new chunk buffers, zstd decoder tables).
const FixedApplyMemory = 512 << 10
