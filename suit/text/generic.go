package text

import (
	"encoding/hex"
	"strconv"

	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// The generic part of the text form, for CBOR the SUIT schema does not
// describe (custom parameters, unknown keys, version and wait-info
// parameters, COSE blocks):
//
//	integer        -> number
//	text string    -> string
//	true/false/null-> true/false/null
//	byte string    -> {"bstr": hex}, or {"cbor": item} when it holds one
//	                  deterministically encoded array, map or tag
//	array          -> array
//	map            -> object with decimal member names when every key is
//	                  an integer
//	tag            -> {"tag": number, "value": item}
//	anything else  -> {"cbor-hex": encoding}
const (
	tnGenBstr  = "bstr"
	tnGenCBOR  = "cbor"
	tnGenTag   = "tag"
	tnGenValue = "value"
)

// generic converts any item; depth counts nesting across embedded layers.
func (o *textOut) generic(n *cbornode.Node, depth int) *tnode {
	if depth < o.maxDepth {
		switch {
		case n.IsInt():
			return intText(n)
		case n.Major == 3:
			return tStr(string(n.Str))
		case n.IsBool():
			return tBool(n.AI == 21)
		case n.IsNull():
			return tNull()
		case n.Major == 2:
			if len(n.Str) > 0 && n.Str[0]>>5 >= 4 && n.Str[0]>>5 <= 6 {
				if inner := o.embedded(n.Str, depth+1); inner != nil {
					return tObj().set(tnGenCBOR, o.generic(inner, depth+1))
				}
			}
			return tObj().set(tnGenBstr, tStr(hex.EncodeToString(n.Str)))
		case n.Major == 4:
			a := tArr()
			for _, e := range n.Elems {
				a.elems = append(a.elems, o.generic(e, depth+1))
			}
			return a
		case n.Major == 5:
			obj := tObj()
			for i := 0; i < len(n.Elems); i += 2 {
				k, ok := n.Elems[i].Int64()
				if !ok {
					return o.raw(n, schema.Any)
				}
				obj.set(strconv.FormatInt(k, 10), o.generic(n.Elems[i+1], depth+1))
			}
			return obj
		case n.Major == 6:
			return tObj().set(tnGenTag, tNum(strconv.FormatUint(n.Arg, 10))).set(tnGenValue, o.generic(n.Elems[0], depth+1))
		}
	}
	return o.raw(n, schema.Any)
}

// generic converts the generic form back.
func (r *textIn) generic(t *tnode, path string) (*cbornode.Node, error) {
	switch t.kind {
	case tnNumber:
		return textNumber(t, path)
	case tnString:
		return cbornode.Text(t.s), nil
	case tnBool:
		return cbornode.Bool(t.b), nil
	case tnNull:
		return cbornode.Null(), nil
	case tnArray:
		a := cbornode.Array()
		for i, e := range t.elems {
			n, err := r.generic(e, idxPath(path, i))
			if err != nil {
				return nil, err
			}
			a.Elems = append(a.Elems, n)
		}
		return a, nil
	}
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if k, v, ok := t.single(); ok {
		switch k {
		case tnGenBstr:
			b, err := textHex(v, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			return cbornode.Bytes(b), nil
		case tnGenCBOR:
			inner, err := r.generic(v, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			return wrapItem(inner, path)
		}
	}
	if tag, ok := t.get(tnGenTag); ok && len(t.keys) == 2 {
		v, ok := t.get(tnGenValue)
		if !ok {
			return nil, textErrf(path, "a tag is {%q: number, %q: item}", tnGenTag, tnGenValue)
		}
		tn, err := textNumber(tag, joinPath(path, tnGenTag))
		if err != nil || tn.Major != 0 {
			return nil, textErrf(joinPath(path, tnGenTag), "a tag number is an unsigned integer")
		}
		c, err := r.generic(v, joinPath(path, tnGenValue))
		if err != nil {
			return nil, err
		}
		return cbornode.Tag(tn.Arg, c), nil
	}
	m := cbornode.Map()
	for i, k := range t.keys {
		key, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, textErrf(joinPath(path, k), "a map member name must be an integer here (or use {\"cbor-hex\": ...})")
		}
		v, err := r.generic(t.elems[i], joinPath(path, k))
		if err != nil {
			return nil, err
		}
		m.Elems = append(m.Elems, cbornode.Int(key), v)
	}
	return m, nil
}
