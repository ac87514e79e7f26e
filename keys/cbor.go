package keys

import (
	"errors"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
)

// COSE_Key files are read with this package's own small CBOR walker, on
// internal/cbor's head reader, rather than a general CBOR library: keys is
// beneath verify, and a device that only verifies should not link a CBOR
// decoder for the sake of a few dozen bytes of key.

// itemPolicy is what the walker accepts.
type itemPolicy struct {
	maxDepth int  // nesting of arrays, maps and tags
	maxItems int  // elements of one array, pairs of one map
	tags     bool // tags allowed
}

// strictKey is the policy for COSE_Key values: no tags, no indefinite
// lengths (the walker never accepts them), small containers.
var strictKey = itemPolicy{maxDepth: 4, maxItems: 16}

// sniff only recognises what a file is meant to be (see coseKeyType).
var sniff = itemPolicy{maxDepth: 8, maxItems: 64, tags: true}

var errItem = errors.New("not well-formed CBOR within the limits")

// skipItem returns the offset just past the well-formed, definite-length
// CBOR item at b[off:] that p accepts, or an error.
func (p itemPolicy) skipItem(b []byte, off, depth int) (int, error) {
	if depth > p.maxDepth || off >= len(b) {
		return 0, errItem
	}
	major, ai, arg, hl, err := cbor.ReadHead(b[off:])
	if err != nil {
		return 0, errItem
	}
	off += hl
	switch major {
	case cbor.Bytes, cbor.Text:
		if arg > uint64(len(b)-off) {
			return 0, errItem
		}
		end := off + int(arg)
		if major == cbor.Text && !utf8.Valid(b[off:end]) {
			return 0, errors.New("invalid UTF-8 in a text string")
		}
		return end, nil
	case cbor.Array, cbor.Map:
		if arg > uint64(p.maxItems) {
			return 0, errItem
		}
		items := int(arg)
		if major == cbor.Map {
			items *= 2
		}
		for range items {
			if off, err = p.skipItem(b, off, depth+1); err != nil {
				return 0, err
			}
		}
		return off, nil
	case cbor.Tag:
		if !p.tags {
			return 0, errors.New("CBOR tags are not allowed")
		}
		return p.skipItem(b, off, depth+1)
	case cbor.Simple:
		if ai == cbor.AI1Byte && arg < 32 {
			return 0, errItem // RFC 8949 section 3.3
		}
	}
	return off, nil // integers, simple values, floats
}

// readInt64 reads the integer item that is all of item, if it fits int64.
func readInt64(item []byte) (int64, bool) {
	major, _, arg, hl, err := cbor.ReadHead(item)
	if err != nil || hl != len(item) || (major != cbor.Uint && major != cbor.Nint) || arg > 1<<63-1 {
		return 0, false
	}
	if major == cbor.Nint {
		return -1 - int64(arg), true
	}
	return int64(arg), true
}

// decodeLabelMap reads data, which must be exactly one map of at most 16
// pairs with int64 labels, no label twice, and values p accepts. It returns
// each label's encoded value.
func decodeLabelMap(data []byte, p itemPolicy) (map[int64][]byte, error) {
	major, _, n, hl, err := cbor.ReadHead(data)
	if err != nil || major != cbor.Map {
		return nil, errors.New("not a definite-length CBOR map")
	}
	if n > uint64(p.maxItems) {
		return nil, errors.New("too many map pairs")
	}
	m := make(map[int64][]byte, n)
	off := hl
	for range n {
		start := off
		if off, err = p.skipItem(data, off, 1); err != nil {
			return nil, err
		}
		label, ok := readInt64(data[start:off])
		if !ok {
			return nil, errors.New("a label is not an integer that fits int64")
		}
		if _, dup := m[label]; dup {
			return nil, errors.New("duplicate label")
		}
		start = off
		if off, err = p.skipItem(data, off, 1); err != nil {
			return nil, err
		}
		m[label] = data[start:off]
	}
	if off != len(data) {
		return nil, errors.New("trailing bytes after the map")
	}
	return m, nil
}
