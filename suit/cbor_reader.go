package suit

import (
	"bytes"
	"math"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file holds suit's own strict CBOR reader. It accepts only RFC 8949
// section 4.2.1 core deterministic encoding: definite lengths, shortest-form
// heads, map keys in bytewise lexicographic order without duplicates, no
// floating-point or undefined values, valid UTF-8 text. It never allocates:
// strings are returned as slices of the input, and every declared length or
// count is checked against the bytes that remain before it is used.

// dec reads one layer of CBOR: the whole input, or the content of one
// bstr-wrapped element.
type dec struct {
	b    []byte
	off  int    // next byte to read, relative to b
	base int    // absolute offset of b[0] in the outermost input
	lim  limits // resolved limits (a copy: keeps the caller's value on the stack)
	// check makes the command decoders validate without building the
	// command model (see Envelope.CheckManifest): every check is the same,
	// nothing of a command sequence but its Raw bytes is kept.
	check bool
}

func newDec(b []byte, base int, lim *limits) dec {
	return dec{b: b, base: base, lim: *lim}
}

// fail builds a *DecodeError at relative offset at.
func (d *dec) fail(kind error, at int, format string, args ...any) error {
	return newError(kind, d.base+at, format, args...)
}

// end checks that the layer has been consumed completely.
func (d *dec) end() error {
	if d.off != len(d.b) {
		return d.fail(ErrMalformed, d.off, "%d trailing bytes after the item", len(d.b)-d.off)
	}
	return nil
}

// whole runs f and then checks that nothing is left over.
func (d *dec) whole(f func() error) error {
	if err := f(); err != nil {
		return err
	}
	return d.end()
}

// depthOK checks a nesting depth against the limit.
func (d *dec) depthOK(depth int) error {
	if depth > d.lim.depth {
		return d.fail(ErrLimit, d.off, "nesting depth %d exceeds the limit of %d", depth, d.lim.depth)
	}
	return nil
}

// peek returns the major type of the next item, and false at end of input.
func (d *dec) peek() (byte, bool) {
	if d.off >= len(d.b) {
		return 0, false
	}
	return d.b[d.off] >> 5, true
}

// peekByte returns the next initial byte, or 0xff (a break code, never valid
// here) at end of input.
func (d *dec) peekByte() byte {
	if d.off >= len(d.b) {
		return 0xff
	}
	return d.b[d.off]
}

// head reads one item head and returns its major type and argument. For
// major type 7 the argument is the simple value (20 false, 21 true, 22
// null); every other simple value and every float is rejected.
func (d *dec) head() (byte, uint64, error) {
	start := d.off
	if start >= len(d.b) {
		return 0, 0, d.fail(ErrMalformed, start, "unexpected end of input")
	}
	if ib := d.b[start]; ib&0x1f < cbor.AI1Byte && ib>>5 != cbor.Simple {
		d.off++ // fast path: a one-byte head is always in shortest form
		return ib >> 5, uint64(ib & 0x1f), nil
	}
	maj, ai, arg, n, err := cbor.ReadHead(d.b[start:])
	switch err {
	case nil:
	case cbor.ErrTruncated:
		return 0, 0, d.fail(ErrMalformed, start, "unexpected end of input in an item head")
	case cbor.ErrIndefinite:
		switch maj {
		case cbor.Bytes, cbor.Text, cbor.Array, cbor.Map:
			return 0, 0, d.fail(ErrNotDeterministic, start, "indefinite-length item")
		}
		return 0, 0, d.fail(ErrMalformed, start, "invalid initial byte 0x%02x", d.b[start])
	default:
		return 0, 0, d.fail(ErrMalformed, start, "reserved initial byte 0x%02x", d.b[start])
	}
	if maj == cbor.Simple {
		switch {
		case ai == cbor.AI1Byte:
			return 0, 0, d.fail(ErrMalformed, start, "simple value %d is not allowed", arg)
		case ai > cbor.AI1Byte:
			return 0, 0, d.fail(ErrMalformed, start, "floating-point values are not allowed")
		case arg == 23:
			return 0, 0, d.fail(ErrMalformed, start, "undefined is not allowed")
		case arg < 20 || arg > 22:
			return 0, 0, d.fail(ErrMalformed, start, "simple value %d is not allowed", arg)
		}
	} else if !cbor.Shortest(ai, arg) {
		return 0, 0, d.fail(ErrNotDeterministic, start, "argument %d is not encoded in its shortest form", arg)
	}
	d.off = start + n
	return maj, arg, nil
}

// expect reads a head and checks its major type.
func (d *dec) expect(maj byte, what string) (uint64, error) {
	start := d.off
	m, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	if m != maj {
		d.off = start
		return 0, d.fail(ErrMalformed, start, "expected %s, found %s", what, majName(m, arg))
	}
	return arg, nil
}

func majName(m byte, arg uint64) string {
	switch m {
	case cbor.Uint:
		return "an unsigned integer"
	case cbor.Nint:
		return "a negative integer"
	case cbor.Bytes:
		return "a byte string"
	case cbor.Text:
		return "a text string"
	case cbor.Array:
		return "an array"
	case cbor.Map:
		return "a map"
	case cbor.Tag:
		return "a tag"
	}
	switch arg {
	case 20, 21:
		return "a boolean"
	case 22:
		return "null"
	}
	return "a simple value"
}

// uint reads an unsigned integer.
func (d *dec) uint() (uint64, error) { return d.expect(cbor.Uint, "an unsigned integer") }

// int reads an integer that fits in int64.
func (d *dec) int() (int64, error) {
	start := d.off
	m, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	if m != cbor.Uint && m != cbor.Nint {
		d.off = start
		return 0, d.fail(ErrMalformed, start, "expected an integer, found %s", majName(m, arg))
	}
	if arg > math.MaxInt64 {
		d.off = start
		return 0, d.fail(ErrUnsupported, start, "integer out of the 64-bit signed range")
	}
	if m == cbor.Nint {
		return -1 - int64(arg), nil
	}
	return int64(arg), nil
}

// take returns the next n bytes.
func (d *dec) take(n uint64, start int) ([]byte, error) {
	if n > uint64(len(d.b)-d.off) {
		d.off = start
		return nil, d.fail(ErrMalformed, start, "declared length %d exceeds the %d bytes that remain", n, len(d.b)-d.off)
	}
	s := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return s, nil
}

// bstr reads a byte string and returns its content and the relative offset
// of that content.
func (d *dec) bstr() ([]byte, int, error) {
	start := d.off
	n, err := d.expect(cbor.Bytes, "a byte string")
	if err != nil {
		return nil, 0, err
	}
	at := d.off
	s, err := d.take(n, start)
	return s, at, err
}

// tstr reads a text string and checks it is valid UTF-8.
func (d *dec) tstr() ([]byte, error) {
	start := d.off
	n, err := d.expect(cbor.Text, "a text string")
	if err != nil {
		return nil, err
	}
	s, err := d.take(n, start)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(s) {
		d.off = start
		return nil, d.fail(ErrMalformed, start, "text string is not valid UTF-8")
	}
	return s, nil
}

// wrapped reads a bstr whose content is CBOR and returns a decoder for that
// content, after checking its size against MaxManifestSize.
func (d *dec) wrapped() (dec, error) {
	start := d.off
	s, at, err := d.bstr()
	if err != nil {
		return dec{}, err
	}
	if len(s) > d.lim.manifestSize {
		d.off = start
		return dec{}, d.fail(ErrLimit, start, "bstr-wrapped element of %d bytes exceeds the limit of %d", len(s), d.lim.manifestSize)
	}
	if len(s) == 0 {
		d.off = start
		return dec{}, d.fail(ErrMalformed, start, "empty bstr where encoded CBOR is required")
	}
	sub := newDec(s, d.base+at, &d.lim)
	sub.check = d.check
	return sub, nil
}

// count checks a declared element count: against MaxElements, against a
// specific cap, and against the bytes remaining (each element needs at
// least minBytes).
func (d *dec) count(n uint64, start, minBytes, capN int, what string) (int, error) {
	if n > uint64(d.lim.elements) || n > uint64(capN) {
		lim := d.lim.elements
		if capN < lim {
			lim = capN
		}
		d.off = start
		return 0, d.fail(ErrLimit, start, "%s with %d elements exceeds the limit of %d", what, n, lim)
	}
	if n*uint64(minBytes) > uint64(len(d.b)-d.off) {
		d.off = start
		return 0, d.fail(ErrMalformed, start, "%s declares %d elements but only %d bytes remain", what, n, len(d.b)-d.off)
	}
	return int(n), nil
}

// array reads an array head with its count checked against capN.
func (d *dec) array(capN int, what string) (int, error) {
	start := d.off
	n, err := d.expect(cbor.Array, "an array")
	if err != nil {
		return 0, err
	}
	return d.count(n, start, 1, capN, what)
}

// mapHead reads a map head.
func (d *dec) mapHead(capN int, what string) (int, error) {
	start := d.off
	n, err := d.expect(cbor.Map, "a map")
	if err != nil {
		return 0, err
	}
	return d.count(n, start, 2, capN, what)
}

// key reads a map key of any type and checks it sorts after prev (the
// previous key's encoding, nil for the first key).
func (d *dec) key(prev []byte, depth int) ([]byte, error) {
	start := d.off
	k, err := d.skip(depth)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		switch c := bytes.Compare(prev, k); {
		case c == 0:
			d.off = start
			return nil, d.fail(ErrMalformed, start, "duplicate map key")
		case c > 0:
			d.off = start
			return nil, d.fail(ErrNotDeterministic, start, "map keys are not in bytewise lexicographic order")
		}
	}
	return k, nil
}

// skip validates one item of any type (recursively) and returns its exact
// encoding. Tags are allowed except bignums (2, 3), which SUIT never uses.
func (d *dec) skip(depth int) ([]byte, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	m, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch m {
	case cbor.Bytes:
		if _, err := d.take(arg, start); err != nil {
			return nil, err
		}
	case cbor.Text:
		d.off = start
		if _, err := d.tstr(); err != nil {
			return nil, err
		}
	case cbor.Array:
		n, err := d.count(arg, start, 1, math.MaxInt, "array")
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			if _, err := d.skip(depth + 1); err != nil {
				return nil, err
			}
		}
	case cbor.Map:
		n, err := d.count(arg, start, 2, math.MaxInt, "map")
		if err != nil {
			return nil, err
		}
		var prev []byte
		for i := 0; i < n; i++ {
			k, err := d.key(prev, depth+1)
			if err != nil {
				return nil, err
			}
			prev = k
			if _, err := d.skip(depth + 1); err != nil {
				return nil, err
			}
		}
	case cbor.Tag:
		if arg == 2 || arg == 3 {
			d.off = start
			return nil, d.fail(ErrMalformed, start, "bignum tags are not allowed")
		}
		if _, err := d.skip(depth + 1); err != nil {
			return nil, err
		}
	}
	return d.b[start:d.off], nil
}

// null consumes a null if it is next.
func (d *dec) null() bool {
	if d.peekByte() == 0xf6 {
		d.off++
		return true
	}
	return false
}

// itemHead parses the head of an encoded item (no strictness checks beyond
// well-formedness; used on already validated values). It returns the major
// type, the argument and the head length.
func itemHead(b []byte) (byte, uint64, int, bool) {
	maj, _, arg, n, err := cbor.ReadHead(b)
	return maj, arg, n, err == nil
}

// itemInt decodes an encoded integer item that fits in int64.
func itemInt(b []byte) (int64, bool) {
	maj, arg, n, ok := itemHead(b)
	if !ok || n != len(b) || arg > math.MaxInt64 {
		return 0, false
	}
	switch maj {
	case cbor.Uint:
		return int64(arg), true
	case cbor.Nint:
		return -1 - int64(arg), true
	}
	return 0, false
}

// itemString returns the content of an encoded bstr (maj 2) or tstr (maj 3)
// item that spans all of b.
func itemString(b []byte, maj byte) ([]byte, bool) {
	m, arg, n, ok := itemHead(b)
	if !ok || m != maj || uint64(len(b)-n) != arg {
		return nil, false
	}
	return b[n:], true
}
