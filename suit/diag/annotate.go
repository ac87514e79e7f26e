package diag

import (
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// This file tells the diagnostic printer what SUIT element it is looking
// at, for Options.Annotate. It reuses the text form's schema.

// Kinds that only the annotating printer uses: the content of bstr-wrapped
// elements and the envelope itself.
const (
	kEnvelopeD schema.Kind = 100 + iota
	kManifestD
	kCommonD
	kAuthD
	kSequenceD
	kTextD
	kTextLangD
	kTextCompD
	kDigestAlgD
	kDepMetaD // one SUIT_Dependency_Metadata
)

// diagMapSchema returns the names of a map's keys.
func diagMapSchema(k schema.Kind) *schema.Map {
	switch k {
	case kEnvelopeD:
		return schema.Envelope
	case kManifestD:
		return schema.Manifest
	case kCommonD:
		return schema.Common
	case schema.Params:
		return schema.Parameter
	case kTextLangD:
		return schema.TextManifest
	case kTextCompD:
		return schema.TextComponent
	case kDepMetaD:
		return schema.DependencyMetadata
	}
	return nil
}

// diagValueKind refines the kind of a map value where the key is not an
// integer or the map is keyed by something else.
func diagValueKind(m schema.Kind, key *cbornode.Node, vk schema.Kind) schema.Kind {
	switch m {
	case kTextD:
		return kTextLangD
	case kTextLangD:
		if key.Major == 4 {
			return kTextCompD
		}
	case schema.OverrideMultiple:
		return schema.Params
	case schema.Dependencies:
		return kDepMetaD
	case kEnvelopeD:
		if key.Major == 3 {
			return schema.Any
		}
	}
	return vk
}

// diagElemKind is the kind of element i of an array of kind k.
func diagElemKind(k schema.Kind, i int) schema.Kind {
	switch k {
	case schema.TryEach:
		return schema.SeqBstr
	case kAuthD:
		if i == 0 {
			return schema.DigestBstr
		}
	case schema.Digest:
		if i == 0 {
			return kDigestAlgD
		}
	}
	return schema.Any
}

// diagBstrInner returns the kind of the CBOR a bstr of kind k holds.
func diagBstrInner(k schema.Kind) schema.Kind {
	switch k {
	case schema.ManifestBstr:
		return kManifestD
	case schema.CommonBstr:
		return kCommonD
	case schema.AuthBstr:
		return kAuthD
	case schema.SeqBstr, schema.SeverableSeq:
		return kSequenceD
	case schema.TextBstr, schema.SeverableText:
		return kTextD
	case schema.DigestBstr:
		return schema.Digest
	}
	return schema.Any
}

// diagTrailing returns a comment after a value: the UUID form of an
// identifier, the name of a digest algorithm.
func diagTrailing(n *cbornode.Node, k schema.Kind) string {
	switch {
	case k == schema.UUID && n.Major == 2 && len(n.Str) == 16:
		u, _ := suit.UUIDFromBytes(n.Str)
		return " / " + u.String() + " /"
	case k == kDigestAlgD:
		if v, ok := n.Int64(); ok {
			if name, ok := schema.DigestAlgName(v); ok {
				return " / " + name + " /"
			}
		}
	}
	return ""
}
