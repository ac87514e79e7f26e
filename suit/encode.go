package suit

import (
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file encodes the model deterministically (RFC 8949 section 4.2.1).
// Encoding works from the fields, not from Raw: for a value decoded by
// this package (which accepts only deterministic input) the result equals
// the received bytes.

func (w *writer) digest(d Digest) error {
	if len(d.Value) == 0 {
		return fmt.Errorf("%w: digest without value", ErrMalformed)
	}
	w.head(cbor.Array, uint64(2+len(d.Extensions)))
	w.int(d.Algorithm)
	w.bstr(d.Value)
	for _, x := range d.Extensions {
		if err := checkRaw(x, "digest extension"); err != nil {
			return err
		}
		w.raw(x)
	}
	return nil
}

// Encode returns the deterministic encoding of the authentication wrapper
// array (the content of envelope key 2).
func (a *Authentication) Encode() ([]byte, error) {
	var w writer
	w.head(cbor.Array, uint64(1+len(a.Blocks)))
	db := a.DigestBytes
	if db == nil {
		var err error
		if db, err = a.Digest.Encode(); err != nil {
			return nil, err
		}
	}
	w.bstr(db)
	for _, b := range a.Blocks {
		w.bstr(b)
	}
	return w.b, nil
}

// Encode returns the deterministic encoding of the envelope. The manifest
// member is ManifestBytes when non-nil, else Manifest.Encode(); severed
// elements, integrated payloads and extensions are written as held.
func (e *Envelope) Encode() ([]byte, error) {
	mb := e.ManifestBytes
	if mb == nil {
		if e.Manifest == nil {
			return nil, fmt.Errorf("%w: envelope without manifest", ErrMissing)
		}
		var err error
		if mb, err = e.Manifest.Encode(); err != nil {
			return nil, err
		}
	}
	var w writer
	if e.BareManifest {
		w.head(cbor.Tag, 1070)
		if err := checkRaw(mb, "manifest"); err != nil {
			return nil, err
		}
		w.raw(mb)
		return w.b, nil
	}
	var mbld mapBuilder
	if e.Authentication != nil {
		a, err := e.Authentication.Encode()
		if err != nil {
			return nil, err
		}
		mbld.add(EnvelopeAuthentication, BstrItem(a))
	}
	mbld.add(EnvelopeManifest, BstrItem(mb))
	for k, v := range e.Severed {
		if !isSeverable(k) {
			return nil, fmt.Errorf("%w: envelope key %d is not a severable element", ErrMalformed, k)
		}
		mbld.add(k, BstrItem(v))
	}
	for name, v := range e.Integrated {
		var kw writer
		kw.tstr(name)
		mbld.es = append(mbld.es, entry{kw.b, BstrItem(v)})
	}
	if err := addRawChecked(&mbld, e.Extensions); err != nil {
		return nil, err
	}
	if e.Tagged {
		w.head(cbor.Tag, 107)
	}
	if err := mbld.write(&w); err != nil {
		return nil, err
	}
	return w.b, nil
}

func addRawChecked(m *mapBuilder, es []RawEntry) error {
	for _, x := range es {
		if err := checkRaw(x.Key, "extension key"); err != nil {
			return err
		}
		if err := checkRaw(x.Value, "extension value"); err != nil {
			return err
		}
	}
	m.addRaw(es)
	return nil
}

// Encode returns the deterministic encoding of the manifest map: the new
// content for the envelope's manifest bstr.
func (m *Manifest) Encode() ([]byte, error) {
	if m.Common == nil {
		return nil, fmt.Errorf("%w: manifest without common", ErrMissing)
	}
	var b mapBuilder
	v := m.Version
	if v == 0 {
		v = 1
	}
	var vw writer
	vw.uint(v)
	b.add(ManifestVersion, vw.b)
	var sw writer
	sw.uint(m.SequenceNumber)
	b.add(ManifestSequenceNumber, sw.b)
	c, err := m.Common.Encode()
	if err != nil {
		return nil, err
	}
	b.add(ManifestCommon, BstrItem(c))
	if m.ReferenceURI != nil {
		var w writer
		w.tstr(*m.ReferenceURI)
		b.add(ManifestReferenceURI, w.b)
	}
	if m.ManifestComponentID != nil {
		var w writer
		w.componentID(*m.ManifestComponentID)
		b.add(ManifestComponentIDKey, w.b)
	}
	if m.SetVersion != nil {
		var w writer
		w.head(cbor.Array, uint64(len(m.SetVersion)))
		for _, x := range m.SetVersion {
			w.int(x)
		}
		b.add(ManifestSetVersion, BstrItem(w.b))
	}
	for _, s := range []struct {
		k int64
		s *CommandSequence
	}{{ManifestValidate, m.Validate}, {ManifestLoad, m.Load}, {ManifestInvoke, m.Invoke}, {ManifestUninstall, m.Uninstall}} {
		if s.s == nil {
			continue
		}
		enc, err := s.s.Encode()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ManifestKeyName(s.k), err)
		}
		b.add(s.k, BstrItem(enc))
	}
	for _, sv := range severableNames {
		mem := m.Severable(sv.key)
		if mem == nil {
			continue
		}
		enc, err := mem.encodeMember()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ManifestKeyName(sv.key), err)
		}
		b.add(sv.key, enc)
	}
	if err := addRawChecked(&b, m.Extensions); err != nil {
		return nil, err
	}
	var w writer
	if err := b.write(&w); err != nil {
		return nil, err
	}
	return w.b, nil
}

func (w *writer) componentID(c ComponentID) {
	w.head(cbor.Array, uint64(len(c)))
	for _, e := range c {
		w.bstr(e)
	}
}

// Encode returns the deterministic encoding of SUIT_Common (the content of
// the manifest's common bstr).
func (c *Common) Encode() ([]byte, error) {
	var b mapBuilder
	if c.Dependencies != nil {
		var db mapBuilder
		for _, d := range c.Dependencies {
			var mb mapBuilder
			if d.Prefix != nil {
				var w writer
				w.componentID(*d.Prefix)
				mb.add(DependencyPrefix, w.b)
			}
			if err := addRawChecked(&mb, d.Extensions); err != nil {
				return nil, err
			}
			var w writer
			if err := mb.write(&w); err != nil {
				return nil, err
			}
			var kw writer
			kw.uint(d.Index)
			db.es = append(db.es, entry{kw.b, w.b})
		}
		var w writer
		if err := db.write(&w); err != nil {
			return nil, err
		}
		b.add(CommonDependencies, w.b)
	}
	if c.Components != nil {
		var w writer
		w.head(cbor.Array, uint64(len(c.Components)))
		for _, id := range c.Components {
			w.componentID(id)
		}
		b.add(CommonComponents, w.b)
	}
	if c.SharedSequence != nil {
		enc, err := c.SharedSequence.Encode()
		if err != nil {
			return nil, fmt.Errorf("suit-shared-sequence: %w", err)
		}
		b.add(CommonSharedSequence, BstrItem(enc))
	}
	if err := addRawChecked(&b, c.Extensions); err != nil {
		return nil, err
	}
	var w writer
	if err := b.write(&w); err != nil {
		return nil, err
	}
	return w.b, nil
}

// Encode returns the deterministic encoding of the command sequence array
// (the content of its bstr).
func (s *CommandSequence) Encode() ([]byte, error) {
	if len(s.Commands) == 0 {
		return nil, fmt.Errorf("%w: empty command sequence", ErrMalformed)
	}
	var w writer
	w.head(cbor.Array, uint64(2*len(s.Commands)))
	for i := range s.Commands {
		if err := w.command(&s.Commands[i]); err != nil {
			return nil, fmt.Errorf("command %d: %w", i, err)
		}
	}
	return w.b, nil
}

func (w *writer) command(c *Command) error {
	w.int(c.ID)
	switch CommandArgKind(c.ID) {
	case ArgReportingPolicy:
		w.uint(c.ReportingPolicy)
	case ArgComponentIndex:
		switch {
		case c.Index.All:
			w.bool(true)
		case len(c.Index.List) > 0:
			w.head(cbor.Array, uint64(len(c.Index.List)))
			for _, x := range c.Index.List {
				w.uint(x)
			}
		default:
			w.uint(c.Index.Index)
		}
	case ArgParameters:
		return w.params(c.Params)
	case ArgTryEach:
		if len(c.TryEach) < 2 {
			return fmt.Errorf("%w: try-each needs at least two alternatives", ErrMalformed)
		}
		n := len(c.TryEach)
		if c.TryEachNil {
			n++
		}
		w.head(cbor.Array, uint64(n))
		for i := range c.TryEach {
			enc, err := c.TryEach[i].Encode()
			if err != nil {
				return err
			}
			w.bstr(enc)
		}
		if c.TryEachNil {
			w.null()
		}
	case ArgSequence:
		if c.Sequence == nil {
			return fmt.Errorf("%w: run-sequence without a sequence", ErrMalformed)
		}
		enc, err := c.Sequence.Encode()
		if err != nil {
			return err
		}
		w.bstr(enc)
	case ArgOverrideMultiple:
		if len(c.Multiple) == 0 {
			return fmt.Errorf("%w: empty override-multiple", ErrMalformed)
		}
		var mb mapBuilder
		for _, ip := range c.Multiple {
			var kw, vw writer
			kw.uint(ip.Index)
			if err := vw.params(ip.Params); err != nil {
				return err
			}
			mb.es = append(mb.es, entry{kw.b, vw.b})
		}
		return mb.write(w)
	case ArgCopyParams:
		if len(c.Copy) == 0 {
			return fmt.Errorf("%w: empty copy-params", ErrMalformed)
		}
		var mb mapBuilder
		for _, cp := range c.Copy {
			if len(cp.Keys) == 0 {
				return fmt.Errorf("%w: empty copy-params key list", ErrMalformed)
			}
			var kw, vw writer
			kw.uint(cp.Source)
			vw.head(cbor.Array, uint64(len(cp.Keys)))
			for _, k := range cp.Keys {
				vw.int(k)
			}
			mb.es = append(mb.es, entry{kw.b, vw.b})
		}
		return mb.write(w)
	default:
		if err := checkRaw(c.Arg, "command argument"); err != nil {
			return err
		}
		w.raw(c.Arg)
	}
	return nil
}

func (w *writer) params(ps Parameters) error {
	if len(ps) == 0 {
		return fmt.Errorf("%w: empty parameter map", ErrMalformed)
	}
	var mb mapBuilder
	for _, p := range ps {
		if err := checkRaw(p.Value, "parameter "+ParameterName(p.Key)); err != nil {
			return err
		}
		mb.add(p.Key, p.Value)
	}
	return mb.write(w)
}

// Encode returns the deterministic encoding of the text map (the content of
// the text bstr).
func (t *Text) Encode() ([]byte, error) {
	if len(t.Languages) == 0 {
		return nil, fmt.Errorf("%w: empty text map", ErrMalformed)
	}
	var tb mapBuilder
	for _, l := range t.Languages {
		var lb mapBuilder
		for _, e := range l.Manifest {
			var w writer
			w.tstr(e.Value)
			lb.add(e.Key, w.b)
		}
		for _, ct := range l.Components {
			var kw writer
			kw.componentID(ct.Component)
			var eb mapBuilder
			for _, e := range ct.Entries {
				var w writer
				w.tstr(e.Value)
				eb.add(e.Key, w.b)
			}
			var vw writer
			if err := eb.write(&vw); err != nil {
				return nil, err
			}
			lb.es = append(lb.es, entry{kw.b, vw.b})
		}
		if err := addRawChecked(&lb, l.Extensions); err != nil {
			return nil, err
		}
		var kw, vw writer
		kw.tstr(l.Tag)
		if err := lb.write(&vw); err != nil {
			return nil, err
		}
		tb.es = append(tb.es, entry{kw.b, vw.b})
	}
	var w writer
	if err := tb.write(&w); err != nil {
		return nil, err
	}
	return w.b, nil
}
