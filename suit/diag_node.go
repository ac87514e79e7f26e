package suit

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file holds a small, self-contained CBOR item model used by the
// diagnostic printer (diag.go) and the structural text form (text*.go). It is
// independent of the SUIT model: it walks any well-formed CBOR data item
// with definite lengths, keeps each item's exact encoding, and re-encodes
// built items deterministically (RFC 8949 §4.2.1).

// dnDefaultDepth bounds nesting, counted across embedded (bstr-wrapped)
// layers as well as within one item.
const dnDefaultDepth = 64

// dnode is one CBOR data item.
type dnode struct {
	major uint8    // major type 0..7
	ai    uint8    // additional information of the head (major 7 only)
	arg   uint64   // integer value, length, tag number or simple/float bits
	str   []byte   // content of a byte or text string
	elems []*dnode // array elements; map keys and values interleaved; tag content
	raw   []byte   // exact encoding; when set it is emitted verbatim
}

// dnParseError says where the walker stopped. It matches ErrMalformed.
type dnParseError struct {
	Offset int
	Msg    string
}

func (e *dnParseError) Error() string {
	return fmt.Sprintf("malformed CBOR at byte %d: %s", e.Offset, e.Msg)
}

func (e *dnParseError) Unwrap() error { return ErrMalformed }

type dnDecoder struct {
	data  []byte
	off   int
	depth int // remaining depth budget
}

// dnParse decodes exactly one CBOR item from data (no trailing bytes).
// maxDepth <= 0 selects dnDefaultDepth.
func dnParse(data []byte, maxDepth int) (*dnode, error) {
	if maxDepth <= 0 {
		maxDepth = dnDefaultDepth
	}
	d := &dnDecoder{data: data, depth: maxDepth}
	n, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(data) {
		return nil, &dnParseError{d.off, fmt.Sprintf("%d trailing bytes", len(data)-d.off)}
	}
	return n, nil
}

func (d *dnDecoder) fail(msg string) error { return &dnParseError{d.off, msg} }

func (d *dnDecoder) head() (major, ai uint8, arg uint64, err error) {
	major, ai, arg, n, err := cbor.ReadHead(d.data[d.off:])
	switch err {
	case nil:
	case cbor.ErrIndefinite:
		return 0, 0, 0, d.fail("indefinite length or break not supported")
	case cbor.ErrReserved:
		return 0, 0, 0, d.fail(fmt.Sprintf("reserved additional information %d", ai))
	default:
		if d.off < len(d.data) {
			d.off++
			return 0, 0, 0, d.fail("unexpected end of input in head")
		}
		return 0, 0, 0, d.fail("unexpected end of input")
	}
	d.off += n
	if major == cbor.Simple && ai == cbor.AI1Byte && arg < 32 {
		return 0, 0, 0, d.fail("two-byte simple value below 32")
	}
	return major, ai, arg, nil
}

func (d *dnDecoder) item(level int) (*dnode, error) {
	if level >= d.depth {
		return nil, d.fail("nesting too deep")
	}
	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	n := &dnode{major: major, ai: ai, arg: arg}
	rest := uint64(len(d.data) - d.off)
	switch major {
	case 2, 3:
		if arg > rest {
			return nil, d.fail("string longer than the remaining input")
		}
		n.str = d.data[d.off : d.off+int(arg)]
		d.off += int(arg)
		if major == 3 && !utf8.Valid(n.str) {
			return nil, d.fail("text string is not valid UTF-8")
		}
	case 4, 5:
		count := arg
		if major == 5 {
			if arg > rest/2 {
				return nil, d.fail("map longer than the remaining input")
			}
			count = arg * 2
		}
		if count > rest {
			return nil, d.fail("array longer than the remaining input")
		}
		n.elems = make([]*dnode, 0, count)
		for i := uint64(0); i < count; i++ {
			e, err := d.item(level + 1)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
		}
	case 6:
		e, err := d.item(level + 1)
		if err != nil {
			return nil, err
		}
		n.elems = []*dnode{e}
	}
	n.raw = d.data[start:d.off]
	return n, nil
}

// errDuplicateKey is returned when a built map holds the same key twice.
var errDuplicateKey = errors.New("duplicate map key")

// encode returns the item's encoding. Items with raw bytes are emitted
// verbatim; built items are encoded deterministically (shortest heads, map
// keys sorted bytewise, duplicates rejected). When canon is true raw bytes
// are ignored, so comparing the result with the input tells whether the
// input was deterministically encoded.
func (n *dnode) encode(dst []byte, canon bool) ([]byte, error) {
	if n.raw != nil && !canon {
		return append(dst, n.raw...), nil
	}
	switch n.major {
	case 0, 1, 6:
		dst = cbor.AppendHead(dst, n.major, n.arg)
		if n.major == 6 {
			if len(n.elems) != 1 {
				return nil, fmt.Errorf("%w: tag without content", ErrMalformed)
			}
			return n.elems[0].encode(dst, canon)
		}
		return dst, nil
	case 2, 3:
		dst = cbor.AppendHead(dst, n.major, uint64(len(n.str)))
		return append(dst, n.str...), nil
	case 4:
		dst = cbor.AppendHead(dst, 4, uint64(len(n.elems)))
		var err error
		for _, e := range n.elems {
			if dst, err = e.encode(dst, canon); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case 5:
		return n.encodeMap(dst, canon)
	case 7:
		switch {
		case n.ai < 24:
			return append(dst, 0xe0|n.ai), nil
		case n.ai == 24:
			return append(dst, 0xf8, uint8(n.arg)), nil
		case n.ai == 25:
			return append(dst, 0xf9, uint8(n.arg>>8), uint8(n.arg)), nil
		case n.ai == 26:
			return append(dst, 0xfa, uint8(n.arg>>24), uint8(n.arg>>16), uint8(n.arg>>8), uint8(n.arg)), nil
		case n.ai == 27:
			dst = append(dst, 0xfb)
			for s := 56; s >= 0; s -= 8 {
				dst = append(dst, uint8(n.arg>>uint(s)))
			}
			return dst, nil
		}
	}
	return nil, fmt.Errorf("%w: cannot encode major type %d", ErrMalformed, n.major)
}

func (n *dnode) encodeMap(dst []byte, canon bool) ([]byte, error) {
	if len(n.elems)%2 != 0 {
		return nil, fmt.Errorf("%w: map with odd element count", ErrMalformed)
	}
	type pair struct{ k, v []byte }
	pairs := make([]pair, 0, len(n.elems)/2)
	for i := 0; i < len(n.elems); i += 2 {
		k, err := n.elems[i].encode(nil, canon)
		if err != nil {
			return nil, err
		}
		v, err := n.elems[i+1].encode(nil, canon)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{k, v})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return bytes.Compare(pairs[i].k, pairs[j].k) < 0 })
	for i := 1; i < len(pairs); i++ {
		if bytes.Equal(pairs[i-1].k, pairs[i].k) {
			return nil, errDuplicateKey
		}
	}
	dst = cbor.AppendHead(dst, 5, uint64(len(pairs)))
	for _, p := range pairs {
		dst = append(dst, p.k...)
		dst = append(dst, p.v...)
	}
	return dst, nil
}

// bytes encodes a built item (deterministically).
func (n *dnode) bytes() ([]byte, error) { return n.encode(nil, false) }

// dnCanonical reports whether the decoded item was deterministically
// encoded: re-encoding it from scratch reproduces its bytes.
func dnCanonical(n *dnode) bool {
	if n.raw == nil {
		return false
	}
	b, err := n.encode(nil, true)
	return err == nil && bytes.Equal(b, n.raw)
}

// Constructors for built items.

func dnUint(v uint64) *dnode { return &dnode{major: 0, arg: v} }

func dnInt(v int64) *dnode {
	if v < 0 {
		return &dnode{major: 1, arg: uint64(-1 - v)}
	}
	return &dnode{major: 0, arg: uint64(v)}
}

func dnBytes(b []byte) *dnode { return &dnode{major: 2, str: b} }
func dnText(s string) *dnode  { return &dnode{major: 3, str: []byte(s)} }
func dnArray(e ...*dnode) *dnode {
	if e == nil {
		e = []*dnode{}
	}
	return &dnode{major: 4, elems: e}
}
func dnMap(kv ...*dnode) *dnode { return &dnode{major: 5, elems: kv} }
func dnTag(tag uint64, c *dnode) *dnode {
	return &dnode{major: 6, arg: tag, elems: []*dnode{c}}
}
func dnBool(b bool) *dnode {
	if b {
		return &dnode{major: 7, ai: 21, arg: 21}
	}
	return &dnode{major: 7, ai: 20, arg: 20}
}
func dnNull() *dnode { return &dnode{major: 7, ai: 22, arg: 22} }

// Accessors.

func (n *dnode) isInt() bool  { return n.major == 0 || n.major == 1 }
func (n *dnode) isNull() bool { return n.major == 7 && n.ai == 22 }
func (n *dnode) isBool() bool { return n.major == 7 && (n.ai == 20 || n.ai == 21) }

// int64 returns the integer value when it fits in an int64.
func (n *dnode) int64() (int64, bool) {
	if !n.isInt() || n.arg > 1<<63-1 {
		return 0, false
	}
	if n.major == 1 {
		return -1 - int64(n.arg), true
	}
	return int64(n.arg), true
}
