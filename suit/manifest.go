package suit

// Manifest is a SUIT_Manifest (draft-ietf-suit-manifest section 8.4).
// Optional members are nil when absent. Decoding keeps every member: those
// the model does not know are kept in Extensions.
type Manifest struct {
	// Raw is the exact encoded manifest this value was decoded from (the
	// content of the envelope's manifest bstr); nil when built in code.
	// Encode re-encodes from the fields and does not read Raw.
	Raw []byte

	Version        uint64  // key 1; always 1 after decoding; Encode writes 1 when zero
	SequenceNumber uint64  // key 2; anti-rollback counter
	Common         *Common // key 3; required
	ReferenceURI   *string // key 4

	// ManifestComponentID is key 5 (trust-domains): where a root manifest
	// is stored.
	ManifestComponentID *ComponentID

	// SetVersion is key 6 (update-management): bstr .cbor [+int]. Nil
	// when absent.
	SetVersion []int64

	Validate  *CommandSequence // key 7
	Load      *CommandSequence // key 8
	Invoke    *CommandSequence // key 9
	Uninstall *CommandSequence // key 24 (trust-domains)

	// Severable members: each is either inline or severed (a digest).
	Coswid                *SeverableBytes    // key 14 (update-management)
	DependencyResolution  *SeverableSequence // key 15 (trust-domains)
	PayloadFetch          *SeverableSequence // key 16
	CandidateVerification *SeverableSequence // key 18 (trust-domains)
	Install               *SeverableSequence // key 20
	Text                  *SeverableText     // key 23

	// Extensions holds members with other keys, verbatim.
	Extensions []RawEntry
}

// SeverableSequence is a severable command sequence member. In the
// manifest it is either inline (a bstr-wrapped command sequence) or severed
// (a SUIT_Digest of the bstr-wrapped sequence, which then travels in the
// envelope under the same key).
type SeverableSequence struct {
	// Digest is non-nil when the member is severed in the manifest.
	Digest *Digest
	// Sequence is the command sequence: the inline one, or, for a severed
	// member, the one the envelope carries once its digest matched. Nil
	// when severed and the envelope does not carry it.
	Sequence *CommandSequence
}

// Severed reports whether the member is severed (the manifest holds only
// its digest).
func (s *SeverableSequence) Severed() bool { return s != nil && s.Digest != nil }

// SeverableText is the severable text member (key 23).
type SeverableText struct {
	Digest *Digest // non-nil when severed
	Text   *Text   // inline text, or the envelope's copy after its digest matched
}

// Severed reports whether the member is severed.
func (s *SeverableText) Severed() bool { return s != nil && s.Digest != nil }

// SeverableBytes is a severable member whose content the model does not
// interpret (coswid, key 14).
type SeverableBytes struct {
	Digest *Digest // non-nil when severed
	// Raw is the exact bstr content (a CBOR item, checked to be
	// deterministically encoded); for a severed member, the envelope's copy
	// after its digest matched.
	Raw []byte
}

// Severed reports whether the member is severed.
func (s *SeverableBytes) Severed() bool { return s != nil && s.Digest != nil }

// Common is SUIT_Common (key 3 of the manifest, bstr-wrapped).
type Common struct {
	// Raw is the exact content of the common bstr; nil when built.
	Raw []byte

	// Dependencies is key 1 (trust-domains): component indices that are
	// dependency manifests. Nil when absent.
	Dependencies []Dependency

	// Components is key 2: the component identifiers, indexed by
	// component index. Nil when absent.
	Components []ComponentID

	// SharedSequence is key 4: the shared command sequence, run before
	// every other sequence. Nil when absent.
	SharedSequence *CommandSequence

	// Extensions holds members with other keys, verbatim.
	Extensions []RawEntry
}

// Dependency is one entry of suit-dependencies (trust-domains):
// component-index => { ? 1 dependency-prefix, * extensions }.
type Dependency struct {
	Index      uint64
	Prefix     *ComponentID // key 1, nil when absent
	Extensions []RawEntry
}

// SharedParameter returns the value of parameter key that the top level of
// the common shared sequence sets (with override-parameters or
// set-parameters) for the component with the given index; the last setting
// wins. It follows set-component-index but does not look inside try-each or
// run-sequence. It lets a verifier find the vendor and class identifiers
// without running the sequence.
func (m *Manifest) SharedParameter(component uint64, key int64) (Parameter, bool) {
	if m == nil || m.Common == nil || m.Common.SharedSequence == nil {
		return Parameter{}, false
	}
	n := uint64(len(m.Common.Components))
	selected := func(ci ComponentIndex) bool {
		switch {
		case ci.All:
			return component < n
		case len(ci.List) > 0:
			for _, x := range ci.List {
				if x == component {
					return true
				}
			}
			return false
		}
		return ci.Index == component
	}
	cur := component == 0 // the index starts at 0
	var out Parameter
	found := false
	for i := range m.Common.SharedSequence.Commands {
		c := &m.Common.SharedSequence.Commands[i]
		switch c.ID {
		case DirectiveSetComponentIndex:
			cur = selected(c.Index)
		case DirectiveOverrideParameters, DirectiveSetParameters:
			if !cur {
				continue
			}
			if p, ok := c.Params.Get(key); ok {
				if c.ID == DirectiveSetParameters && found {
					continue
				}
				out, found = p, true
			}
		case DirectiveOverrideMultiple:
			for _, ip := range c.Multiple {
				if ip.Index == component {
					if p, ok := ip.Params.Get(key); ok {
						out, found = p, true
					}
				}
			}
		}
	}
	return out, found
}
