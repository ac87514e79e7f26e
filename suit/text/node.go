package text

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/suitkit/suitkit/suit/internal/cbornode"
)

// tnode is one value of the structural text form: an ordered tree that
// both JSON and YAML map onto without losing member order.
type tnode struct {
	kind  tnKind
	keys  []string // object member names, in order
	elems []*tnode // object member values, or array elements
	s     string   // string value, or the literal of a number
	b     bool
}

type tnKind uint8

const (
	tnNull tnKind = iota
	tnBool
	tnNumber
	tnString
	tnArray
	tnObject
)

func (k tnKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

func tStr(s string) *tnode { return &tnode{kind: tnString, s: s} }
func tNum(s string) *tnode { return &tnode{kind: tnNumber, s: s} }
func tBool(b bool) *tnode  { return &tnode{kind: tnBool, b: b} }
func tNull() *tnode        { return &tnode{kind: tnNull} }
func tArr(e ...*tnode) *tnode {
	return &tnode{kind: tnArray, elems: e}
}
func tObj() *tnode { return &tnode{kind: tnObject} }

// set appends a member to an object.
func (t *tnode) set(key string, v *tnode) *tnode {
	t.keys = append(t.keys, key)
	t.elems = append(t.elems, v)
	return t
}

// get returns an object member.
func (t *tnode) get(key string) (*tnode, bool) {
	if t == nil || t.kind != tnObject {
		return nil, false
	}
	for i, k := range t.keys {
		if k == key {
			return t.elems[i], true
		}
	}
	return nil, false
}

// single returns the only member of a one-member object.
func (t *tnode) single() (string, *tnode, bool) {
	if t.kind != tnObject || len(t.keys) != 1 {
		return "", nil, false
	}
	return t.keys[0], t.elems[0], true
}

// writeJSON renders t with two-space indentation. Arrays of scalars that
// fit on a line are written on one line.
func (t *tnode) writeJSON(w *bytes.Buffer, level int) {
	switch t.kind {
	case tnNull:
		w.WriteString("null")
	case tnBool:
		if t.b {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case tnNumber:
		w.WriteString(t.s)
	case tnString:
		w.WriteString(cbornode.Quote([]byte(t.s)))
	case tnArray, tnObject:
		open, close := byte('['), byte(']')
		if t.kind == tnObject {
			open, close = '{', '}'
		}
		if len(t.elems) == 0 {
			w.WriteByte(open)
			w.WriteByte(close)
			return
		}
		if t.kind == tnObject && len(t.elems) == 1 && t.elems[0].inline() {
			w.WriteByte('{')
			w.WriteString(cbornode.Quote([]byte(t.keys[0])))
			w.WriteString(": ")
			t.elems[0].writeJSON(w, level)
			w.WriteByte('}')
			return
		}
		if t.kind == tnArray && t.scalarLine() {
			w.WriteByte('[')
			for i, e := range t.elems {
				if i > 0 {
					w.WriteString(", ")
				}
				e.writeJSON(w, level)
			}
			w.WriteByte(']')
			return
		}
		w.WriteByte(open)
		for i, e := range t.elems {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
			w.WriteString(strings.Repeat("  ", level+1))
			if t.kind == tnObject {
				w.WriteString(cbornode.Quote([]byte(t.keys[i])))
				w.WriteString(": ")
			}
			e.writeJSON(w, level+1)
		}
		w.WriteByte('\n')
		w.WriteString(strings.Repeat("  ", level))
		w.WriteByte(close)
	}
}

// scalarLine reports whether an array holds only short scalars.
func (t *tnode) scalarLine() bool {
	n := 0
	for _, e := range t.elems {
		if e.kind == tnArray || e.kind == tnObject {
			return false
		}
		n += len(e.s) + 4
	}
	return n <= 160
}

// inline reports whether t is written on one line.
func (t *tnode) inline() bool {
	switch t.kind {
	case tnArray:
		return t.scalarLine()
	case tnObject:
		return len(t.elems) == 0 || len(t.elems) == 1 && len(t.keys[0]) < 40 && t.elems[0].inline()
	case tnString:
		return len(t.s) <= 160
	}
	return true
}

// tnMaxDepth bounds the nesting of a parsed text form.
const tnMaxDepth = 128

// parseJSONText reads one JSON value, keeping member order, rejecting
// duplicate member names and trailing data.
func parseJSONText(data []byte) (*tnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	t, err := jsonValue(dec, 0)
	if err != nil {
		return nil, atJSONOffset(data, dec.InputOffset(), err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, atJSONOffset(data, end, errors.New("trailing data after the JSON value"))
	}
	return t, nil
}

// atJSONOffset prefixes err with the line and column (1-based, in bytes)
// where the decoder stopped: after the last token it read, so at or just
// before the fault. (A SyntaxError's Offset is not used: with the Token
// API it does not count from the start of the input.)
func atJSONOffset(data []byte, off int64, err error) error {
	off = min(max(off, 0), int64(len(data)))
	for off < int64(len(data)) && (data[off] == ' ' || data[off] == '\t' || data[off] == '\r' || data[off] == '\n' || data[off] == ':') {
		off++ // to the start of the offending token
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

func jsonValue(dec *json.Decoder, depth int) (*tnode, error) {
	if depth > tnMaxDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch v := tok.(type) {
	case nil:
		return tNull(), nil
	case bool:
		return tBool(v), nil
	case json.Number:
		return tNum(v.String()), nil
	case string:
		return tStr(v), nil
	case json.Delim:
		switch v {
		case '[':
			a := tArr()
			for dec.More() {
				e, err := jsonValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a.elems = append(a.elems, e)
			}
			_, err := dec.Token()
			return a, err
		case '{':
			o := tObj()
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				if seen[k] {
					return nil, fmt.Errorf("duplicate member %q", k)
				}
				seen[k] = true
				e, err := jsonValue(dec, depth+1)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", k, err)
				}
				o.set(k, e)
			}
			_, err := dec.Token()
			return o, err
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
