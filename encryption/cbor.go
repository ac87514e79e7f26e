package encryption

import (
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
)

// A small CBOR reader for the COSE structures in encryption info. COSE does
// not require deterministic encoding, so it accepts map keys in any order
// and heads of any length, like the suit codec does for embedded
// structures; it refuses duplicate labels, indefinite lengths and
// anything whose declared length exceeds the bytes that remain. It never
// allocates: byte strings alias the input.

const (
	maxDepth      = 16 // nesting inside one COSE_Encrypt
	maxMapEntries = 32 // labels in one header map
	maxRecipients = 16 // recipients in one COSE_Encrypt
)

type reader struct {
	b   []byte
	off int
}

func (r *reader) head() (byte, byte, uint64, error) {
	maj, ai, arg, n, err := cbor.ReadHead(r.b[r.off:])
	switch err {
	case nil:
	case cbor.ErrIndefinite:
		return 0, 0, 0, malformed("indefinite-length item at byte %d", r.off)
	case cbor.ErrReserved:
		return 0, 0, 0, malformed("reserved initial byte at byte %d", r.off)
	default:
		return 0, 0, 0, malformed("input ends inside an item at byte %d", r.off)
	}
	r.off += n
	return maj, ai, arg, nil
}

func (r *reader) take(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.off) {
		return nil, malformed("declared length %d exceeds the %d bytes that remain", n, len(r.b)-r.off)
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s, nil
}

func (r *reader) bytes(what string) ([]byte, error) {
	m, _, n, err := r.head()
	if err != nil {
		return nil, err
	}
	if m != cbor.Bytes {
		return nil, malformed("%s is not a byte string", what)
	}
	return r.take(n)
}

// bytesOrNil reads a bstr or null (nil, true).
func (r *reader) bytesOrNil(what string) ([]byte, bool, error) {
	if r.off < len(r.b) && r.b[r.off] == 0xf6 {
		r.off++
		return nil, true, nil
	}
	b, err := r.bytes(what)
	return b, false, err
}

func (r *reader) int(what string) (int64, error) {
	m, _, n, err := r.head()
	if err != nil {
		return 0, err
	}
	if (m != cbor.Uint && m != cbor.Nint) || n > 1<<63-1 {
		return 0, malformed("%s is not an integer", what)
	}
	if m == cbor.Nint {
		return -1 - int64(n), nil
	}
	return int64(n), nil
}

func (r *reader) count(n uint64, per uint64, capN int, what string) (int, error) {
	if n > uint64(capN) {
		return 0, malformed("%s has %d elements, more than %d", what, n, capN)
	}
	if n*per > uint64(len(r.b)-r.off) {
		return 0, malformed("%s declares %d elements but only %d bytes remain", what, n, len(r.b)-r.off)
	}
	return int(n), nil
}

func (r *reader) array(capN int, what string) (int, error) {
	m, _, n, err := r.head()
	if err != nil {
		return 0, err
	}
	if m != cbor.Array {
		return 0, malformed("%s is not an array", what)
	}
	return r.count(n, 1, capN, what)
}

// skip validates one item of any kind.
func (r *reader) skip(depth int) error {
	if depth > maxDepth {
		return malformed("nested more than %d levels", maxDepth)
	}
	m, ai, n, err := r.head()
	if err != nil {
		return err
	}
	switch m {
	case cbor.Bytes:
		_, err = r.take(n)
	case cbor.Text:
		var s []byte
		if s, err = r.take(n); err == nil && !utf8.Valid(s) {
			err = malformed("invalid UTF-8 in a text string")
		}
	case cbor.Array:
		var c int
		if c, err = r.count(n, 1, 1<<16, "array"); err == nil {
			for range c {
				if err = r.skip(depth + 1); err != nil {
					break
				}
			}
		}
	case cbor.Map:
		err = r.mapItems(n, "map", depth+1, func(label) error { return r.skip(depth + 1) })
	case cbor.Tag:
		err = r.skip(depth + 1)
	case cbor.Simple:
		if ai == cbor.AI1Byte && n < 32 {
			err = malformed("simple value %d in two-byte form", n)
		}
	}
	return err
}

// label is a COSE map label: an integer, or a text string (text set).
type label struct {
	n      int64
	text   string
	isText bool
}

// readLabel reads a map key; keys that are neither integers nor text get
// an error.
func (r *reader) readLabel() (label, error) {
	start := r.off
	m, _, n, err := r.head()
	if err != nil {
		return label{}, err
	}
	switch m {
	case cbor.Uint, cbor.Nint:
		if n > 1<<63-1 {
			return label{}, malformed("map label out of range")
		}
		if m == cbor.Nint {
			return label{n: -1 - int64(n)}, nil
		}
		return label{n: int64(n)}, nil
	case cbor.Text:
		s, err := r.take(n)
		if err != nil {
			return label{}, err
		}
		if !utf8.Valid(s) {
			return label{}, malformed("invalid UTF-8 in a map label")
		}
		return label{text: string(s), isText: true}, nil
	}
	return label{}, malformed("map label at byte %d is not an integer or text", start)
}

// mapItems walks a map whose head was read (n pairs): each label is read,
// checked against the earlier ones (any order, never twice) and passed to
// value, which must consume the value.
func (r *reader) mapItems(n uint64, what string, depth int, value func(label) error) error {
	if depth > maxDepth {
		return malformed("nested more than %d levels", maxDepth)
	}
	c, err := r.count(n, 2, maxMapEntries, what)
	if err != nil {
		return err
	}
	var seen [maxMapEntries]label
	for i := range c {
		l, err := r.readLabel()
		if err != nil {
			return err
		}
		for _, p := range seen[:i] {
			if p == l {
				return malformed("%s repeats a label", what)
			}
		}
		seen[i] = l
		if err := value(l); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) mapHead(what string) (uint64, error) {
	m, _, n, err := r.head()
	if err != nil {
		return 0, err
	}
	if m != cbor.Map {
		return 0, malformed("%s is not a map", what)
	}
	return n, nil
}

// Writer helpers: deterministic encoding of what this package builds.

func appendInt(dst []byte, v int64) []byte {
	if v < 0 {
		return cbor.AppendHead(dst, cbor.Nint, uint64(-1-v))
	}
	return cbor.AppendHead(dst, cbor.Uint, uint64(v))
}

func appendBstr(dst, b []byte) []byte {
	return append(cbor.AppendHead(dst, cbor.Bytes, uint64(len(b))), b...)
}
