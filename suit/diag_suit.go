package suit

// This file tells the diagnostic printer what SUIT element it is looking
// at, for DiagOptions.Annotate. It reuses the text form's schema.

// Kinds that only the annotating printer uses: the content of bstr-wrapped
// elements and the envelope itself.
const (
	kEnvelopeD tkind = 100 + iota
	kManifestD
	kCommonD
	kAuthD
	kSequenceD
	kTextD
	kTextLangD
	kTextCompD
	kDigestAlgD
)

// diagMapSchema returns the names of a map's keys.
func diagMapSchema(k tkind) *tmap {
	switch k {
	case kEnvelopeD:
		return envelopeSchema
	case kManifestD:
		return manifestSchema
	case kCommonD:
		return commonSchema
	case kParams:
		return parameterSchema
	case kTextLangD:
		return textManifestSchema
	case kTextCompD:
		return textComponentSchema
	}
	return nil
}

// diagValueKind refines the kind of a map value where the key is not an
// integer or the map is keyed by something else.
func diagValueKind(m tkind, key *dnode, vk tkind) tkind {
	switch m {
	case kTextD:
		return kTextLangD
	case kTextLangD:
		if key.major == 4 {
			return kTextCompD
		}
	case kOverrideMultiple:
		return kParams
	case kEnvelopeD:
		if key.major == 3 {
			return kAny
		}
	}
	return vk
}

// diagElemKind is the kind of element i of an array of kind k.
func diagElemKind(k tkind, i int) tkind {
	switch k {
	case kTryEach:
		return kSeqBstr
	case kAuthD:
		if i == 0 {
			return kDigestBstr
		}
	case kDigest:
		if i == 0 {
			return kDigestAlgD
		}
	}
	return kAny
}

// diagBstrInner returns the kind of the CBOR a bstr of kind k holds.
func diagBstrInner(k tkind) tkind {
	switch k {
	case kManifestBstr:
		return kManifestD
	case kCommonBstr:
		return kCommonD
	case kAuthBstr:
		return kAuthD
	case kSeqBstr, kSeverableSeq:
		return kSequenceD
	case kTextBstr, kSeverableText:
		return kTextD
	case kDigestBstr:
		return kDigest
	}
	return kAny
}

// diagTrailing returns a comment after a value: the UUID form of an
// identifier, the name of a digest algorithm.
func diagTrailing(n *dnode, k tkind) string {
	switch {
	case k == kUUID && n.major == 2 && len(n.str) == 16:
		u, _ := UUIDFromBytes(n.str)
		return " / " + u.String() + " /"
	case k == kDigestAlgD:
		if v, ok := n.int64(); ok {
			if name, ok := digestAlgName(v); ok {
				return " / " + name + " /"
			}
		}
	}
	return ""
}
