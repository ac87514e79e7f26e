package suit

import (
	"encoding/hex"
	"strconv"
)

// textOut converts decoded CBOR items to the structural text form, driven
// by the schema in text_schema.go. Whatever does not fit the schema is kept
// exactly: a byte string as the hex of its content, anything else as
// {"cbor-hex": <the item's encoding>}.
type textOut struct {
	maxDepth int
}

// embedded decodes the content of a bstr that should hold CBOR. It returns
// nil unless the content is exactly one deterministically encoded item, so
// that converting it back reproduces the content byte for byte.
func (o *textOut) embedded(content []byte, depth int) *dnode {
	if depth >= o.maxDepth {
		return nil
	}
	n, err := dnParse(content, o.maxDepth-depth)
	if err != nil || !dnCanonical(n) {
		return nil
	}
	return n
}

func intText(n *dnode) *tnode {
	if n.major == 1 {
		return tNum(diagNegative(n.arg))
	}
	return tNum(strconv.FormatUint(n.arg, 10))
}

// raw is the universal fallback for an item that does not fit its kind.
func (o *textOut) raw(n *dnode, k tkind) *tnode {
	if n.major == 2 && bstrKind(k) {
		return tStr(hex.EncodeToString(n.str))
	}
	return tObj().set(tnCBORHex, tStr(hex.EncodeToString(n.raw)))
}

// value converts n, expected to be of kind k. depth counts nesting across
// embedded layers.
func (o *textOut) value(n *dnode, k tkind, depth int) *tnode {
	if t := o.try(n, k, depth); t != nil {
		return t
	}
	return o.raw(n, k)
}

func (o *textOut) try(n *dnode, k tkind, depth int) *tnode {
	switch k {
	case kAny:
		return o.generic(n, depth)
	case kCBORBstr:
		if n.major != 2 {
			return nil
		}
		if inner := o.embedded(n.str, depth+1); inner != nil {
			return tObj().set(tnGenCBOR, o.generic(inner, depth+1))
		}
	case kUint:
		if n.major == 0 {
			return intText(n)
		}
	case kInt:
		if n.isInt() {
			return intText(n)
		}
	case kText:
		if n.major == 3 {
			return tStr(string(n.str))
		}
	case kBytes:
		if n.major == 2 {
			return tStr(hex.EncodeToString(n.str))
		}
	case kBool:
		if n.isBool() {
			return tBool(n.ai == 21)
		}
	case kUUID:
		if n.major == 2 && len(n.str) == 16 {
			u, _ := UUIDFromBytes(n.str)
			return tStr(u.String())
		}
	case kDigest:
		return o.digest(n)
	case kComponentID:
		return o.componentID(n)
	case kComponents:
		if n.major != 4 || len(n.elems) == 0 {
			return nil
		}
		a := tArr()
		for _, e := range n.elems {
			c := o.componentID(e)
			if c == nil {
				return nil
			}
			a.elems = append(a.elems, c)
		}
		return a
	case kDigestBstr, kSeqBstr, kTextBstr, kCommonBstr, kManifestBstr, kAuthBstr:
		if n.major != 2 {
			return nil
		}
		inner := o.embedded(n.str, depth+1)
		if inner == nil {
			return nil
		}
		return o.wrapped(inner, k, depth+1)
	case kSeverableSeq, kSeverableText, kSeverableBytes:
		if n.major == 4 {
			if d := o.digest(n); d != nil {
				return tObj().set(tnSevered, d)
			}
			return nil
		}
		switch k {
		case kSeverableSeq:
			return o.try(n, kSeqBstr, depth)
		case kSeverableText:
			return o.try(n, kTextBstr, depth)
		}
		return o.try(n, kCBORBstr, depth)
	case kParams:
		return o.intMap(n, parameterSchema, depth)
	case kRepPolicy:
		if n.major == 0 && n.arg < 1<<len(repPolicyBits) {
			a := tArr()
			for i, name := range repPolicyBits {
				if n.arg&(1<<i) != 0 {
					a.elems = append(a.elems, tStr(name))
				}
			}
			return a
		}
		if n.major == 0 {
			return intText(n)
		}
	case kIndexArg:
		return o.indexArg(n)
	case kTryEach:
		return o.tryEach(n, depth)
	case kOverrideMultiple, kCopyParams:
		return o.indexedMap(n, k, depth)
	}
	return nil
}

// wrapped converts the decoded content of a bstr-wrapped element.
func (o *textOut) wrapped(n *dnode, k tkind, depth int) *tnode {
	switch k {
	case kDigestBstr:
		return o.digest(n)
	case kSeqBstr:
		return o.sequence(n, depth)
	case kTextBstr:
		return o.textMap(n, depth)
	case kCommonBstr:
		return o.intMap(n, commonSchema, depth)
	case kManifestBstr:
		return o.intMap(n, manifestSchema, depth)
	case kAuthBstr:
		return o.auth(n, depth)
	}
	return nil
}

func (o *textOut) digest(n *dnode) *tnode {
	if n.major != 4 || len(n.elems) != 2 || !n.elems[0].isInt() || n.elems[1].major != 2 {
		return nil
	}
	alg := intText(n.elems[0])
	if v, ok := n.elems[0].int64(); ok {
		if name, ok := digestAlgName(v); ok {
			alg = tStr(name)
		}
	}
	return tObj().set(tnDigestAlg, alg).set(tnDigestBytes, tStr(hex.EncodeToString(n.elems[1].str)))
}

func (o *textOut) componentID(n *dnode) *tnode {
	if n.major != 4 {
		return nil
	}
	a := tArr()
	for _, e := range n.elems {
		if e.major != 2 {
			return nil
		}
		a.elems = append(a.elems, tStr(hex.EncodeToString(e.str)))
	}
	return a
}

// intMap converts a map with integer keys described by schema.
func (o *textOut) intMap(n *dnode, schema *tmap, depth int) *tnode {
	if n.major != 5 {
		return nil
	}
	obj := tObj()
	for i := 0; i < len(n.elems); i += 2 {
		key, ok := n.elems[i].int64()
		if !ok {
			return nil
		}
		obj.set(schema.name(key), o.value(n.elems[i+1], schema.kind(key), depth+1))
	}
	return obj
}

// sequence converts a command sequence (a flat array of id/argument pairs)
// into an array of one-member objects.
func (o *textOut) sequence(n *dnode, depth int) *tnode {
	if n.major != 4 || len(n.elems)%2 != 0 {
		return nil
	}
	a := tArr()
	for i := 0; i < len(n.elems); i += 2 {
		id, ok := n.elems[i].int64()
		if !ok {
			return nil
		}
		arg := o.value(n.elems[i+1], commandSchema.kind(id), depth+1)
		a.elems = append(a.elems, tObj().set(commandSchema.name(id), arg))
	}
	return a
}

func (o *textOut) indexArg(n *dnode) *tnode {
	switch {
	case n.major == 0:
		return intText(n)
	case n.isBool() && n.ai == 21:
		return tBool(true)
	case n.major == 4 && len(n.elems) > 0:
		a := tArr()
		for _, e := range n.elems {
			if e.major != 0 {
				return nil
			}
			a.elems = append(a.elems, intText(e))
		}
		return a
	}
	return nil
}

func (o *textOut) tryEach(n *dnode, depth int) *tnode {
	if n.major != 4 {
		return nil
	}
	a := tArr()
	for i, e := range n.elems {
		if e.isNull() && i == len(n.elems)-1 {
			a.elems = append(a.elems, tNull())
			continue
		}
		if e.major != 2 {
			return nil
		}
		a.elems = append(a.elems, o.value(e, kSeqBstr, depth+1))
	}
	return a
}

// indexedMap converts override-multiple ({uint => params}) and copy-params
// ({uint => [+param key]}).
func (o *textOut) indexedMap(n *dnode, k tkind, depth int) *tnode {
	if n.major != 5 {
		return nil
	}
	obj := tObj()
	for i := 0; i < len(n.elems); i += 2 {
		key, val := n.elems[i], n.elems[i+1]
		if key.major != 0 {
			return nil
		}
		var v *tnode
		if k == kOverrideMultiple {
			v = o.value(val, kParams, depth+1)
		} else {
			if val.major != 4 {
				return nil
			}
			v = tArr()
			for _, e := range val.elems {
				p, ok := e.int64()
				if !ok {
					return nil
				}
				v.elems = append(v.elems, tStr(parameterSchema.name(p)))
			}
		}
		obj.set(strconv.FormatUint(key.arg, 10), v)
	}
	return obj
}

// textMap converts SUIT_Text_Map: {+ lang => {int => tstr, component-id => {int => tstr}}}.
func (o *textOut) textMap(n *dnode, depth int) *tnode {
	if n.major != 5 {
		return nil
	}
	obj := tObj()
	for i := 0; i < len(n.elems); i += 2 {
		lang, m := n.elems[i], n.elems[i+1]
		if lang.major != 3 || string(lang.str) == tnSevered || m.major != 5 {
			return nil
		}
		lo := tObj()
		var comps []*tnode
		for j := 0; j < len(m.elems); j += 2 {
			key, val := m.elems[j], m.elems[j+1]
			if id, ok := key.int64(); ok {
				lo.set(textManifestSchema.name(id), o.value(val, textManifestSchema.kind(id), depth+2))
				continue
			}
			cid := o.componentID(key)
			if cid == nil {
				return nil
			}
			co := o.intMap(val, textComponentSchema, depth+2)
			if co == nil {
				return nil
			}
			co.keys = append([]string{tnTextCompID}, co.keys...)
			co.elems = append([]*tnode{cid}, co.elems...)
			comps = append(comps, co)
		}
		if comps != nil {
			lo.set(tnTextComps, tArr(comps...))
		}
		obj.set(string(lang.str), lo)
	}
	return obj
}

// auth converts SUIT_Authentication: [bstr .cbor digest, * bstr .cbor block].
func (o *textOut) auth(n *dnode, depth int) *tnode {
	if n.major != 4 || len(n.elems) == 0 {
		return nil
	}
	for _, e := range n.elems {
		if e.major != 2 {
			return nil
		}
	}
	obj := tObj().set(tnAuthDigest, o.value(n.elems[0], kDigestBstr, depth+1))
	if len(n.elems) > 1 {
		blocks := tArr()
		for _, e := range n.elems[1:] {
			blocks.elems = append(blocks.elems, o.value(e, kCBORBstr, depth+1))
		}
		obj.set(tnAuthBlocks, blocks)
	}
	return obj
}

// envelope converts a whole envelope item (tagged or not).
func (o *textOut) envelope(n *dnode) *tnode {
	if n.major == 6 && n.arg == 1070 {
		m := o.intMap(n.elems[0], manifestSchema, 1)
		if m == nil {
			return nil
		}
		return tObj().set(tnBareManifest, m)
	}
	tagged := false
	if n.major == 6 && n.arg == 107 {
		tagged = true
		n = n.elems[0]
	}
	if n.major != 5 {
		return nil
	}
	obj := tObj().set(tnTagged, tBool(tagged))
	var integrated *tnode
	hasAuth := false
	for i := 0; i < len(n.elems); i += 2 {
		key, val := n.elems[i], n.elems[i+1]
		if key.major == 3 {
			if integrated == nil {
				integrated = tObj()
			}
			integrated.set(string(key.str), o.value(val, kBytes, 1))
			continue
		}
		id, ok := key.int64()
		if !ok {
			return nil
		}
		if id == 2 {
			hasAuth = true
		}
		if id > 2 && !hasAuth {
			obj.set(envelopeSchema.name(2), tNull())
			hasAuth = true
		}
		obj.set(envelopeSchema.name(id), o.value(val, envelopeSchema.kind(id), 1))
	}
	if !hasAuth {
		obj.set(envelopeSchema.name(2), tNull())
	}
	if integrated != nil {
		obj.set(tnIntegrated, integrated)
	}
	return obj
}
