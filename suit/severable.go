package suit

import "fmt"

// This file holds the one rule that maps a manifest key to its severable
// member. The decoder, the encoder, the envelope operations (sever.go),
// verification and processing all go through Manifest.Severable instead of
// switching over the member fields themselves.

// severableNames lists the severable members in ascending key order with
// their short names. A severed member travels in the envelope under the
// same key it has in the manifest, so the list serves both maps.
var severableNames = [...]struct {
	key  int64
	name string
}{
	{ManifestCoswid, "coswid"},
	{ManifestDependencyResolution, "dependency-resolution"},
	{ManifestPayloadFetch, "payload-fetch"},
	{ManifestCandidateVerification, "candidate-verification"},
	{ManifestInstall, "install"},
	{ManifestText, "text"},
}

// SeverableKeys returns the keys of the manifest members that can be
// severed, in ascending order: coswid (14), dependency-resolution (15),
// payload-fetch (16), candidate-verification (18), install (20), text
// (23). The envelope carries a severed member under the same key.
func SeverableKeys() []int64 {
	keys := make([]int64, len(severableNames))
	for i, s := range severableNames {
		keys[i] = s.key
	}
	return keys
}

// isSeverable reports whether k is the key of a severable member.
func isSeverable(k int64) bool {
	for _, s := range severableNames {
		if s.key == k {
			return true
		}
	}
	return false
}

// SeverableMember is one severable member of a manifest, as
// [Manifest.Severable] returns it: a *[SeverableBytes] (coswid), a
// *[SeverableSequence] (dependency-resolution, payload-fetch,
// candidate-verification, install) or a *[SeverableText] (text). It lets
// code that treats every severable member alike (severing, attaching,
// checking carried copies against their digests) do so without knowing
// which field holds which key.
type SeverableMember interface {
	// Severed reports whether the manifest holds only the member's digest.
	Severed() bool
	// SeveredDigest returns the digest the manifest holds for a severed
	// member, nil for an inline one.
	SeveredDigest() *Digest
	// HasContent reports whether the member's content is present: inline,
	// or severed and resolved from the envelope's copy after its digest
	// matched.
	HasContent() bool
	// content returns the member's exact bstr content: the received bytes
	// for a decoded member, the deterministic encoding for one built in
	// code; nil when the content is not present.
	content() ([]byte, error)
	setDigest(d *Digest)
	dropContent()
	// encodeMember returns the manifest's value for the member: the
	// SUIT_Digest when severed, else the bstr-wrapped content encoded from
	// the fields.
	encodeMember() ([]byte, error)
}

// Severable returns m's severable member with the given manifest key, or
// nil when m does not have it or key is not a severable key (see
// [SeverableKeys]).
func (m *Manifest) Severable(key int64) SeverableMember {
	seq, text, raw := m.severableField(key)
	switch {
	case seq != nil && *seq != nil:
		return *seq
	case text != nil && *text != nil:
		return *text
	case raw != nil && *raw != nil:
		return *raw
	}
	return nil
}

// severableField returns a pointer to the field of m that holds the
// severable member with key; exactly one result is non-nil for a
// severable key, none for any other key. It is the only place that
// knows which field holds which key: the decoder fills the fields through
// it, everything else reads them through Severable.
func (m *Manifest) severableField(key int64) (**SeverableSequence, **SeverableText, **SeverableBytes) {
	switch key {
	case ManifestCoswid:
		return nil, nil, &m.Coswid
	case ManifestDependencyResolution:
		return &m.DependencyResolution, nil, nil
	case ManifestPayloadFetch:
		return &m.PayloadFetch, nil, nil
	case ManifestCandidateVerification:
		return &m.CandidateVerification, nil, nil
	case ManifestInstall:
		return &m.Install, nil, nil
	case ManifestText:
		return nil, &m.Text, nil
	}
	return nil, nil, nil
}

// SeveredDigest returns the digest of a severed sequence, nil when inline
// or absent.
func (s *SeverableSequence) SeveredDigest() *Digest {
	if s == nil {
		return nil
	}
	return s.Digest
}

// HasContent reports whether the command sequence is present.
func (s *SeverableSequence) HasContent() bool { return s != nil && s.Sequence != nil }

func (s *SeverableSequence) content() ([]byte, error) {
	switch {
	case s.Sequence == nil:
		return nil, nil
	case s.Sequence.Raw != nil:
		return s.Sequence.Raw, nil
	}
	return s.Sequence.Encode()
}

func (s *SeverableSequence) setDigest(d *Digest) { s.Digest = d }
func (s *SeverableSequence) dropContent()        { s.Sequence = nil }

func (s *SeverableSequence) encodeMember() ([]byte, error) {
	switch {
	case s.Digest != nil:
		return s.Digest.Encode()
	case s.Sequence != nil:
		enc, err := s.Sequence.Encode()
		return BstrItem(enc), err
	}
	return nil, fmt.Errorf("%w: severable member with neither digest nor sequence", ErrMissing)
}

// SeveredDigest returns the digest of severed text, nil when inline or
// absent.
func (s *SeverableText) SeveredDigest() *Digest {
	if s == nil {
		return nil
	}
	return s.Digest
}

// HasContent reports whether the text is present.
func (s *SeverableText) HasContent() bool { return s != nil && s.Text != nil }

func (s *SeverableText) content() ([]byte, error) {
	switch {
	case s.Text == nil:
		return nil, nil
	case s.Text.Raw != nil:
		return s.Text.Raw, nil
	}
	return s.Text.Encode()
}

func (s *SeverableText) setDigest(d *Digest) { s.Digest = d }
func (s *SeverableText) dropContent()        { s.Text = nil }

func (s *SeverableText) encodeMember() ([]byte, error) {
	switch {
	case s.Digest != nil:
		return s.Digest.Encode()
	case s.Text != nil:
		enc, err := s.Text.Encode()
		return BstrItem(enc), err
	}
	return nil, fmt.Errorf("%w: text member with neither digest nor text", ErrMissing)
}

// SeveredDigest returns the digest of a severed member, nil when inline or
// absent.
func (s *SeverableBytes) SeveredDigest() *Digest {
	if s == nil {
		return nil
	}
	return s.Digest
}

// HasContent reports whether the content is present.
func (s *SeverableBytes) HasContent() bool { return s != nil && s.Raw != nil }

func (s *SeverableBytes) content() ([]byte, error) { return s.Raw, nil }

func (s *SeverableBytes) setDigest(d *Digest) { s.Digest = d }
func (s *SeverableBytes) dropContent()        { s.Raw = nil }

func (s *SeverableBytes) encodeMember() ([]byte, error) {
	switch {
	case s.Digest != nil:
		return s.Digest.Encode()
	case s.Raw != nil:
		if err := checkRaw(s.Raw, "coswid"); err != nil {
			return nil, err
		}
		return BstrItem(s.Raw), nil
	}
	return nil, fmt.Errorf("%w: coswid member with neither digest nor content", ErrMissing)
}
