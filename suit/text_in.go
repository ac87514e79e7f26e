package suit

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
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
	return &TextError{Path: path, Detail: fmt.Sprintf(format, a...)}
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
func textNumber(t *tnode, path string) (*dnode, error) {
	if t.kind != tnNumber {
		return nil, textErrf(path, "want an integer, got %s", t.kind)
	}
	s := t.s
	if strings.HasPrefix(s, "-") {
		mag, err := strconv.ParseUint(s[1:], 10, 64)
		if err != nil || mag == 0 {
			if s == "-0" {
				return dnUint(0), nil
			}
			if s[1:] == "18446744073709551616" {
				return &dnode{major: 1, arg: ^uint64(0)}, nil
			}
			return nil, textErrf(path, "invalid integer %q", s)
		}
		return &dnode{major: 1, arg: mag - 1}, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return nil, textErrf(path, "invalid integer %q", s)
	}
	return dnUint(v), nil
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
func (r *textIn) rawEscape(t *tnode, path string) (*dnode, bool, error) {
	k, v, ok := t.single()
	if !ok || k != tnCBORHex {
		return nil, false, nil
	}
	b, err := textHex(v, joinPath(path, tnCBORHex))
	if err != nil {
		return nil, true, err
	}
	n, err := dnParse(b, 0)
	if err != nil {
		return nil, true, textErrf(path, "cbor-hex: %v", err)
	}
	return n, true, nil
}

// wrap encodes an item and returns it as a bstr item.
func wrapItem(n *dnode, path string) (*dnode, error) {
	b, err := n.bytes()
	if err != nil {
		return nil, textErrf(path, "%v", err)
	}
	return dnBytes(b), nil
}

func (r *textIn) value(t *tnode, k tkind, path string) (*dnode, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if bstrKind(k) && k != kUUID && k != kBytes && t.kind == tnString {
		// A bstr-wrapped element given as the hex of its content.
		b, err := textHex(t, path)
		if err != nil {
			return nil, err
		}
		return dnBytes(b), nil
	}
	switch k {
	case kAny:
		return r.generic(t, path)
	case kCBORBstr:
		k, v, ok := t.single()
		if !ok || k != tnGenCBOR {
			return nil, textErrf(path, "want {%q: item} or the hex of the content", tnGenCBOR)
		}
		inner, err := r.generic(v, joinPath(path, k))
		if err != nil {
			return nil, err
		}
		return wrapItem(inner, path)
	case kUint, kInt:
		n, err := textNumber(t, path)
		if err == nil && k == kUint && n.major != 0 {
			return nil, textErrf(path, "want an unsigned integer, got %s", t.s)
		}
		return n, err
	case kText:
		if t.kind != tnString {
			return nil, textErrf(path, "want a string, got %s", t.kind)
		}
		return dnText(t.s), nil
	case kBytes:
		if t.kind == tnObject {
			b, err := r.files.fromSpec(t, path)
			if err != nil {
				return nil, err
			}
			return dnBytes(b), nil
		}
		b, err := textHex(t, path)
		if err != nil {
			return nil, err
		}
		return dnBytes(b), nil
	case kBool:
		if t.kind != tnBool {
			return nil, textErrf(path, "want true or false, got %s", t.kind)
		}
		return dnBool(t.b), nil
	case kUUID:
		return r.uuid(t, path)
	case kDigest:
		return r.digest(t, path)
	case kDigestBstr:
		d, err := r.digest(t, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(d, path)
	case kComponentID:
		return r.componentID(t, path)
	case kComponents:
		if t.kind != tnArray {
			return nil, textErrf(path, "want an array of component identifiers")
		}
		a := dnArray()
		for i, e := range t.elems {
			c, err := r.componentID(e, idxPath(path, i))
			if err != nil {
				return nil, err
			}
			a.elems = append(a.elems, c)
		}
		return a, nil
	case kSeqBstr:
		s, err := r.sequence(t, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(s, path)
	case kTextBstr:
		m, err := r.textMap(t, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(m, path)
	case kCommonBstr, kManifestBstr:
		schema := commonSchema
		if k == kManifestBstr {
			schema = manifestSchema
		}
		m, err := r.intMap(t, schema, path)
		if err != nil {
			return nil, err
		}
		return wrapItem(m, path)
	case kParams:
		return r.intMap(t, parameterSchema, path)
	case kRepPolicy:
		return r.repPolicy(t, path)
	case kIndexArg:
		return r.indexArg(t, path)
	case kTryEach:
		return r.tryEach(t, path)
	case kOverrideMultiple, kCopyParams:
		return r.indexedMap(t, k, path)
	}
	return nil, textErrf(path, "value of this kind must be given with its parent")
}

func (r *textIn) componentID(t *tnode, path string) (*dnode, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnArray {
		return nil, textErrf(path, "a component identifier is an array of hex strings")
	}
	a := dnArray()
	for i, e := range t.elems {
		b, err := textHex(e, idxPath(path, i))
		if err != nil {
			return nil, err
		}
		a.elems = append(a.elems, dnBytes(b))
	}
	return a, nil
}

// intMap converts an object whose members are named by schema.
func (r *textIn) intMap(t *tnode, schema *tmap, path string) (*dnode, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "want an object, got %s", t.kind)
	}
	m := dnMap()
	for i, name := range t.keys {
		f, ok := schema.lookup(name)
		p := joinPath(path, name)
		if !ok {
			return nil, textErrf(p, "unknown member name (not an IETF name nor a number)")
		}
		v, err := r.member(t.elems[i], f, schema, p)
		if err != nil {
			return nil, err
		}
		m.elems = append(m.elems, dnInt(f.key), v)
	}
	return m, nil
}

// member converts one map member, handling the members whose conversion
// depends on the key: severable elements and file-derived image sizes.
func (r *textIn) member(t *tnode, f tfield, schema *tmap, path string) (*dnode, error) {
	switch f.kind {
	case kSeverableSeq, kSeverableText, kSeverableBytes:
		if k, d, ok := t.single(); ok && k == tnSevered {
			return r.severedDigest(d, f.key, joinPath(path, tnSevered))
		}
		inner := map[tkind]tkind{kSeverableSeq: kSeqBstr, kSeverableText: kTextBstr, kSeverableBytes: kCBORBstr}[f.kind]
		return r.value(t, inner, path)
	}
	if schema == parameterSchema && f.key == 14 && t.kind == tnObject {
		if _, ok := t.get(tnFile); ok {
			b, err := r.files.fromSpec(t, path)
			if err != nil {
				return nil, err
			}
			return dnUint(uint64(len(b))), nil
		}
	}
	return r.value(t, f.kind, path)
}

// sequence converts an array of one-member objects to a command sequence.
func (r *textIn) sequence(t *tnode, path string) (*dnode, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnArray {
		return nil, textErrf(path, "a command sequence is an array of one-member objects")
	}
	seq := dnArray()
	for i, c := range t.elems {
		p := idxPath(path, i)
		name, arg, ok := c.single()
		if !ok {
			return nil, textErrf(p, "a command is an object with exactly one member")
		}
		f, ok := commandSchema.lookup(name)
		if !ok {
			return nil, textErrf(p, "unknown command %q", name)
		}
		a, err := r.value(arg, f.kind, joinPath(p, name))
		if err != nil {
			return nil, err
		}
		seq.elems = append(seq.elems, dnInt(f.key), a)
	}
	return seq, nil
}

func (r *textIn) repPolicy(t *tnode, path string) (*dnode, error) {
	if t.kind == tnNumber {
		return r.value(t, kUint, path)
	}
	if t.kind != tnArray {
		return nil, textErrf(path, "a reporting policy is an array of bit names or an integer")
	}
	var v uint64
next:
	for i, e := range t.elems {
		if e.kind == tnString {
			for bit, name := range repPolicyBits {
				if e.s == name {
					v |= 1 << bit
					continue next
				}
			}
		}
		return nil, textErrf(idxPath(path, i), "unknown reporting-policy bit (want one of %s)", strings.Join(repPolicyBits, ", "))
	}
	return dnUint(v), nil
}

func (r *textIn) indexArg(t *tnode, path string) (*dnode, error) {
	switch t.kind {
	case tnNumber:
		return r.value(t, kUint, path)
	case tnBool:
		return dnBool(t.b), nil
	case tnArray:
		a := dnArray()
		for i, e := range t.elems {
			n, err := r.value(e, kUint, idxPath(path, i))
			if err != nil {
				return nil, err
			}
			a.elems = append(a.elems, n)
		}
		return a, nil
	}
	return nil, textErrf(path, "a component index is an integer, true or an array of integers")
}

func (r *textIn) tryEach(t *tnode, path string) (*dnode, error) {
	if t.kind != tnArray {
		return nil, textErrf(path, "try-each takes an array of command sequences")
	}
	a := dnArray()
	for i, e := range t.elems {
		if e.kind == tnNull {
			a.elems = append(a.elems, dnNull())
			continue
		}
		s, err := r.value(e, kSeqBstr, idxPath(path, i))
		if err != nil {
			return nil, err
		}
		a.elems = append(a.elems, s)
	}
	return a, nil
}

func (r *textIn) indexedMap(t *tnode, k tkind, path string) (*dnode, error) {
	if t.kind != tnObject {
		return nil, textErrf(path, "want an object keyed by component index")
	}
	m := dnMap()
	for i, key := range t.keys {
		p := joinPath(path, key)
		idx, err := strconv.ParseUint(key, 10, 64)
		if err != nil {
			return nil, textErrf(p, "key must be a component index")
		}
		var v *dnode
		if k == kOverrideMultiple {
			v, err = r.value(t.elems[i], kParams, p)
		} else {
			v, err = r.paramKeys(t.elems[i], p)
		}
		if err != nil {
			return nil, err
		}
		m.elems = append(m.elems, dnUint(idx), v)
	}
	return m, nil
}

func (r *textIn) paramKeys(t *tnode, path string) (*dnode, error) {
	if t.kind != tnArray {
		return nil, textErrf(path, "want an array of parameter names")
	}
	a := dnArray()
	for i, e := range t.elems {
		name := e.s
		if e.kind == tnNumber {
			name = e.s
		} else if e.kind != tnString {
			return nil, textErrf(idxPath(path, i), "want a parameter name")
		}
		f, ok := parameterSchema.lookup(name)
		if !ok {
			return nil, textErrf(idxPath(path, i), "unknown parameter %q", name)
		}
		a.elems = append(a.elems, dnInt(f.key))
	}
	return a, nil
}
