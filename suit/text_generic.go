package suit

import (
	"encoding/hex"
	"strconv"
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
func (o *textOut) generic(n *dnode, depth int) *tnode {
	if depth < o.maxDepth {
		switch {
		case n.isInt():
			return intText(n)
		case n.major == 3:
			return tStr(string(n.str))
		case n.isBool():
			return tBool(n.ai == 21)
		case n.isNull():
			return tNull()
		case n.major == 2:
			if len(n.str) > 0 && n.str[0]>>5 >= 4 && n.str[0]>>5 <= 6 {
				if inner := o.embedded(n.str, depth+1); inner != nil {
					return tObj().set(tnGenCBOR, o.generic(inner, depth+1))
				}
			}
			return tObj().set(tnGenBstr, tStr(hex.EncodeToString(n.str)))
		case n.major == 4:
			a := tArr()
			for _, e := range n.elems {
				a.elems = append(a.elems, o.generic(e, depth+1))
			}
			return a
		case n.major == 5:
			obj := tObj()
			for i := 0; i < len(n.elems); i += 2 {
				k, ok := n.elems[i].int64()
				if !ok {
					return o.raw(n, kAny)
				}
				obj.set(strconv.FormatInt(k, 10), o.generic(n.elems[i+1], depth+1))
			}
			return obj
		case n.major == 6:
			return tObj().set(tnGenTag, tNum(strconv.FormatUint(n.arg, 10))).set(tnGenValue, o.generic(n.elems[0], depth+1))
		}
	}
	return o.raw(n, kAny)
}

// generic converts the generic form back.
func (r *textIn) generic(t *tnode, path string) (*dnode, error) {
	switch t.kind {
	case tnNumber:
		return textNumber(t, path)
	case tnString:
		return dnText(t.s), nil
	case tnBool:
		return dnBool(t.b), nil
	case tnNull:
		return dnNull(), nil
	case tnArray:
		a := dnArray()
		for i, e := range t.elems {
			n, err := r.generic(e, idxPath(path, i))
			if err != nil {
				return nil, err
			}
			a.elems = append(a.elems, n)
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
			return dnBytes(b), nil
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
		if err != nil || tn.major != 0 {
			return nil, textErrf(joinPath(path, tnGenTag), "a tag number is an unsigned integer")
		}
		c, err := r.generic(v, joinPath(path, tnGenValue))
		if err != nil {
			return nil, err
		}
		return dnTag(tn.arg, c), nil
	}
	m := dnMap()
	for i, k := range t.keys {
		key, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, textErrf(joinPath(path, k), "a map member name must be an integer here (or use {\"cbor-hex\": ...})")
		}
		v, err := r.generic(t.elems[i], joinPath(path, k))
		if err != nil {
			return nil, err
		}
		m.elems = append(m.elems, dnInt(key), v)
	}
	return m, nil
}
