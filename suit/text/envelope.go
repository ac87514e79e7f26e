package text

import (
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// This file reads the envelope-level parts of the structural text form:
// the envelope object itself, the authentication wrapper and SUIT_Text.

// textMap converts {lang: {manifest-level names..., "suit-text-components":
// [{"suit-component-identifier": [...], component-level names...}]}}.
func (r *textIn) textMap(t *tnode, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "suit-text is an object keyed by language tag")
	}
	m := cbornode.Map()
	for i, lang := range t.keys {
		p := joinPath(path, lang)
		lo := t.elems[i]
		if lo.kind != tnObject {
			return nil, textErrf(p, "want an object")
		}
		lm := cbornode.Map()
		for j, name := range lo.keys {
			q := joinPath(p, name)
			if name == tnTextComps {
				comps, err := r.textComponents(lo.elems[j], q)
				if err != nil {
					return nil, err
				}
				lm.Elems = append(lm.Elems, comps...)
				continue
			}
			f, ok := schema.TextManifest.Lookup(name)
			if !ok {
				return nil, textErrf(q, "unknown suit-text member")
			}
			v, err := r.value(lo.elems[j], f.Kind, q)
			if err != nil {
				return nil, err
			}
			lm.Elems = append(lm.Elems, cbornode.Int(f.Key), v)
		}
		m.Elems = append(m.Elems, cbornode.Text(lang), lm)
	}
	return m, nil
}

func (r *textIn) textComponents(t *tnode, path string) ([]*cbornode.Node, error) {
	if t.kind != tnArray {
		return nil, textErrf(path, "want an array of component texts")
	}
	var kv []*cbornode.Node
	for i, c := range t.elems {
		p := idxPath(path, i)
		if c.kind != tnObject {
			return nil, textErrf(p, "want an object")
		}
		idT, ok := c.get(tnTextCompID)
		if !ok {
			return nil, textErrf(p, "missing %s", tnTextCompID)
		}
		id, err := r.componentID(idT, joinPath(p, tnTextCompID))
		if err != nil {
			return nil, err
		}
		rest := tObj()
		for j, k := range c.keys {
			if k != tnTextCompID {
				rest.set(k, c.elems[j])
			}
		}
		m, err := r.intMap(rest, schema.TextComponent, p)
		if err != nil {
			return nil, err
		}
		kv = append(kv, id, m)
	}
	return kv, nil
}

// auth converts the authentication wrapper. manifestItem is the encoded
// manifest bstr (head and content), over which a digest given without
// bytes is computed.
func (r *textIn) auth(t *tnode, manifestItem []byte, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind == tnString {
		return r.value(t, schema.AuthBstr, path)
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "want an object with %s and %s", tnAuthDigest, tnAuthBlocks)
	}
	for _, k := range t.keys {
		if k != tnAuthDigest && k != tnAuthBlocks {
			return nil, textErrf(joinPath(path, k), "unknown authentication-wrapper member")
		}
	}
	var digest *cbornode.Node
	var err error
	dp := joinPath(path, tnAuthDigest)
	d, ok := t.get(tnAuthDigest)
	computed := !ok || d.kind == tnObject && !hasMember(d, tnDigestBytes) && !hasMember(d, tnCBORHex) && !hasMember(d, tnFile)
	if computed && manifestItem == nil {
		return nil, textErrf(dp, "no manifest to compute the digest over")
	}
	switch {
	case !ok:
		digest, err = digestItem(suit.AlgSHA256, manifestItem, dp)
	case d.kind == tnObject && !hasMember(d, tnDigestBytes) && !hasMember(d, tnCBORHex) && !hasMember(d, tnFile):
		var alg int64
		if alg, err = r.digestAlg(d, dp); err == nil {
			digest, err = digestItem(alg, manifestItem, dp)
		}
	case d.kind == tnString:
		b, herr := textHex(d, dp)
		digest, err = cbornode.Bytes(b), herr
	default:
		digest, err = r.digest(d, dp)
	}
	if err != nil {
		return nil, err
	}
	if digest.Major != 2 {
		if digest, err = wrapItem(digest, dp); err != nil {
			return nil, err
		}
	}
	arr := cbornode.Array(digest)
	if b, ok := t.get(tnAuthBlocks); ok {
		bp := joinPath(path, tnAuthBlocks)
		if b.kind != tnArray {
			return nil, textErrf(bp, "want an array of hex strings")
		}
		for i, e := range b.elems {
			if n, ok, err := r.rawEscape(e, idxPath(bp, i)); ok {
				if err != nil {
					return nil, err
				}
				arr.Elems = append(arr.Elems, n)
				continue
			}
			blk, err := r.value(e, schema.CBORBstr, idxPath(bp, i))
			if err != nil {
				return nil, err
			}
			arr.Elems = append(arr.Elems, blk)
		}
	}
	return wrapItem(arr, path)
}

func hasMember(t *tnode, k string) bool { _, ok := t.get(k); return ok }

// envelope converts the top-level object to the encoded envelope.
func (r *textIn) envelope(t *tnode) ([]byte, error) {
	if n, ok, err := r.rawEscape(t, ""); ok {
		if err != nil {
			return nil, err
		}
		return n.Raw, nil
	}
	if t.kind != tnObject {
		return nil, textErrf("", "the envelope is an object")
	}
	if k, v, ok := t.single(); ok && k == tnBareManifest {
		m, err := r.intMap(v, schema.Manifest, k)
		if err != nil {
			return nil, err
		}
		out, err := cbornode.Tag(1070, m).EncodeBytes()
		if err != nil {
			return nil, textErrf(k, "%v", err)
		}
		return out, nil
	}
	tagged := true
	m := cbornode.Map()
	var manifestT, authT *tnode
	authGiven := false
	// Pass 1: everything except the manifest and the authentication
	// wrapper, which depend on other members.
	for i, name := range t.keys {
		v := t.elems[i]
		switch name {
		case tnTagged:
			if v.kind != tnBool {
				return nil, textErrf(name, "want true or false")
			}
			tagged = v.b
			continue
		case tnIntegrated:
			if v.kind != tnObject {
				return nil, textErrf(name, "want an object keyed by URI fragment")
			}
			for j, k := range v.keys {
				b, err := r.value(v.elems[j], schema.Bytes, joinPath(name, k))
				if err != nil {
					return nil, err
				}
				m.Elems = append(m.Elems, cbornode.Text(k), b)
			}
			continue
		}
		f, ok := schema.Envelope.Lookup(name)
		if !ok {
			return nil, textErrf(name, "unknown envelope member")
		}
		switch f.Key {
		case 2:
			authT, authGiven = v, true
			continue
		case 3:
			manifestT = v
			continue
		}
		item, err := r.value(v, f.Kind, name)
		if err != nil {
			return nil, err
		}
		enc, err := item.EncodeBytes()
		if err != nil {
			return nil, textErrf(name, "%v", err)
		}
		r.severed[f.Key] = enc
		m.Elems = append(m.Elems, cbornode.Int(f.Key), item)
	}
	if manifestT != nil {
		mi, err := r.value(manifestT, schema.ManifestBstr, schema.Envelope.Name(3))
		if err != nil {
			return nil, err
		}
		m.Elems = append(m.Elems, cbornode.Uint(3), mi)
		if !authGiven || authT.kind != tnNull {
			if authT == nil {
				authT = tObj()
			}
			enc, err := mi.EncodeBytes()
			if err != nil {
				return nil, textErrf("suit-manifest", "%v", err)
			}
			ai, err := r.auth(authT, enc, schema.Envelope.Name(2))
			if err != nil {
				return nil, err
			}
			m.Elems = append(m.Elems, cbornode.Uint(2), ai)
		}
	} else if authGiven && authT.kind != tnNull {
		ai, err := r.auth(authT, nil, schema.Envelope.Name(2))
		if err != nil {
			return nil, err
		}
		m.Elems = append(m.Elems, cbornode.Uint(2), ai)
	}
	var top *cbornode.Node = m
	if tagged {
		top = cbornode.Tag(107, m)
	}
	out, err := top.EncodeBytes()
	if err != nil {
		return nil, textErrf("", "%v", err)
	}
	return out, nil
}
