// Package cbornode is a small CBOR item tree shared by the diagnostic
// notation (suit/diag) and the JSON/YAML text form (suit/text). It is
// independent of the SUIT model: it walks any well-formed CBOR data item
// with definite lengths, keeps each item's exact encoding, and re-encodes
// built items deterministically (RFC 8949 section 4.2.1). It is internal
// because its only purpose is to let those two packages share one walker
// instead of each carrying its own.
package cbornode

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/suit"
)

// DefaultDepth bounds nesting, counted across embedded (bstr-wrapped)
// layers as well as within one item.
const DefaultDepth = 64

// Node is one CBOR data item.
type Node struct {
	Major uint8   // major type 0..7
	AI    uint8   // additional information of the head (major 7 only)
	Arg   uint64  // integer value, length, tag number or simple/float bits
	Str   []byte  // content of a byte or text string
	Elems []*Node // array elements; map keys and values interleaved; tag content
	Raw   []byte  // exact encoding; when set it is emitted verbatim
}

// ParseError says where the walker stopped. It matches suit.ErrMalformed.
type ParseError struct {
	Offset int
	Msg    string
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("malformed CBOR at byte %d: %s", e.Offset, e.Msg)
}

// Unwrap returns suit.ErrMalformed.
func (e *ParseError) Unwrap() error { return suit.ErrMalformed }

type decoder struct {
	data  []byte
	off   int
	depth int // remaining depth budget
}

// Parse decodes exactly one CBOR item from data (no trailing bytes).
// maxDepth <= 0 selects DefaultDepth.
func Parse(data []byte, maxDepth int) (*Node, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultDepth
	}
	d := &decoder{data: data, depth: maxDepth}
	n, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(data) {
		return nil, &ParseError{d.off, fmt.Sprintf("%d trailing bytes", len(data)-d.off)}
	}
	return n, nil
}

func (d *decoder) fail(msg string) error { return &ParseError{d.off, msg} }

func (d *decoder) head() (major, ai uint8, arg uint64, err error) {
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

func (d *decoder) item(level int) (*Node, error) {
	if level >= d.depth {
		return nil, d.fail("nesting too deep")
	}
	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	n := &Node{Major: major, AI: ai, Arg: arg}
	rest := uint64(len(d.data) - d.off)
	switch major {
	case 2, 3:
		if arg > rest {
			return nil, d.fail("string longer than the remaining input")
		}
		n.Str = d.data[d.off : d.off+int(arg)]
		d.off += int(arg)
		if major == 3 && !utf8.Valid(n.Str) {
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
		n.Elems = make([]*Node, 0, count)
		for i := uint64(0); i < count; i++ {
			e, err := d.item(level + 1)
			if err != nil {
				return nil, err
			}
			n.Elems = append(n.Elems, e)
		}
	case 6:
		e, err := d.item(level + 1)
		if err != nil {
			return nil, err
		}
		n.Elems = []*Node{e}
	}
	n.Raw = d.data[start:d.off]
	return n, nil
}

// errDuplicateKey is returned when a built map holds the same key twice.
var errDuplicateKey = errors.New("duplicate map key")

// Encode appends the item's encoding to dst. Items with raw bytes are emitted
// verbatim; built items are encoded deterministically (shortest heads, map
// keys sorted bytewise, duplicates rejected). When canon is true raw bytes
// are ignored, so comparing the result with the input tells whether the
// input was deterministically encoded.
func (n *Node) Encode(dst []byte, canon bool) ([]byte, error) {
	if n.Raw != nil && !canon {
		return append(dst, n.Raw...), nil
	}
	switch n.Major {
	case 0, 1, 6:
		dst = cbor.AppendHead(dst, n.Major, n.Arg)
		if n.Major == 6 {
			if len(n.Elems) != 1 {
				return nil, fmt.Errorf("%w: tag without content", suit.ErrMalformed)
			}
			return n.Elems[0].Encode(dst, canon)
		}
		return dst, nil
	case 2, 3:
		dst = cbor.AppendHead(dst, n.Major, uint64(len(n.Str)))
		return append(dst, n.Str...), nil
	case 4:
		dst = cbor.AppendHead(dst, 4, uint64(len(n.Elems)))
		var err error
		for _, e := range n.Elems {
			if dst, err = e.Encode(dst, canon); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case 5:
		return n.encodeMap(dst, canon)
	case 7:
		switch {
		case n.AI < 24:
			return append(dst, 0xe0|n.AI), nil
		case n.AI == 24:
			return append(dst, 0xf8, uint8(n.Arg)), nil
		case n.AI == 25:
			return append(dst, 0xf9, uint8(n.Arg>>8), uint8(n.Arg)), nil
		case n.AI == 26:
			return append(dst, 0xfa, uint8(n.Arg>>24), uint8(n.Arg>>16), uint8(n.Arg>>8), uint8(n.Arg)), nil
		case n.AI == 27:
			dst = append(dst, 0xfb)
			for s := 56; s >= 0; s -= 8 {
				dst = append(dst, uint8(n.Arg>>uint(s)))
			}
			return dst, nil
		}
	}
	return nil, fmt.Errorf("%w: cannot encode major type %d", suit.ErrMalformed, n.Major)
}

func (n *Node) encodeMap(dst []byte, canon bool) ([]byte, error) {
	if len(n.Elems)%2 != 0 {
		return nil, fmt.Errorf("%w: map with odd element count", suit.ErrMalformed)
	}
	type pair struct{ k, v []byte }
	pairs := make([]pair, 0, len(n.Elems)/2)
	for i := 0; i < len(n.Elems); i += 2 {
		k, err := n.Elems[i].Encode(nil, canon)
		if err != nil {
			return nil, err
		}
		v, err := n.Elems[i+1].Encode(nil, canon)
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

// EncodeBytes returns the item's encoding (see Encode).
func (n *Node) EncodeBytes() ([]byte, error) { return n.Encode(nil, false) }

// Canonical reports whether the decoded item was deterministically
// encoded: re-encoding it from scratch reproduces its bytes.
func Canonical(n *Node) bool {
	if n.Raw == nil {
		return false
	}
	b, err := n.Encode(nil, true)
	return err == nil && bytes.Equal(b, n.Raw)
}

// Uint returns a built unsigned integer.
func Uint(v uint64) *Node { return &Node{Major: 0, Arg: v} }

// Int returns a built integer.
func Int(v int64) *Node {
	if v < 0 {
		return &Node{Major: 1, Arg: uint64(-1 - v)}
	}
	return &Node{Major: 0, Arg: uint64(v)}
}

// Bytes returns a built byte string.
func Bytes(b []byte) *Node { return &Node{Major: 2, Str: b} }

// Text returns a built text string.
func Text(s string) *Node { return &Node{Major: 3, Str: []byte(s)} }

// Array returns a built array of e.
func Array(e ...*Node) *Node {
	if e == nil {
		e = []*Node{}
	}
	return &Node{Major: 4, Elems: e}
}

// Map returns a built map; kv holds keys and values interleaved.
func Map(kv ...*Node) *Node { return &Node{Major: 5, Elems: kv} }

// Tag returns a built tag holding c.
func Tag(tag uint64, c *Node) *Node {
	return &Node{Major: 6, Arg: tag, Elems: []*Node{c}}
}

// Bool returns a built boolean.
func Bool(b bool) *Node {
	if b {
		return &Node{Major: 7, AI: 21, Arg: 21}
	}
	return &Node{Major: 7, AI: 20, Arg: 20}
}

// Null returns a built null.
func Null() *Node { return &Node{Major: 7, AI: 22, Arg: 22} }

// IsInt reports whether n is an integer (major type 0 or 1).
func (n *Node) IsInt() bool { return n.Major == 0 || n.Major == 1 }

// IsNull reports whether n is null.
func (n *Node) IsNull() bool { return n.Major == 7 && n.AI == 22 }

// IsBool reports whether n is true or false.
func (n *Node) IsBool() bool { return n.Major == 7 && (n.AI == 20 || n.AI == 21) }

// Int64 returns the integer value when it fits in an int64.
func (n *Node) Int64() (int64, bool) {
	if !n.IsInt() || n.Arg > 1<<63-1 {
		return 0, false
	}
	if n.Major == 1 {
		return -1 - int64(n.Arg), true
	}
	return int64(n.Arg), true
}

// NegativeString returns the decimal form of the negative integer with
// head argument arg (-1 - arg), which may not fit in an int64.
func NegativeString(arg uint64) string {
	if arg == math.MaxUint64 {
		return "-18446744073709551616"
	}
	return "-" + strconv.FormatUint(arg+1, 10)
}

// Quote returns a text string as a JSON-style quoted string, as both the
// diagnostic notation and the JSON text form write it.
func Quote(s []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range string(s) {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
