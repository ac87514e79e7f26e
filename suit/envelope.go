package suit

// Envelope is a SUIT_Envelope (draft-ietf-suit-manifest section 8.2).
//
// Byte slices in a decoded Envelope alias the input given to [Parse] or
// [Decode]; the caller must not modify that input while the Envelope is in
// use (copy it first if it may change: see threat MFST.TOCTOU).
type Envelope struct {
	// Tagged is true when the envelope carries CBOR tag 107
	// (SUIT_Envelope_Tagged).
	Tagged bool

	// BareManifest is true when the input was a SUIT_Manifest_Tagged (tag
	// 1070): a manifest without envelope or authentication. ManifestBytes
	// then holds the encoded manifest map, and no other member is set.
	BareManifest bool

	// Authentication is the authentication wrapper (key 2), nil if absent.
	Authentication *Authentication

	// ManifestBytes is the exact content of the manifest bstr (key 3) as
	// received. The manifest digest is computed over
	// BstrItem(ManifestBytes). [Envelope.Encode] writes ManifestBytes when
	// it is non-nil, otherwise Manifest.Encode().
	ManifestBytes []byte

	// Manifest is the decoded manifest; nil until DecodeManifest.
	Manifest *Manifest

	// Severed holds the severable elements carried in the envelope,
	// keyed by their number (14 coswid, 15 dependency-resolution, 16
	// payload-fetch, 18 candidate-verification, 20 install, 23 text): the
	// exact bstr content. The manifest holds a Digest of
	// BstrItem(content) for each.
	Severed map[int64][]byte

	// Integrated holds integrated payloads and integrated dependencies:
	// text-string keys (e.g. "#fw.bin") mapped to bstr content.
	Integrated map[string][]byte

	// Extensions holds every other envelope member, kept as its exact
	// encoded key and value so re-encoding loses nothing.
	Extensions []RawEntry

	// raw is the input Parse decoded, so DecodeManifest can report
	// offsets in the envelope.
	raw []byte
}

// Authentication is the SUIT_Authentication wrapper:
// [bstr .cbor SUIT_Digest, * bstr .cbor SUIT_Authentication_Block].
type Authentication struct {
	// DigestBytes is the exact content of element 0 (the encoded
	// SUIT_Digest). It is the detached COSE payload that every block
	// signs or MACs. Encode writes DigestBytes when non-nil, otherwise
	// Digest.Encode().
	DigestBytes []byte

	// Digest is DigestBytes decoded: the digest of the manifest bstr.
	Digest Digest

	// Blocks holds the exact content of each further element: a tagged
	// COSE_Sign1 (18), COSE_Sign (98), COSE_Mac0 (17) or COSE_Mac (97).
	// Parse checks each is one deterministically encoded CBOR item with
	// one of those tags; it does not interpret or verify them.
	Blocks [][]byte
}

// RawEntry is a map member kept verbatim: the exact encoded CBOR key and
// value items.
type RawEntry struct {
	Key   []byte // encoded key item
	Value []byte // encoded value item
}

// KeyInt returns the entry's key as an integer if it is one.
func (r RawEntry) KeyInt() (int64, bool) {
	return itemInt(r.Key)
}
