package text

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// textIn converts the structural text form back to CBOR items. Values that
// the schema cannot express are given as {"cbor-hex": ...} anywhere.
type textIn struct {
	files *textFiles
	// severed holds the envelope's severable members (key -> the encoded
	// bstr item), so that a manifest digest given without bytes can be
	// computed.
	severed map[int64][]byte
}

func textErrf(path, format string, a ...any) error {
	return &Error{Path: path, Detail: fmt.Sprintf(format, a...)}
}

func joinPath(path, seg string) string {
	if path == "" {
		return seg
	}
	if strings.HasPrefix(seg, "[") {
		return path + seg
	}
	return path + "/" + seg
}

func idxPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// number parses a number literal into a CBOR integer.
func textNumber(t *tnode, path string) (*cbornode.Node, error) {
	if t.kind != tnNumber {
		return nil, textErrf(path, "want an integer, got %s", t.kind)
	}
	s := t.s
	if strings.HasPrefix(s, "-") {
		mag, err := strconv.ParseUint(s[1:], 10, 64)
		if err != nil || mag == 0 {
			if s == "-0" {
				return cbornode.Uint(0), nil
			}
			if s[1:] == "18446744073709551616" {
				return &cbornode.Node{Major: 1, Arg: ^uint64(0)}, nil
			}
			return nil, textErrf(path, "invalid integer %q", s)
		}
		return &cbornode.Node{Major: 1, Arg: mag - 1}, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return nil, textErrf(path, "invalid integer %q", s)
	}
	return cbornode.Uint(v), nil
}

func textHex(t *tnode, path string) ([]byte, error) {
	if t.kind != tnString {
		return nil, textErrf(path, "want a hex string, got %s", t.kind)
	}
	b, err := hex.DecodeString(t.s)
	if err != nil {
		return nil, textErrf(path, "invalid hex: %v", err)
	}
	return b, nil
}

// rawEscape returns the item of a {"cbor-hex": ...} object, or nil.
func (r *textIn) rawEscape(t *tnode, path string) (*cbornode.Node, bool, error) {
	k, v, ok := t.single()
	if !ok || k != tnCBORHex {
		return nil, false, nil
	}
	b, err := textHex(v, joinPath(path, tnCBORHex))
	if err != nil {
		return nil, true, err
	}
	n, err := cbornode.Parse(b, 0)
	if err != nil {
		return nil, true, textErrf(path, "cbor-hex: %v", err)
	}
	return n, true, nil
}

// wrap encodes an item and returns it as a bstr item.
func wrapItem(n *cbornode.Node, path string) (*cbornode.Node, error) {
	b, err := n.EncodeBytes()
	if err != nil {
		return nil, textErrf(path, "%v", err)
	}
	return cbornode.Bytes(b), nil
}

func (r *textIn) value(t *tnode, k schema.Kind, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if schema.IsBstr(k) && k != schema.UUID && k != schema.Bytes && t.kind == tnString {
		// A bstr-wrapped element given as the hex of its content.
		b, err := textHex(t, path)
		if err != nil {
			return nil, err
		}
		return cbornode.Bytes(b), nil
	}
	switch k {
	case schema.Any:
		return r.generic(t, path)
	case schema.CBORBstr:
		k, v, ok := t.single()
		if !ok || k != tnGenCBOR {
			return nil, textErrf(path, "want {%q: item} or the hex of the content", tnGenCBOR)
		}
		inner, err := r.generic(v, joinPath(path, k))
		if err != nil {
			return nil, err
		}
		return wrapItem(inner, path)
	case schema.Uint, schema.Int:
		n, err := textNumber(t, path)
		if err == nil && k == schema.Uint && n.Major != 0 {
			return nil, textErrf(path, "want an unsigned integer, got %s", t.s)
		}
		return n, err
	case schema.Text:
		if t.kind != tnString {
			return nil, textErrf(path, "want a string, got %s", t.kind)
		}
		return cbornode.Text(t.s), nil
	case schema.Bytes:
		if t.kind == tnObject {
			b, err := r.files.fromSpec(t, path)
			if err != nil {
				return nil, err
			}
			return cbornode.Bytes(b), nil
		}
		b, err := textHex(t, path)
		if err != nil {
			return nil, err
		}
		return cbornode.Bytes(b), nil
	case schema.Bool:
		if t.kind != tnBool {
			return nil, textErrf(path, "want true or false, got %s", t.kind)
		}
		return cbornode.Bool(t.b), nil
	case schema.UUID:
		return r.uuid(t, path)
	case schema.Digest:
		return r.digest(t, path)
	case schema.DigestBstr:
		d, err := r.digest(t, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(d, path)
	case schema.ComponentID:
		return r.componentID(t, path)
	case schema.Components:
		if t.kind != tnArray {
			return nil, textErrf(path, "want an array of component identifiers")
		}
		a := cbornode.Array()
		for i, e := range t.elems {
			c, err := r.componentID(e, idxPath(path, i))
			if err != nil {
				return nil, err
			}
			a.Elems = append(a.Elems, c)
		}
		return a, nil
	case schema.SeqBstr:
		s, err := r.sequence(t, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(s, path)
	case schema.TextBstr:
		m, err := r.textMap(t, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(m, path)
	case schema.CommonBstr, schema.ManifestBstr:
		sm := schema.Common
		if k == schema.ManifestBstr {
			sm = schema.Manifest
		}
		m, err := r.intMap(t, sm, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(m, path)
	case schema.Params:
		return r.intMap(t, schema.Parameter, path)
	case schema.RepPolicy:
		return r.repPolicy(t, path)
	case schema.IndexArg:
		return r.indexArg(t, path)
	case schema.TryEach:
		return r.tryEach(t, path)
	case schema.OverrideMultiple, schema.CopyParams, schema.Dependencies:
		return r.indexedMap(t, k, path)
	}
	return nil, textErrf(path, "value of this kind must be given with its parent")
}

func (r *textIn) componentID(t *tnode, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnArray {
		return nil, textErrf(path, "a component identifier is an array of hex strings")
	}
	a := cbornode.Array()
	for i, e := range t.elems {
		b, err := textHex(e, idxPath(path, i))
		if err != nil {
			return nil, err
		}
		a.Elems = append(a.Elems, cbornode.Bytes(b))
	}
	return a, nil
}

// intMap converts an object whose members are named by schema.
func (r *textIn) intMap(t *tnode, sm *schema.Map, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "want an object, got %s", t.kind)
	}
	m := cbornode.Map()
	for i, name := range t.keys {
		f, ok := sm.Lookup(name)
		p := joinPath(path, name)
		if !ok {
			return nil, textErrf(p, "unknown member name (not an IETF name nor a number)")
		}
		v, err := r.member(t.elems[i], f, sm, p)
		if err != nil {
			return nil, err
		}
		m.Elems = append(m.Elems, cbornode.Int(f.Key), v)
	}
	return m, nil
}

// member converts one map member, handling the members whose conversion
// depends on the key: severable elements and file-derived image sizes.
func (r *textIn) member(t *tnode, f schema.Field, sm *schema.Map, path string) (*cbornode.Node, error) {
	switch f.Kind {
	case schema.SeverableSeq, schema.SeverableText, schema.SeverableBytes:
		if k, d, ok := t.single(); ok && k == tnSevered {
			return r.severedDigest(d, f.Key, joinPath(path, tnSevered))
		}
		inner := map[schema.Kind]schema.Kind{schema.SeverableSeq: schema.SeqBstr, schema.SeverableText: schema.TextBstr, schema.SeverableBytes: schema.CBORBstr}[f.Kind]
		return r.value(t, inner, path)
	}
	if sm == schema.Parameter && f.Key == 14 && t.kind == tnObject {
		if _, ok := t.get(tnFile); ok {
			b, err := r.files.fromSpec(t, path)
			if err != nil {
				return nil, err
			}
			return cbornode.Uint(uint64(len(b))), nil
		}
	}
	return r.value(t, f.Kind, path)
}

// sequence converts an array of one-member objects to a command sequence.
func (r *textIn) sequence(t *tnode, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnArray {
		return nil, textErrf(path, "a command sequence is an array of one-member objects")
	}
	seq := cbornode.Array()
	for i, c := range t.elems {
		p := idxPath(path, i)
		name, arg, ok := c.single()
		if !ok {
			return nil, textErrf(p, "a command is an object with exactly one member")
		}
		f, ok := schema.Command.Lookup(name)
		if !ok {
			return nil, textErrf(p, "unknown command %q", name)
		}
		a, err := r.value(arg, f.Kind, joinPath(p, name))
		if err != nil {
			return nil, err
		}
		seq.Elems = append(seq.Elems, cbornode.Int(f.Key), a)
	}
	return seq, nil
}

func (r *textIn) repPolicy(t *tnode, path string) (*cbornode.Node, error) {
	if t.kind == tnNumber {
		return r.value(t, schema.Uint, path)
	}
	if t.kind != tnArray {
		return nil, textErrf(path, "a reporting policy is an array of bit names or an integer")
	}
	var v uint64
next:
	for i, e := range t.elems {
		if e.kind == tnString {
			for bit, name := range schema.ReportingPolicyBits {
				if e.s == name {
					v |= 1 << bit
					continue next
				}
			}
		}
		return nil, textErrf(idxPath(path, i), "unknown reporting-policy bit (want one of %s)", strings.Join(schema.ReportingPolicyBits, ", "))
	}
	return cbornode.Uint(v), nil
}

func (r *textIn) indexArg(t *tnode, path string) (*cbornode.Node, error) {
	switch t.kind {
	case tnNumber:
		return r.value(t, schema.Uint, path)
	case tnBool:
		return cbornode.Bool(t.b), nil
	case tnArray:
		a := cbornode.Array()
		for i, e := range t.elems {
			n, err := r.value(e, schema.Uint, idxPath(path, i))
			if err != nil {
				return nil, err
			}
			a.Elems = append(a.Elems, n)
		}
		return a, nil
	}
	return nil, textErrf(path, "a component index is an integer, true or an array of integers")
}

func (r *textIn) tryEach(t *tnode, path string) (*cbornode.Node, error) {
	if t.kind != tnArray {
		return nil, textErrf(path, "try-each takes an array of command sequences")
	}
	a := cbornode.Array()
	for i, e := range t.elems {
		if e.kind == tnNull {
			a.Elems = append(a.Elems, cbornode.Null())
			continue
		}
		s, err := r.value(e, schema.SeqBstr, idxPath(path, i))
		if err != nil {
			return nil, err
		}
		a.Elems = append(a.Elems, s)
	}
	return a, nil
}

func (r *textIn) indexedMap(t *tnode, k schema.Kind, path string) (*cbornode.Node, error) {
	if t.kind != tnObject {
		return nil, textErrf(path, "want an object keyed by component index")
	}
	m := cbornode.Map()
	for i, key := range t.keys {
		p := joinPath(path, key)
		idx, err := strconv.ParseUint(key, 10, 64)
		if err != nil {
			return nil, textErrf(p, "key must be a component index")
		}
		var v *cbornode.Node
		switch k {
		case schema.OverrideMultiple:
			v, err = r.value(t.elems[i], schema.Params, p)
		case schema.Dependencies:
			v, err = r.intMap(t.elems[i], schema.DependencyMetadata, p)
		default:
			v, err = r.paramKeys(t.elems[i], p)
		}
		if err != nil {
			return nil, err
		}
		m.Elems = append(m.Elems, cbornode.Uint(idx), v)
	}
	return m, nil
}

func (r *textIn) paramKeys(t *tnode, path string) (*cbornode.Node, error) {
	if t.kind != tnArray {
		return nil, textErrf(path, "want an array of parameter names")
	}
	a := cbornode.Array()
	for i, e := range t.elems {
		name := e.s
		if e.kind == tnNumber {
			name = e.s
		} else if e.kind != tnString {
			return nil, textErrf(idxPath(path, i), "want a parameter name")
		}
		f, ok := schema.Parameter.Lookup(name)
		if !ok {
			return nil, textErrf(idxPath(path, i), "unknown parameter %q", name)
		}
		a.Elems = append(a.Elems, cbornode.Int(f.Key))
	}
	return a, nil
}
