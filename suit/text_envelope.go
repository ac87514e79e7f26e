package suit

// This file reads the envelope-level parts of the structural text form:
// the envelope object itself, the authentication wrapper and SUIT_Text.

// textMap converts {lang: {manifest-level names..., "suit-text-components":
// [{"suit-component-identifier": [...], component-level names...}]}}.
func (r *textIn) textMap(t *tnode, path string) (*dnode, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "suit-text is an object keyed by language tag")
	}
	m := dnMap()
	for i, lang := range t.keys {
		p := joinPath(path, lang)
		lo := t.elems[i]
		if lo.kind != tnObject {
			return nil, textErrf(p, "want an object")
		}
		lm := dnMap()
		for j, name := range lo.keys {
			q := joinPath(p, name)
			if name == tnTextComps {
				comps, err := r.textComponents(lo.elems[j], q)
				if err != nil {
					return nil, err
				}
				lm.elems = append(lm.elems, comps...)
				continue
			}
			f, ok := textManifestSchema.lookup(name)
			if !ok {
				return nil, textErrf(q, "unknown suit-text member")
			}
			v, err := r.value(lo.elems[j], f.kind, q)
			if err != nil {
				return nil, err
			}
			lm.elems = append(lm.elems, dnInt(f.key), v)
		}
		m.elems = append(m.elems, dnText(lang), lm)
	}
	return m, nil
}

func (r *textIn) textComponents(t *tnode, path string) ([]*dnode, error) {
	if t.kind != tnArray {
		return nil, textErrf(path, "want an array of component texts")
	}
	var kv []*dnode
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
		m, err := r.intMap(rest, textComponentSchema, p)
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
func (r *textIn) auth(t *tnode, manifestItem []byte, path string) (*dnode, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind == tnString {
		return r.value(t, kAuthBstr, path)
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "want an object with %s and %s", tnAuthDigest, tnAuthBlocks)
	}
	for _, k := range t.keys {
		if k != tnAuthDigest && k != tnAuthBlocks {
			return nil, textErrf(joinPath(path, k), "unknown authentication-wrapper member")
		}
	}
	var digest *dnode
	var err error
	dp := joinPath(path, tnAuthDigest)
	d, ok := t.get(tnAuthDigest)
	computed := !ok || d.kind == tnObject && !hasMember(d, tnDigestBytes) && !hasMember(d, tnCBORHex) && !hasMember(d, tnFile)
	if computed && manifestItem == nil {
		return nil, textErrf(dp, "no manifest to compute the digest over")
	}
	switch {
	case !ok:
		digest, err = digestItem(AlgSHA256, manifestItem, dp)
	case d.kind == tnObject && !hasMember(d, tnDigestBytes) && !hasMember(d, tnCBORHex) && !hasMember(d, tnFile):
		var alg int64
		if alg, err = r.digestAlg(d, dp); err == nil {
			digest, err = digestItem(alg, manifestItem, dp)
		}
	case d.kind == tnString:
		b, herr := textHex(d, dp)
		digest, err = dnBytes(b), herr
	default:
		digest, err = r.digest(d, dp)
	}
	if err != nil {
		return nil, err
	}
	if digest.major != 2 {
		if digest, err = wrapItem(digest, dp); err != nil {
			return nil, err
		}
	}
	arr := dnArray(digest)
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
				arr.elems = append(arr.elems, n)
				continue
			}
			blk, err := r.value(e, kCBORBstr, idxPath(bp, i))
			if err != nil {
				return nil, err
			}
			arr.elems = append(arr.elems, blk)
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
		return n.raw, nil
	}
	if t.kind != tnObject {
		return nil, textErrf("", "the envelope is an object")
	}
	if k, v, ok := t.single(); ok && k == tnBareManifest {
		m, err := r.intMap(v, manifestSchema, k)
		if err != nil {
			return nil, err
		}
		out, err := dnTag(1070, m).bytes()
		if err != nil {
			return nil, textErrf(k, "%v", err)
		}
		return out, nil
	}
	tagged := true
	m := dnMap()
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
				b, err := r.value(v.elems[j], kBytes, joinPath(name, k))
				if err != nil {
					return nil, err
				}
				m.elems = append(m.elems, dnText(k), b)
			}
			continue
		}
		f, ok := envelopeSchema.lookup(name)
		if !ok {
			return nil, textErrf(name, "unknown envelope member")
		}
		switch f.key {
		case 2:
			authT, authGiven = v, true
			continue
		case 3:
			manifestT = v
			continue
		}
		item, err := r.value(v, f.kind, name)
		if err != nil {
			return nil, err
		}
		enc, err := item.bytes()
		if err != nil {
			return nil, textErrf(name, "%v", err)
		}
		r.severed[f.key] = enc
		m.elems = append(m.elems, dnInt(f.key), item)
	}
	if manifestT != nil {
		mi, err := r.value(manifestT, kManifestBstr, envelopeSchema.name(3))
		if err != nil {
			return nil, err
		}
		m.elems = append(m.elems, dnUint(3), mi)
		if !authGiven || authT.kind != tnNull {
			if authT == nil {
				authT = tObj()
			}
			enc, err := mi.bytes()
			if err != nil {
				return nil, textErrf("suit-manifest", "%v", err)
			}
			ai, err := r.auth(authT, enc, envelopeSchema.name(2))
			if err != nil {
				return nil, err
			}
			m.elems = append(m.elems, dnUint(2), ai)
		}
	} else if authGiven && authT.kind != tnNull {
		ai, err := r.auth(authT, nil, envelopeSchema.name(2))
		if err != nil {
			return nil, err
		}
		m.elems = append(m.elems, dnUint(2), ai)
	}
	var top *dnode = m
	if tagged {
		top = dnTag(107, m)
	}
	out, err := top.bytes()
	if err != nil {
		return nil, textErrf("", "%v", err)
	}
	return out, nil
}
