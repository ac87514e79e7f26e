package suit

import "github.com/suitkit/suitkit/internal/cbor"

// This file decodes the manifest, SUIT_Common, component identifiers,
// severable members and SUIT_Text.

// manifestDepth is the depth of the manifest map inside an envelope
// (envelope map 1, manifest bstr 2, manifest map 3).
const manifestDepth = 3

// manifestBlock holds a manifest together with the parts nearly every
// manifest has, so that decoding allocates them at once rather than one by
// one (the verification path is allocation-bound).
type manifestBlock struct {
	m    Manifest
	c    Common
	uri  string
	seqs [5]CommandSequence // shared, validate, load, invoke, uninstall
}

// manifest decodes the manifest map at depth.
func (d *dec) manifest(depth int) (*Manifest, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	n, err := d.mapHead(d.lim.elements, "manifest")
	if err != nil {
		return nil, err
	}
	blk := &manifestBlock{}
	m := &blk.m
	m.Raw = d.b[start:]
	var prev []byte
	var seen uint8
	for i := 0; i < n; i++ {
		k, err := d.key(prev, depth+1)
		if err != nil {
			return nil, err
		}
		prev = k
		key, isInt := itemInt(k)
		if !isInt {
			v, err := d.skip(depth + 1)
			if err != nil {
				return nil, err
			}
			m.Extensions = append(m.Extensions, RawEntry{k, v})
			continue
		}
		if err := d.manifestMember(blk, key, k, depth+1, &seen); err != nil {
			return nil, inPath(err, shortName(ManifestKeyName(key), key))
		}
	}
	m.Raw = d.b[start:d.off]
	for _, req := range [...]struct {
		bit  uint8
		name string
	}{{1, "suit-manifest-version"}, {2, "suit-manifest-sequence-number"}, {4, "suit-common"}} {
		if seen&req.bit == 0 {
			return nil, d.fail(ErrMalformed, start, "manifest lacks %s", req.name)
		}
	}
	return m, nil
}

// manifestMember decodes the value of manifest key at depth.
func (d *dec) manifestMember(blk *manifestBlock, key int64, k []byte, depth int, seen *uint8) error {
	m := &blk.m
	var err error
	switch key {
	case ManifestVersion:
		at := d.off
		var v uint64
		if v, err = d.uint(); err != nil {
			return err
		}
		if v != 1 {
			return d.fail(ErrUnsupported, at, "manifest version %d (only version 1 is defined)", v)
		}
		m.Version = v
		*seen |= 1
	case ManifestSequenceNumber:
		m.SequenceNumber, err = d.uint()
		*seen |= 2
	case ManifestCommon:
		if err = d.common(&blk.c, &blk.seqs[0], depth); err == nil {
			m.Common = &blk.c
		}
		*seen |= 4
	case ManifestReferenceURI:
		var s []byte
		if s, err = d.tstr(); err == nil && !d.check { // an Outline does not hold it
			blk.uri = string(s)
			m.ReferenceURI = &blk.uri
		}
	case ManifestComponentIDKey:
		var c ComponentID
		if c, err = d.componentID(depth); err == nil {
			m.ManifestComponentID = &c
		}
	case ManifestSetVersion:
		m.SetVersion, err = d.setVersion(depth)
	case ManifestValidate, ManifestLoad, ManifestInvoke, ManifestUninstall:
		var s *CommandSequence
		var field **CommandSequence
		switch key {
		case ManifestValidate:
			s, field = &blk.seqs[1], &m.Validate
		case ManifestLoad:
			s, field = &blk.seqs[2], &m.Load
		case ManifestInvoke:
			s, field = &blk.seqs[3], &m.Invoke
		default:
			s, field = &blk.seqs[4], &m.Uninstall
		}
		if *s, err = d.sequence(depth, 1, false); err == nil {
			*field = s
		}
	default:
		// A severable member, decoded into its field, or an extension.
		switch seq, text, raw := m.severableField(key); {
		case seq != nil:
			*seq, err = d.severableSequence(depth)
		case text != nil:
			*text, err = d.severableText(depth)
		case raw != nil:
			*raw, err = d.severableBytes(depth)
		default:
			var v []byte
			if v, err = d.skip(depth); err == nil {
				m.Extensions = append(m.Extensions, RawEntry{k, v})
			}
		}
	}
	return err
}

// setVersion decodes bstr .cbor [+int].
func (d *dec) setVersion(depth int) ([]int64, error) {
	if err := d.depthOK(depth + 1); err != nil {
		return nil, err
	}
	sub, err := d.wrapped()
	if err != nil {
		return nil, err
	}
	out, err := sub.intList("set-version", "empty set-version")
	if err != nil {
		return nil, err
	}
	return out, sub.end()
}

// severableSequence decodes bstr .cbor sequence / SUIT_Digest.
func (d *dec) severableSequence(depth int) (*SeverableSequence, error) {
	if m, _ := d.peek(); m == cbor.Array {
		x := &struct {
			s  SeverableSequence
			dg Digest
		}{} // one allocation for the member and its digest
		var err error
		if x.dg, err = d.digest(depth); err != nil {
			return nil, err
		}
		x.s.Digest = &x.dg
		return &x.s, nil
	}
	s, err := d.sequence(depth, 1, false)
	if err != nil {
		return nil, err
	}
	return &SeverableSequence{Sequence: &s}, nil
}

// severableText decodes bstr .cbor SUIT_Text / SUIT_Digest.
func (d *dec) severableText(depth int) (*SeverableText, error) {
	if m, _ := d.peek(); m == cbor.Array {
		x := &struct {
			s  SeverableText
			dg Digest
		}{} // one allocation for the member and its digest
		var err error
		if x.dg, err = d.digest(depth); err != nil {
			return nil, err
		}
		x.s.Digest = &x.dg
		return &x.s, nil
	}
	t, err := d.wrappedText(depth)
	if err != nil {
		return nil, err
	}
	return &SeverableText{Text: t}, nil
}

// severableBytes decodes bstr .cbor any / SUIT_Digest.
func (d *dec) severableBytes(depth int) (*SeverableBytes, error) {
	if m, _ := d.peek(); m == cbor.Array {
		dg, err := d.digest(depth)
		if err != nil {
			return nil, err
		}
		return &SeverableBytes{Digest: &dg}, nil
	}
	at := d.off
	if err := d.wrappedForeign(depth, 0xff, "element"); err != nil {
		return nil, err
	}
	raw, _ := itemString(d.b[at:d.off], cbor.Bytes)
	return &SeverableBytes{Raw: raw}, nil
}

// common decodes bstr .cbor SUIT_Common into c, with the shared sequence
// in shared; depth is the bstr's depth.
func (d *dec) common(c *Common, shared *CommandSequence, depth int) error {
	if err := d.depthOK(depth + 1); err != nil {
		return err
	}
	sub, err := d.wrapped()
	if err != nil {
		return err
	}
	depth++
	n, err := sub.mapHead(sub.lim.elements, "common")
	if err != nil {
		return err
	}
	*c = Common{Raw: sub.b}
	var prev []byte
	for i := 0; i < n; i++ {
		k, err := sub.key(prev, depth+1)
		if err != nil {
			return err
		}
		prev = k
		key, isInt := itemInt(k)
		switch {
		case isInt && key == CommonDependencies:
			c.Dependencies, err = sub.dependencies(depth + 1)
		case isInt && key == CommonComponents:
			c.Components, err = sub.components(depth + 1)
		case isInt && key == CommonSharedSequence:
			if *shared, err = sub.sequence(depth+1, 1, true); err == nil {
				c.SharedSequence = shared
			}
		default:
			var v []byte
			if v, err = sub.skip(depth + 1); err == nil {
				c.Extensions = append(c.Extensions, RawEntry{k, v})
			}
		}
		if err != nil {
			return inPath(err, shortName(CommonKeyName(key), key))
		}
	}
	return sub.end()
}

// components decodes [+ SUIT_Component_Identifier].
func (d *dec) components(depth int) ([]ComponentID, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	n, err := d.array(d.lim.components, "components")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, start, "empty components list")
	}
	out := make([]ComponentID, n)
	for i := range out {
		if out[i], err = d.componentID(depth + 1); err != nil {
			return nil, inIndex(err, i)
		}
	}
	return out, nil
}

// componentID decodes [* bstr].
func (d *dec) componentID(depth int) (ComponentID, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	n, err := d.array(d.lim.elements, "component identifier")
	if err != nil {
		return nil, err
	}
	c := make(ComponentID, n)
	for i := range c {
		if c[i], _, err = d.bstr(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// dependencies decodes {+ uint => { ? 1 => SUIT_Component_Identifier, * ext }}.
func (d *dec) dependencies(depth int) ([]Dependency, error) {
	n, err := d.indexMapHead(depth, "dependencies")
	if err != nil {
		return nil, err
	}
	out := make([]Dependency, n)
	var prev []byte
	for i := range out {
		idx, err := d.indexKey(&prev, depth, "dependency")
		if err != nil {
			return nil, err
		}
		out[i].Index = idx
		if err := d.dependencyMeta(&out[i], depth+1); err != nil {
			return nil, inKey(err, idx)
		}
	}
	return out, nil
}

func (d *dec) dependencyMeta(dep *Dependency, depth int) error {
	if err := d.depthOK(depth); err != nil {
		return err
	}
	n, err := d.mapHead(d.lim.elements, "dependency metadata")
	if err != nil {
		return err
	}
	var prev []byte
	for i := 0; i < n; i++ {
		k, err := d.key(prev, depth+1)
		if err != nil {
			return err
		}
		prev = k
		if key, ok := itemInt(k); ok && key == DependencyPrefix {
			c, err := d.componentID(depth + 1)
			if err != nil {
				return inPath(err, "dependency-prefix")
			}
			dep.Prefix = &c
			continue
		}
		v, err := d.skip(depth + 1)
		if err != nil {
			return err
		}
		dep.Extensions = append(dep.Extensions, RawEntry{k, v})
	}
	return nil
}

// wrappedText decodes bstr .cbor SUIT_Text; depth is the bstr's depth.
func (d *dec) wrappedText(depth int) (*Text, error) {
	if err := d.depthOK(depth + 1); err != nil {
		return nil, err
	}
	sub, err := d.wrapped()
	if err != nil {
		return nil, err
	}
	t, err := sub.text(depth + 1)
	if err != nil {
		return nil, err
	}
	return t, sub.end()
}

// text decodes SUIT_Text_Map at depth.
func (d *dec) text(depth int) (*Text, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	n, err := d.mapHead(d.lim.elements, "text")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, start, "empty text map")
	}
	t := &Text{Raw: d.b[start:], Languages: make([]TextLanguage, n)}
	var prev []byte
	for i := range t.Languages {
		kAt := d.off
		k, err := d.key(prev, depth+1)
		if err != nil {
			return nil, err
		}
		prev = k
		tag, ok := itemString(k, cbor.Text)
		if !ok {
			return nil, d.fail(ErrMalformed, kAt, "text language tag must be a text string")
		}
		t.Languages[i].Tag = string(tag)
		if err := d.textLanguage(&t.Languages[i], depth+1); err != nil {
			return nil, inPath(err, t.Languages[i].Tag)
		}
	}
	t.Raw = d.b[start:d.off]
	return t, nil
}

func (d *dec) textLanguage(l *TextLanguage, depth int) error {
	if err := d.depthOK(depth); err != nil {
		return err
	}
	n, err := d.mapHead(d.lim.elements, "text language")
	if err != nil {
		return err
	}
	var prev []byte
	for i := 0; i < n; i++ {
		k, err := d.key(prev, depth+1)
		if err != nil {
			return err
		}
		prev = k
		if key, ok := itemInt(k); ok {
			s, err := d.tstr()
			if err != nil {
				return err
			}
			l.Manifest = append(l.Manifest, TextEntry{key, string(s)})
			continue
		}
		if k[0]>>5 == cbor.Array {
			kd := newDec(k, d.base+d.off-len(k), &d.lim)
			c, err := kd.componentID(depth + 1)
			if err != nil {
				return err
			}
			ct := ComponentText{Component: c}
			if ct.Entries, err = d.textEntries(depth + 1); err != nil {
				return inPath(err, c.String())
			}
			l.Components = append(l.Components, ct)
			continue
		}
		v, err := d.skip(depth + 1)
		if err != nil {
			return err
		}
		l.Extensions = append(l.Extensions, RawEntry{k, v})
	}
	return nil
}

func (d *dec) textEntries(depth int) ([]TextEntry, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	n, err := d.mapHead(d.lim.elements, "component text")
	if err != nil {
		return nil, err
	}
	out := make([]TextEntry, n)
	var prev []byte
	for i := range out {
		kAt := d.off
		k, err := d.key(prev, depth+1)
		if err != nil {
			return nil, err
		}
		prev = k
		key, ok := itemInt(k)
		if !ok {
			return nil, d.fail(ErrMalformed, kAt, "component text key must be an integer")
		}
		s, err := d.tstr()
		if err != nil {
			return nil, err
		}
		out[i] = TextEntry{key, string(s)}
	}
	return out, nil
}
