package delta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// BSDIFF40 is classic bsdiff 4.x's patch format, read and written for
// interoperability with Debian's bsdiff/bspatch and the many ports of them.
//
//	offset  len  field
//	0       8    magic "BSDIFF40"
//	8       8    X = length of bzip2(ctrl)
//	16      8    Y = length of bzip2(diff)
//	24      8    size of the new file
//	32      X    bzip2(ctrl): triples (add, copy, seek) of 8-byte integers
//	32+X    Y    bzip2(diff): add bytes, new = old + diff (mod 256)
//	32+X+Y  ...  bzip2(extra): copy bytes, taken verbatim into new
//
// Every integer is 8 bytes little-endian sign-magnitude (bit 63 is the sign).

// BSDIFF40Magic is the first 8 bytes of every BSDIFF40 patch.
const BSDIFF40Magic = format.BSDIFF40Magic

// bsHeaderSize is the fixed size of a BSDIFF40 header.
const bsHeaderSize = 32

// bsRecordSize is the size of one raw ctrl triple.
const bsRecordSize = 24

// IsBSDIFF40 reports whether patch starts with the BSDIFF40 magic.
func IsBSDIFF40(patch []byte) bool {
	return bytes.HasPrefix(patch, []byte(BSDIFF40Magic))
}

// bsHeader is a decoded BSDIFF40 header.
type bsHeader struct {
	ctrlLen, diffLen, newSize int64
}

// offtin decodes bsdiff's 8-byte sign-magnitude integer. Negative zero
// decodes as 0. The magnitude has 63 bits, so the result never overflows.
func offtin(b []byte) int64 {
	v := binary.LittleEndian.Uint64(b)
	m := int64(v &^ (1 << 63))
	if v>>63 != 0 {
		return -m
	}
	return m
}

// parseBSHeader checks the magic and the three lengths of a BSDIFF40 header.
func parseBSHeader(b []byte, lim *bsLimits) (bsHeader, error) {
	if len(b) < bsHeaderSize {
		return bsHeader{}, bsErrorf(ErrMalformed, 0, -1, "header is %d bytes, want %d", len(b), bsHeaderSize)
	}
	if string(b[:8]) != BSDIFF40Magic {
		return bsHeader{}, bsErrorf(ErrMalformed, 0, -1, "bad magic %q, want %q", b[:8], BSDIFF40Magic)
	}
	h := bsHeader{ctrlLen: offtin(b[8:]), diffLen: offtin(b[16:]), newSize: offtin(b[24:])}
	switch {
	case h.ctrlLen < 0:
		return h, bsErrorf(ErrMalformed, 8, -1, "negative ctrl block length %d", h.ctrlLen)
	case h.diffLen < 0:
		return h, bsErrorf(ErrMalformed, 16, -1, "negative diff block length %d", h.diffLen)
	case h.newSize < 0:
		return h, bsErrorf(ErrMalformed, 24, -1, "negative new size %d", h.newSize)
	case h.ctrlLen > math.MaxInt64/2 || h.diffLen > math.MaxInt64/2-bsHeaderSize-h.ctrlLen:
		return h, bsErrorf(ErrMalformed, 8, -1, "block lengths %d+%d overflow", h.ctrlLen, h.diffLen)
	case h.newSize > lim.maxNewSize:
		return h, bsErrorf(ErrLimit, 24, -1, "new size %d exceeds the limit %d", h.newSize, lim.maxNewSize)
	}
	return h, nil
}

// bsErrorf returns a *PatchError for a BSDIFF40 patch. patchOff is the
// offset of a bad header field, or -1; newOff is the offset in the new image
// where a problem in the streams was found, or -1.
func bsErrorf(sentinel error, patchOff, newOff int64, format string, a ...any) error {
	what := "BSDIFF40: " + fmt.Sprintf(format, a...)
	if newOff >= 0 {
		what += fmt.Sprintf(" (at new offset %d)", newOff)
	}
	return &PatchError{Offset: patchOff, What: what, Err: sentinel}
}

// control is one BSDIFF40 record: add bytes of old plus diff, copy
// literal bytes, then seek the old position.
type control struct{ add, copy, seek int64 }
