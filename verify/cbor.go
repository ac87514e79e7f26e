package verify

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
)

// A small strict CBOR reader for COSE structures. It never allocates: every
// byte string it returns aliases the input. It accepts only RFC 8949 §4.2.1
// deterministic encoding (shortest heads, definite lengths, map keys in
// bytewise order, hence no duplicates), rejects tags, floats and the
// unassigned simple values, and checks every declared length against the
// bytes that remain before using it. One relaxation: map keys may come in
// any order (COSE is not SUIT; see mapItems), never twice.

// maxItemDepth is the nesting allowed inside one COSE header value.
const maxItemDepth = 16

// maxUnorderedLabels caps a map whose labels are not in deterministic
// order (each label is compared with all earlier ones).
const maxUnorderedLabels = 32

type cborReader struct {
	b   []byte
	off int
}

func (r *cborReader) done() bool { return r.off == len(r.b) }

// head reads an item head and returns its major type and argument.
func (r *cborReader) head() (byte, uint64, error) {
	major, ai, v, n, err := cbor.ReadHead(r.b[r.off:])
	switch err {
	case nil:
	case cbor.ErrIndefinite:
		return 0, 0, errors.New("indefinite-length CBOR item")
	case cbor.ErrReserved:
		return 0, 0, errors.New("reserved CBOR additional information")
	default:
		return 0, 0, errors.New("unexpected end of CBOR data")
	}
	r.off += n
	if ai < cbor.AI1Byte {
		return major, v, nil
	}
	if major == cbor.Simple {
		if ai == cbor.AI1Byte && v >= 32 {
			return 0, 0, errors.New("CBOR simple value not allowed")
		}
		return 0, 0, errors.New("CBOR float not allowed")
	}
	if !cbor.Shortest(ai, v) {
		return 0, 0, errors.New("CBOR head not in shortest form")
	}
	return major, v, nil
}

// count validates an array/map count against the remaining input (every
// element takes at least one byte, a map pair at least two).
func (r *cborReader) count(n uint64, per uint64) (int, error) {
	if n > uint64(len(r.b)-r.off)/per {
		return 0, errors.New("CBOR count larger than the remaining data")
	}
	return int(n), nil
}

func (r *cborReader) take(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.off) {
		return nil, errors.New("CBOR string longer than the remaining data")
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s, nil
}

func (r *cborReader) bytes() ([]byte, error) {
	m, n, err := r.head()
	if err != nil {
		return nil, err
	}
	if m != cbor.Bytes {
		return nil, errors.New("expected a byte string")
	}
	return r.take(n)
}

// bytesOrNil reads a bstr or null; null gives (nil, true).
func (r *cborReader) bytesOrNil() ([]byte, bool, error) {
	if r.off < len(r.b) && r.b[r.off] == 0xf6 {
		r.off++
		return nil, true, nil
	}
	b, err := r.bytes()
	return b, false, err
}

func (r *cborReader) array() (int, error) {
	m, n, err := r.head()
	if err != nil {
		return 0, err
	}
	if m != cbor.Array {
		return 0, errors.New("expected an array")
	}
	return r.count(n, 1)
}

// int reads an integer that fits int64.
func (r *cborReader) int() (int64, error) {
	m, n, err := r.head()
	if err != nil {
		return 0, err
	}
	if (m != cbor.Uint && m != cbor.Nint) || n > 1<<63-1 {
		return 0, errors.New("expected an integer")
	}
	if m == cbor.Nint {
		return -1 - int64(n), nil
	}
	return int64(n), nil
}

// skip reads one complete item of any allowed kind.
func (r *cborReader) skip(depth int) error {
	if depth > maxItemDepth {
		return errors.New("CBOR nested too deeply")
	}
	m, n, err := r.head()
	if err != nil {
		return err
	}
	switch m {
	case cbor.Uint, cbor.Nint:
		return nil
	case cbor.Bytes:
		_, err = r.take(n)
		return err
	case cbor.Text:
		s, err := r.take(n)
		if err == nil && !utf8.Valid(s) {
			err = errors.New("invalid UTF-8 in CBOR text")
		}
		return err
	case cbor.Array:
		c, err := r.count(n, 1)
		if err != nil {
			return err
		}
		for range c {
			if err := r.skip(depth + 1); err != nil {
				return err
			}
		}
		return nil
	case cbor.Map:
		return r.mapItems(n, depth+1, func([]byte) error { return r.skip(depth + 1) })
	case cbor.Tag:
		return errors.New("CBOR tag not allowed here")
	}
	// cbor.Simple: head() only returns false, true, null, undefined.
	return nil
}

// mapItems walks the n pairs of a map whose head was read: it reads each key
// (an int or text label) itself, checks that keys are in strictly
// increasing bytewise order, then calls value with the encoded key, which
// must consume the value.
func (r *cborReader) mapItems(n uint64, depth int, value func(key []byte) error) error {
	c, err := r.count(n, 2)
	if err != nil {
		return err
	}
	// COSE does not require deterministic encoding (RFC 9052 section 3
	// only forbids duplicate labels): keys out of bytewise order are
	// accepted and then compared with every earlier key, which is why a
	// map out of order may hold at most maxUnorderedLabels labels. Heads
	// are still shortest form, so equal labels have equal encodings.
	var seenBuf [maxUnorderedLabels][]byte
	seen := seenBuf[:0]
	ordered := true
	var prev []byte
	for i := range c {
		start := r.off
		m, v, err := r.head()
		if err != nil {
			return err
		}
		switch m {
		case cbor.Uint, cbor.Nint:
		case cbor.Text:
			s, err := r.take(v)
			if err != nil {
				return err
			}
			if !utf8.Valid(s) {
				return errors.New("invalid UTF-8 in CBOR map key")
			}
		default:
			return errors.New("map label is not an integer or text")
		}
		key := r.b[start:r.off]
		if i > 0 && string(key) <= string(prev) {
			ordered = false
		}
		if !ordered {
			if c > maxUnorderedLabels {
				return fmt.Errorf("map of %d labels not in deterministic order (at most %d allowed)", c, maxUnorderedLabels)
			}
			for _, p := range seen {
				if string(p) == string(key) {
					return errors.New("duplicate map label")
				}
			}
		}
		if c <= maxUnorderedLabels {
			seen = append(seen, key)
		}
		prev = key
		if err := value(key); err != nil {
			return err
		}
	}
	return nil
}
