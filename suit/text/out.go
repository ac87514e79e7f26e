package text

import (
	"encoding/hex"
	"strconv"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// textOut converts decoded CBOR items to the structural text form, driven
// by the schema in suit/internal/schema. Whatever does not fit the schema is kept
// exactly: a byte string as the hex of its content, anything else as
// {"cbor-hex": <the item's encoding>}.
type textOut struct {
	maxDepth int
}

// embedded decodes the content of a bstr that should hold CBOR. It returns
// nil unless the content is exactly one deterministically encoded item, so
// that converting it back reproduces the content byte for byte.
func (o *textOut) embedded(content []byte, depth int) *cbornode.Node {
	if depth >= o.maxDepth {
		return nil
	}
	n, err := cbornode.Parse(content, o.maxDepth-depth)
	if err != nil || !cbornode.Canonical(n) {
		return nil
	}
	return n
}

func intText(n *cbornode.Node) *tnode {
	if n.Major == 1 {
		return tNum(cbornode.NegativeString(n.Arg))
	}
	return tNum(strconv.FormatUint(n.Arg, 10))
}

// raw is the universal fallback for an item that does not fit its kind.
func (o *textOut) raw(n *cbornode.Node, k schema.Kind) *tnode {
	if n.Major == 2 && schema.IsBstr(k) {
		return tStr(hex.EncodeToString(n.Str))
	}
	return tObj().set(tnCBORHex, tStr(hex.EncodeToString(n.Raw)))
}

// value converts n, expected to be of kind k. depth counts nesting across
// embedded layers.
func (o *textOut) value(n *cbornode.Node, k schema.Kind, depth int) *tnode {
	if t := o.try(n, k, depth); t != nil {
		return t
	}
	return o.raw(n, k)
}

func (o *textOut) try(n *cbornode.Node, k schema.Kind, depth int) *tnode {
	switch k {
	case schema.Any:
		return o.generic(n, depth)
	case schema.CBORBstr:
		if n.Major != 2 {
			return nil
		}
		if inner := o.embedded(n.Str, depth+1); inner != nil {
			return tObj().set(tnGenCBOR, o.generic(inner, depth+1))
		}
	case schema.Uint:
		if n.Major == 0 {
			return intText(n)
		}
	case schema.Int:
		if n.IsInt() {
			return intText(n)
		}
	case schema.Text:
		if n.Major == 3 {
			return tStr(string(n.Str))
		}
	case schema.Bytes:
		if n.Major == 2 {
			return tStr(hex.EncodeToString(n.Str))
		}
	case schema.Bool:
		if n.IsBool() {
			return tBool(n.AI == 21)
		}
	case schema.UUID:
		if n.Major == 2 && len(n.Str) == 16 {
			u, _ := suit.UUIDFromBytes(n.Str)
			return tStr(u.String())
		}
	case schema.Digest:
		return o.digest(n)
	case schema.ComponentID:
		return o.componentID(n)
	case schema.Components:
		if n.Major != 4 || len(n.Elems) == 0 {
			return nil
		}
		a := tArr()
		for _, e := range n.Elems {
			c := o.componentID(e)
			if c == nil {
				return nil
			}
			a.elems = append(a.elems, c)
		}
		return a
	case schema.DigestBstr, schema.SeqBstr, schema.TextBstr, schema.CommonBstr, schema.ManifestBstr, schema.AuthBstr:
		if n.Major != 2 {
			return nil
		}
		inner := o.embedded(n.Str, depth+1)
		if inner == nil {
			return nil
		}
		return o.wrapped(inner, k, depth+1)
	case schema.SeverableSeq, schema.SeverableText, schema.SeverableBytes:
		if n.Major == 4 {
			if d := o.digest(n); d != nil {
				return tObj().set(tnSevered, d)
			}
			return nil
		}
		switch k {
		case schema.SeverableSeq:
			return o.try(n, schema.SeqBstr, depth)
		case schema.SeverableText:
			return o.try(n, schema.TextBstr, depth)
		}
		return o.try(n, schema.CBORBstr, depth)
	case schema.Params:
		return o.intMap(n, schema.Parameter, depth)
	case schema.RepPolicy:
		if n.Major == 0 && n.Arg < 1<<len(schema.ReportingPolicyBits) {
			a := tArr()
			for i, name := range schema.ReportingPolicyBits {
				if n.Arg&(1<<i) != 0 {
					a.elems = append(a.elems, tStr(name))
				}
			}
			return a
		}
		if n.Major == 0 {
			return intText(n)
		}
	case schema.IndexArg:
		return o.indexArg(n)
	case schema.TryEach:
		return o.tryEach(n, depth)
	case schema.OverrideMultiple, schema.CopyParams, schema.Dependencies:
		return o.indexedMap(n, k, depth)
	}
	return nil
}

// wrapped converts the decoded content of a bstr-wrapped element.
func (o *textOut) wrapped(n *cbornode.Node, k schema.Kind, depth int) *tnode {
	switch k {
	case schema.DigestBstr:
		return o.digest(n)
	case schema.SeqBstr:
		return o.sequence(n, depth)
	case schema.TextBstr:
		return o.textMap(n, depth)
	case schema.CommonBstr:
		return o.intMap(n, schema.Common, depth)
	case schema.ManifestBstr:
		return o.intMap(n, schema.Manifest, depth)
	case schema.AuthBstr:
		return o.auth(n, depth)
	}
	return nil
}

func (o *textOut) digest(n *cbornode.Node) *tnode {
	if n.Major != 4 || len(n.Elems) != 2 || !n.Elems[0].IsInt() || n.Elems[1].Major != 2 {
		return nil
	}
	alg := intText(n.Elems[0])
	if v, ok := n.Elems[0].Int64(); ok {
		if name, ok := schema.DigestAlgName(v); ok {
			alg = tStr(name)
		}
	}
	return tObj().set(tnDigestAlg, alg).set(tnDigestBytes, tStr(hex.EncodeToString(n.Elems[1].Str)))
}

func (o *textOut) componentID(n *cbornode.Node) *tnode {
	if n.Major != 4 {
		return nil
	}
	a := tArr()
	for _, e := range n.Elems {
		if e.Major != 2 {
			return nil
		}
		a.elems = append(a.elems, tStr(hex.EncodeToString(e.Str)))
	}
	return a
}

// intMap converts a map with integer keys described by schema.
func (o *textOut) intMap(n *cbornode.Node, sm *schema.Map, depth int) *tnode {
	if n.Major != 5 {
		return nil
	}
	obj := tObj()
	for i := 0; i < len(n.Elems); i += 2 {
		key, ok := n.Elems[i].Int64()
		if !ok {
			return nil
		}
		obj.set(sm.Name(key), o.value(n.Elems[i+1], sm.Kind(key), depth+1))
	}
	return obj
}

// sequence converts a command sequence (a flat array of id/argument pairs)
// into an array of one-member objects.
func (o *textOut) sequence(n *cbornode.Node, depth int) *tnode {
	if n.Major != 4 || len(n.Elems)%2 != 0 {
		return nil
	}
	a := tArr()
	for i := 0; i < len(n.Elems); i += 2 {
		id, ok := n.Elems[i].Int64()
		if !ok {
			return nil
		}
		arg := o.value(n.Elems[i+1], schema.Command.Kind(id), depth+1)
		a.elems = append(a.elems, tObj().set(schema.Command.Name(id), arg))
	}
	return a
}

func (o *textOut) indexArg(n *cbornode.Node) *tnode {
	switch {
	case n.Major == 0:
		return intText(n)
	case n.IsBool() && n.AI == 21:
		return tBool(true)
	case n.Major == 4 && len(n.Elems) > 0:
		a := tArr()
		for _, e := range n.Elems {
			if e.Major != 0 {
				return nil
			}
			a.elems = append(a.elems, intText(e))
		}
		return a
	}
	return nil
}

func (o *textOut) tryEach(n *cbornode.Node, depth int) *tnode {
	if n.Major != 4 {
		return nil
	}
	a := tArr()
	for i, e := range n.Elems {
		if e.IsNull() && i == len(n.Elems)-1 {
			a.elems = append(a.elems, tNull())
			continue
		}
		if e.Major != 2 {
			return nil
		}
		a.elems = append(a.elems, o.value(e, schema.SeqBstr, depth+1))
	}
	return a
}

// indexedMap converts override-multiple ({uint => params}) and copy-params
// ({uint => [+param key]}).
func (o *textOut) indexedMap(n *cbornode.Node, k schema.Kind, depth int) *tnode {
	if n.Major != 5 {
		return nil
	}
	obj := tObj()
	for i := 0; i < len(n.Elems); i += 2 {
		key, val := n.Elems[i], n.Elems[i+1]
		if key.Major != 0 {
			return nil
		}
		var v *tnode
		switch k {
		case schema.OverrideMultiple:
			v = o.value(val, schema.Params, depth+1)
		case schema.Dependencies:
			if val.Major != 5 {
				return nil
			}
			v = o.intMap(val, schema.DependencyMetadata, depth+1)
		default:
			if val.Major != 4 {
				return nil
			}
			v = tArr()
			for _, e := range val.Elems {
				p, ok := e.Int64()
				if !ok {
					return nil
				}
				v.elems = append(v.elems, tStr(schema.Parameter.Name(p)))
			}
		}
		obj.set(strconv.FormatUint(key.Arg, 10), v)
	}
	return obj
}

// textMap converts SUIT_Text_Map: {+ lang => {int => tstr, component-id => {int => tstr}}}.
func (o *textOut) textMap(n *cbornode.Node, depth int) *tnode {
	if n.Major != 5 {
		return nil
	}
	obj := tObj()
	for i := 0; i < len(n.Elems); i += 2 {
		lang, m := n.Elems[i], n.Elems[i+1]
		if lang.Major != 3 || string(lang.Str) == tnSevered || m.Major != 5 {
			return nil
		}
		lo := tObj()
		var comps []*tnode
		for j := 0; j < len(m.Elems); j += 2 {
			key, val := m.Elems[j], m.Elems[j+1]
			if id, ok := key.Int64(); ok {
				lo.set(schema.TextManifest.Name(id), o.value(val, schema.TextManifest.Kind(id), depth+2))
				continue
			}
			cid := o.componentID(key)
			if cid == nil {
				return nil
			}
			co := o.intMap(val, schema.TextComponent, depth+2)
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
		obj.set(string(lang.Str), lo)
	}
	return obj
}

// auth converts SUIT_Authentication: [bstr .cbor digest, * bstr .cbor block].
func (o *textOut) auth(n *cbornode.Node, depth int) *tnode {
	if n.Major != 4 || len(n.Elems) == 0 {
		return nil
	}
	for _, e := range n.Elems {
		if e.Major != 2 {
			return nil
		}
	}
	obj := tObj().set(tnAuthDigest, o.value(n.Elems[0], schema.DigestBstr, depth+1))
	if len(n.Elems) > 1 {
		blocks := tArr()
		for _, e := range n.Elems[1:] {
			blocks.elems = append(blocks.elems, o.value(e, schema.CBORBstr, depth+1))
		}
		obj.set(tnAuthBlocks, blocks)
	}
	return obj
}

// envelope converts a whole envelope item (tagged or not).
func (o *textOut) envelope(n *cbornode.Node) *tnode {
	if n.Major == 6 && n.Arg == 1070 {
		m := o.intMap(n.Elems[0], schema.Manifest, 1)
		if m == nil {
			return nil
		}
		return tObj().set(tnBareManifest, m)
	}
	tagged := false
	if n.Major == 6 && n.Arg == 107 {
		tagged = true
		n = n.Elems[0]
	}
	if n.Major != 5 {
		return nil
	}
	obj := tObj().set(tnTagged, tBool(tagged))
	var integrated *tnode
	hasAuth := false
	for i := 0; i < len(n.Elems); i += 2 {
		key, val := n.Elems[i], n.Elems[i+1]
		if key.Major == 3 {
			if integrated == nil {
				integrated = tObj()
			}
			integrated.set(string(key.Str), o.value(val, schema.Bytes, 1))
			continue
		}
		id, ok := key.Int64()
		if !ok {
			return nil
		}
		if id == 2 {
			hasAuth = true
		}
		if id > 2 && !hasAuth {
			obj.set(schema.Envelope.Name(2), tNull())
			hasAuth = true
		}
		obj.set(schema.Envelope.Name(id), o.value(val, schema.Envelope.Kind(id), 1))
	}
	if !hasAuth {
		obj.set(schema.Envelope.Name(2), tNull())
	}
	if integrated != nil {
		obj.set(tnIntegrated, integrated)
	}
	return obj
}
