package suit

import (
	"slices"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file holds the entry points: Parse, Decode, DecodeManifest and the
// standalone decoders.

// Parse strictly decodes the envelope structure of data: the tag, the
// envelope map, the authentication wrapper (its SUIT_Digest is decoded, each
// authentication block is checked to be one deterministic tagged COSE item)
// and the members' outer types. It does not interpret the manifest or the
// severed elements: call [Envelope.DecodeManifest] once the authentication
// wrapper has been verified. lim may be nil for the defaults.
//
// The returned Envelope's byte slices alias data.
func Parse(data []byte, lim *Limits) (*Envelope, error) {
	l := lim.resolve()
	if len(data) > l.envelopeSize {
		return nil, &DecodeError{Path: "envelope", Err: ErrLimit,
			Detail: "input of " + itoa(len(data)) + " bytes exceeds MaxEnvelopeSize " + itoa(l.envelopeSize)}
	}
	d := newDec(data, 0, &l)
	blk := &envelopeBlock{}
	blk.e.raw = data
	if err := d.envelope(blk); err != nil {
		return nil, inPath(err, "envelope")
	}
	return &blk.e, nil
}

// envelopeBlock holds an envelope with its authentication wrapper and room
// for one COSE block (the usual case), so that Parse allocates them at once.
type envelopeBlock struct {
	e      Envelope
	a      Authentication
	blocks [1][]byte
}

// Decode is Parse followed by DecodeManifest: the whole envelope decoded,
// including severed elements whose digests match. It does not check the
// manifest digest in the authentication wrapper or any signature (package
// verify does). It is meant for tools (show, sign); a device should Parse,
// verify, then DecodeManifest.
func Decode(data []byte, lim *Limits) (*Envelope, error) {
	e, err := Parse(data, lim)
	if err != nil {
		return nil, err
	}
	if _, err := e.DecodeManifest(lim); err != nil {
		return nil, err
	}
	return e, nil
}

func (d *dec) envelope(blk *envelopeBlock) error {
	e := &blk.e
	start := d.off
	if m, _ := d.peek(); m == cbor.Tag {
		_, tag, err := d.head()
		if err != nil {
			return err
		}
		switch tag {
		case 107:
			e.Tagged = true
		case 1070:
			if m, _ := d.peek(); m != cbor.Map {
				return d.fail(ErrMalformed, d.off, "SUIT_Manifest_Tagged must wrap a map")
			}
			at := d.off
			mb, err := d.skip(manifestDepth)
			if err != nil {
				return inPath(err, "manifest")
			}
			if len(mb) > d.lim.manifestSize {
				return d.fail(ErrLimit, at, "manifest of %d bytes exceeds the limit of %d", len(mb), d.lim.manifestSize)
			}
			e.BareManifest = true
			e.ManifestBytes = mb
			return d.end()
		default:
			return d.fail(ErrMalformed, start, "unexpected tag %d (want 107 or 1070)", tag)
		}
	}
	mapAt := d.off
	n, err := d.mapHead(d.lim.elements, "envelope")
	if err != nil {
		return err
	}
	var prev []byte
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.key(prev, 2)
		if err != nil {
			return err
		}
		prev = k
		if name, ok := itemString(k, cbor.Text); ok {
			if err := d.integrated(e, string(name), kAt); err != nil {
				return inPath(err, "integrated("+string(name)+")")
			}
			continue
		}
		key, isInt := itemInt(k)
		switch {
		case isInt && key == EnvelopeAuthentication:
			if err = d.authentication(&blk.a, &blk.blocks, 2); err == nil {
				e.Authentication = &blk.a
			}
		case isInt && key == EnvelopeManifest:
			var at int
			if e.ManifestBytes, at, err = d.bstr(); err == nil {
				if len(e.ManifestBytes) > d.lim.manifestSize {
					err = d.fail(ErrLimit, at, "manifest of %d bytes exceeds the limit of %d", len(e.ManifestBytes), d.lim.manifestSize)
				}
			}
		case isInt && isSeverable(key):
			var s []byte
			var at int
			if s, at, err = d.bstr(); err == nil {
				if len(s) > d.lim.manifestSize {
					err = d.fail(ErrLimit, at, "severed element of %d bytes exceeds the limit of %d", len(s), d.lim.manifestSize)
				} else {
					if e.Severed == nil {
						e.Severed = make(map[int64][]byte, 2)
					}
					e.Severed[key] = s
				}
			}
		default:
			var v []byte
			if v, err = d.skip(2); err == nil {
				e.Extensions = append(e.Extensions, RawEntry{k, v})
			}
		}
		if err != nil {
			return inPath(err, shortName(EnvelopeKeyName(key), key))
		}
	}
	if e.Authentication == nil {
		return d.fail(ErrMalformed, mapAt, "envelope lacks suit-authentication-wrapper")
	}
	if e.ManifestBytes == nil {
		return d.fail(ErrMalformed, mapAt, "envelope lacks suit-manifest")
	}
	return d.end()
}

func (d *dec) integrated(e *Envelope, name string, at int) error {
	if len(e.Integrated) >= d.lim.integrated {
		return d.fail(ErrLimit, at, "more than %d integrated payloads", d.lim.integrated)
	}
	s, _, err := d.bstr()
	if err != nil {
		return err
	}
	if e.Integrated == nil {
		e.Integrated = make(map[string][]byte, 1)
	}
	e.Integrated[name] = s
	return nil
}

// authentication decodes bstr .cbor SUIT_Authentication into a, using one
// for the blocks when there is a single one; depth is the bstr's depth.
func (d *dec) authentication(a *Authentication, one *[1][]byte, depth int) error {
	if err := d.depthOK(depth + 1); err != nil {
		return err
	}
	sub, err := d.wrapped()
	if err != nil {
		return err
	}
	n, err := sub.array(sub.lim.authBlocks+1, "authentication wrapper")
	if err != nil {
		return err
	}
	if n == 0 {
		return sub.fail(ErrMalformed, 0, "authentication wrapper lacks the digest")
	}
	ds, err := sub.wrapped()
	if err != nil {
		return inIndex(err, 0)
	}
	a.DigestBytes = ds.b
	if a.Digest, err = ds.digest(depth + 3); err == nil {
		err = ds.end()
	}
	if err != nil {
		return inIndex(err, 0)
	}
	switch {
	case n == 2:
		a.Blocks = one[:]
	case n > 2:
		a.Blocks = make([][]byte, n-1)
	}
	for i := range a.Blocks {
		bs, err := sub.wrapped()
		if err == nil {
			err = bs.authBlock(depth + 3)
		}
		if err != nil {
			return inIndex(err, i+1)
		}
		a.Blocks[i] = bs.b
	}
	return sub.end()
}

// authBlock checks that the layer is one tagged COSE_Sign1, COSE_Sign,
// COSE_Mac0 or COSE_Mac item: well-formed CBOR within the limits, in any
// key order (COSE is a foreign structure: see foreign.go).
func (d *dec) authBlock(depth int) error {
	if err := d.depthOK(depth); err != nil {
		return err
	}
	m, tag, err := d.head()
	if err != nil {
		return err
	}
	if m != cbor.Tag || (tag != 18 && tag != 98 && tag != 17 && tag != 97) {
		return d.fail(ErrMalformed, 0, "authentication block is not a tagged COSE_Sign1, COSE_Sign, COSE_Mac0 or COSE_Mac")
	}
	if m, _ := d.peek(); m != cbor.Array {
		return d.fail(ErrMalformed, d.off, "COSE structure must be an array")
	}
	if _, err := d.foreign(depth + 1); err != nil {
		return err
	}
	return d.end()
}

// offsetIn returns the offset of sub within whole when sub is a slice of
// whole's backing array, else 0.
func offsetIn(whole, sub []byte) int {
	if len(sub) == 0 || len(whole) == 0 {
		return 0
	}
	off := cap(whole) - cap(sub)
	if off < 0 || off+len(sub) > len(whole) || &whole[off] != &sub[0] {
		return 0
	}
	return off
}

// DecodeManifest strictly decodes e.ManifestBytes, sets e.Manifest and
// returns it. Severed elements that the envelope carries are checked
// against the digests the manifest holds for them (ErrDigestMismatch if one
// differs), then decoded into the manifest's severable members. A severed
// element the envelope does not carry is left nil. Call it only after the
// authentication wrapper has been verified and its digest compared with
// BstrItem(e.ManifestBytes).
func (e *Envelope) DecodeManifest(lim *Limits) (*Manifest, error) {
	return e.decodeManifest(lim, decodeAll)
}

// DecodeManifestForRun is DecodeManifest for a device that runs the
// manifest: every severed element the envelope carries is checked against
// its digest exactly as DecodeManifest checks it, and the severed command
// sequences are decoded (a processor runs them, so malformed ones are
// rejected here, before any command runs), but severed text and coswid are
// only hashed, not decoded: their members keep just their digests. Decode
// the text on demand with [Envelope.Text]. It is what package verify uses.
func (e *Envelope) DecodeManifestForRun(lim *Limits) (*Manifest, error) {
	return e.decodeManifest(lim, decodeForRun)
}

// decodeMode says how much of the manifest decodeManifest materialises.
type decodeMode int

const (
	decodeAll    decodeMode = iota // everything, severed text and coswid included
	decodeForRun                   // severed text and coswid only hashed
	decodeCheck                    // as decodeForRun, and command sequences validated but kept raw
)

// decodeManifest decodes e.ManifestBytes and resolves the severed
// elements; in decodeCheck mode it does not set e.Manifest, since the
// manifest it returns has no command model.
func (e *Envelope) decodeManifest(lim *Limits, mode decodeMode) (*Manifest, error) {
	l := lim.resolve()
	if e.ManifestBytes == nil {
		return nil, &DecodeError{Path: "envelope/manifest", Err: ErrMissing, Detail: "no manifest"}
	}
	if len(e.ManifestBytes) > l.manifestSize {
		return nil, &DecodeError{Path: "envelope/manifest", Err: ErrLimit,
			Detail: "manifest of " + itoa(len(e.ManifestBytes)) + " bytes exceeds MaxManifestSize " + itoa(l.manifestSize)}
	}
	d := newDec(e.ManifestBytes, offsetIn(e.raw, e.ManifestBytes), &l)
	d.check = mode == decodeCheck
	m, err := d.manifest(manifestDepth)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, inPath(inPath(err, "manifest"), "envelope")
	}
	if err := e.resolveSevered(m, &l, mode); err != nil {
		return nil, inPath(err, "envelope")
	}
	if err := checkTextComponents(m, textOf(m)); err != nil {
		return nil, inPath(err, "envelope/manifest")
	}
	if mode != decodeCheck {
		e.Manifest = m
	}
	return m, nil
}

// Text returns the text (manifest key 23) of the decoded manifest,
// decoding it now if it was not decoded yet: the inline or resolved text
// as decoded, else the severed copy the envelope carries, checked against
// the manifest's digest first (ErrDigestMismatch) and then strictly
// decoded, like DecodeManifest would have. It returns nil, nil when the
// manifest has no text or severs it and the envelope does not carry it.
// It does not modify e, so it is safe on a shared, verified envelope.
func (e *Envelope) Text(lim *Limits) (*Text, error) {
	m := e.Manifest
	if m == nil {
		return nil, &DecodeError{Path: "envelope/manifest", Err: ErrMissing, Detail: "manifest not decoded"}
	}
	if t := textOf(m); t != nil {
		return t, nil
	}
	content, ok := e.Severed[ManifestText]
	if !ok || m.Text == nil || m.Text.Digest == nil {
		return nil, nil
	}
	l := lim.resolve()
	name := shortName(EnvelopeKeyName(ManifestText), ManifestText)
	off := offsetIn(e.raw, content)
	if err := checkSeveredDigest(m.Text.Digest, content, name, off); err != nil {
		return nil, inPath(err, "envelope")
	}
	d := newDec(content, off, &l)
	t, err := d.text(3)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, inPath(inPath(err, name), "envelope")
	}
	if err := checkTextComponents(m, t); err != nil {
		return nil, inPath(err, "envelope/manifest")
	}
	return t, nil
}

// textOf returns m's decoded text, nil when there is none.
func textOf(m *Manifest) *Text {
	if m.Text == nil {
		return nil
	}
	return m.Text.Text
}

// checkSeveredDigest checks a severed element's content against the digest
// the manifest holds for it.
func checkSeveredDigest(dg *Digest, content []byte, name string, off int) error {
	if DigestSize(dg.Algorithm) == 0 {
		return &DecodeError{Path: name, Offset: off, Err: ErrUnsupported,
			Detail: "severed element digest uses unsupported algorithm " + itoa64(dg.Algorithm)}
	}
	if !dg.MatchesBstr(content) {
		return &DecodeError{Path: name, Offset: off, Err: ErrDigestMismatch,
			Detail: "severed element does not match the manifest's digest"}
	}
	return nil
}

// resolveSevered checks the severed elements e carries against m's digests
// and decodes them into m; except in decodeAll mode, text and coswid are
// checked only.
func (e *Envelope) resolveSevered(m *Manifest, l *limits, mode decodeMode) error {
	for _, sv := range severableNames {
		key := sv.key
		content, ok := e.Severed[key]
		if !ok {
			continue
		}
		name := shortName(EnvelopeKeyName(key), key)
		off := offsetIn(e.raw, content)
		mem := m.Severable(key)
		var dg *Digest
		if mem != nil {
			dg = mem.SeveredDigest()
		}
		if dg == nil {
			return &DecodeError{Path: name, Offset: off, Err: ErrMalformed,
				Detail: "the envelope carries a severed element the manifest does not sever"}
		}
		if err := checkSeveredDigest(dg, content, name, off); err != nil {
			return err
		}
		if _, seq := mem.(*SeverableSequence); mode != decodeAll && !seq {
			continue
		}
		// Decode the content as a bstr-wrapped layer at its envelope depth.
		d := newDec(content, off, l)
		d.check = mode == decodeCheck
		var err error
		switch mem := mem.(type) {
		case *SeverableText:
			mem.Text, err = d.text(3)
		case *SeverableBytes:
			if _, err = d.foreign(3); err == nil {
				mem.Raw = content
			}
		case *SeverableSequence:
			var cmds []Command
			if cmds, err = d.commands(3, 1, false); err == nil {
				mem.Sequence = &CommandSequence{Raw: content, Commands: cmds}
			}
			// (In decodeCheck mode cmds is nil: the content was validated
			// and only its Raw bytes are kept.)
		}
		if err == nil {
			err = d.end()
		}
		if err != nil {
			return inPath(err, name)
		}
	}
	return nil
}

// DecodeManifestBytes strictly decodes an encoded SUIT_Manifest map (the
// content of an envelope's manifest bstr) on its own. Severable members stay
// as the manifest holds them.
func DecodeManifestBytes(data []byte, lim *Limits) (*Manifest, error) {
	l := lim.resolve()
	if len(data) > l.manifestSize {
		return nil, &DecodeError{Path: "manifest", Err: ErrLimit, Detail: "manifest exceeds MaxManifestSize"}
	}
	d := newDec(data, 0, &l)
	m, err := d.manifest(manifestDepth)
	if err == nil {
		err = d.end()
	}
	if err == nil {
		err = checkTextComponents(m, textOf(m))
	}
	if err != nil {
		return nil, inPath(err, "manifest")
	}
	return m, nil
}

// checkTextComponents enforces that every component identifier used in the
// text is listed in common (draft-ietf-suit-manifest section 8.4.4).
func checkTextComponents(m *Manifest, t *Text) error {
	if t == nil {
		return nil
	}
	for _, l := range t.Languages {
		for _, ct := range l.Components {
			if !slices.ContainsFunc(m.Common.Components, ct.Component.Equal) {
				return &DecodeError{Path: "text/" + l.Tag, Err: ErrMalformed,
					Detail: "text names component " + ct.Component.String() + ", which common does not list"}
			}
		}
	}
	return nil
}

// DecodeCommandSequence strictly decodes an encoded SUIT_Command_Sequence
// (the content of a bstr-wrapped sequence, e.g. a severed install
// element).
func DecodeCommandSequence(data []byte, lim *Limits) (*CommandSequence, error) {
	l := lim.resolve()
	if len(data) > l.manifestSize {
		return nil, &DecodeError{Path: "sequence", Err: ErrLimit, Detail: "sequence exceeds MaxManifestSize"}
	}
	d := newDec(data, 0, &l)
	cmds, err := d.commands(manifestDepth, 1, false)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, inPath(err, "sequence")
	}
	return &CommandSequence{Raw: data, Commands: cmds}, nil
}

// DecodeText strictly decodes an encoded SUIT_Text_Map (the content of the
// text bstr).
func DecodeText(data []byte, lim *Limits) (*Text, error) {
	l := lim.resolve()
	if len(data) > l.manifestSize {
		return nil, &DecodeError{Path: "text", Err: ErrLimit, Detail: "text exceeds MaxManifestSize"}
	}
	d := newDec(data, 0, &l)
	t, err := d.text(manifestDepth)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, inPath(err, "text")
	}
	return t, nil
}
