// Package cbor holds the CBOR item-head code (RFC 8949 section 3) shared by
// suitkit's hand-written readers and writers: suit's strict decoder, its
// diagnostic-notation walker and verify's COSE reader. It only reads and
// writes heads; each reader applies its own policy (shortest form, which
// simple values, tags, length caps) and reports errors in its own terms.
//
// # Security
//
// ReadHead never reads past the slice it is given and never allocates. The
// argument it returns is a declared length or count from untrusted input:
// callers must check it against the bytes that remain (and their own caps)
// before using it.
package cbor

import "errors"

// Major types.
const (
	Uint   byte = 0
	Nint   byte = 1
	Bytes  byte = 2
	Text   byte = 3
	Array  byte = 4
	Map    byte = 5
	Tag    byte = 6
	Simple byte = 7 // simple values and floats
)

// Additional-information values with a meaning of their own.
const (
	AI1Byte    byte = 24 // one-byte argument follows (also: simple value in the next byte)
	AI8Bytes   byte = 27 // eight-byte argument follows
	AIIndef    byte = 31 // indefinite length, or the break stop code
	SimpleNull      = 22 // argument of null (0xf6)
)

// Errors of ReadHead. They are plain sentinels, compared with ==; readers
// translate them into their own typed errors.
var (
	ErrTruncated  = errors.New("cbor: input ends inside an item head")
	ErrIndefinite = errors.New("cbor: indefinite length or break")
	ErrReserved   = errors.New("cbor: reserved additional information")
)

// ReadHead parses the item head at the start of b. It returns the major
// type, the additional information, the argument (the value, length, count,
// tag number or simple value; the raw bits for a float) and the length of
// the head in bytes. An empty or cut-off head gives ErrTruncated, additional
// information 31 ErrIndefinite, 28 to 30 ErrReserved; the major type and
// additional information are valid whenever b is not empty.
func ReadHead(b []byte) (major, ai byte, arg uint64, n int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, 0, ErrTruncated
	}
	major, ai = b[0]>>5, b[0]&0x1f
	switch {
	case ai < AI1Byte:
		return major, ai, uint64(ai), 1, nil
	case ai > AI8Bytes:
		if ai == AIIndef {
			return major, ai, 0, 0, ErrIndefinite
		}
		return major, ai, 0, 0, ErrReserved
	}
	n = 1 << (ai - AI1Byte)
	if len(b) <= n {
		return major, ai, 0, 0, ErrTruncated
	}
	for _, c := range b[1 : 1+n] {
		arg = arg<<8 | uint64(c)
	}
	return major, ai, arg, 1 + n, nil
}

// Shortest reports whether arg, read with additional information ai, is in
// the shortest form (RFC 8949 section 4.2.1): it does not fit a shorter
// head. It is meant for major types 0 to 6; floats and simple values need
// their own rules.
func Shortest(ai byte, arg uint64) bool {
	switch ai {
	case AI1Byte:
		return arg >= 24
	case 25:
		return arg > 0xff
	case 26:
		return arg > 0xffff
	case AI8Bytes:
		return arg > 0xffffffff
	}
	return true
}

// AppendHead appends the shortest head for major type major and argument
// arg to dst.
func AppendHead(dst []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(dst, m|byte(arg))
	case arg <= 0xff:
		return append(dst, m|24, byte(arg))
	case arg <= 0xffff:
		return append(dst, m|25, byte(arg>>8), byte(arg))
	case arg <= 0xffffffff:
		return append(dst, m|26, byte(arg>>24), byte(arg>>16), byte(arg>>8), byte(arg))
	}
	return append(dst, m|27, byte(arg>>56), byte(arg>>48), byte(arg>>40), byte(arg>>32),
		byte(arg>>24), byte(arg>>16), byte(arg>>8), byte(arg))
}
