// Package schema describes the SUIT CDDL for the packages that show
// envelopes to people: for each map, the IETF name and the kind of value of
// each known key. The text form (suit/text) is driven by these tables in
// both directions and the diagnostic notation (suit/diag) uses them for its
// annotations, so a name is defined once. The suit codec does not use them:
// it decodes into typed fields instead.
package schema

import (
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/suit"
)

// Kind is the kind of value found at a position of the SUIT structure.
type Kind int

const (
	Any              Kind = iota // unknown: int, text, bool and null natively, anything else {"cbor-hex"}
	Uint                         // unsigned integer
	Int                          // signed integer
	Text                         // text string
	Bytes                        // byte string, shown as hex
	Bool                         // boolean
	UUID                         // 16-byte bstr shown as a UUID string
	Digest                       // SUIT_Digest array
	DigestBstr                   // bstr .cbor SUIT_Digest
	ComponentID                  // [* bstr]
	Components                   // [+ SUIT_Component_Identifier]
	SeqBstr                      // bstr .cbor SUIT_Command_Sequence
	SeverableSeq                 // bstr .cbor sequence, or a SUIT_Digest when severed
	SeverableText                // bstr .cbor SUIT_Text_Map, or a SUIT_Digest when severed
	SeverableBytes               // bstr, or a SUIT_Digest when severed
	TextBstr                     // bstr .cbor SUIT_Text_Map
	CommonBstr                   // bstr .cbor SUIT_Common
	ManifestBstr                 // bstr .cbor SUIT_Manifest
	AuthBstr                     // bstr .cbor SUIT_Authentication
	Params                       // {+ parameter => value}
	RepPolicy                    // reporting-policy bits
	IndexArg                     // uint / true / [+uint]
	TryEach                      // [2* bstr .cbor sequence, ?nil]
	OverrideMultiple             // {+ uint => {+ parameter => value}}
	CopyParams                   // {+ uint => [+ parameter key]}
	CBORBstr                     // bstr .cbor any: {"cbor": generic item}
	Dependencies                 // {+ uint => SUIT_Dependency_Metadata} (trust-domains)
)

// IsBstr reports whether values of kind k are byte strings on the wire, so
// that a value that does not fit the schema is shown as the hex of its
// content rather than as {"cbor-hex": ...}.
func IsBstr(k Kind) bool {
	switch k {
	case Bytes, UUID, DigestBstr, SeqBstr, TextBstr, CommonBstr, ManifestBstr, AuthBstr, CBORBstr:
		return true
	}
	return false
}

// Field is one key of a map: its number, IETF name and value kind.
type Field struct {
	Key  int64
	Name string
	Kind Kind
}

// Map is one map of the schema: key <-> name and kind.
type Map struct {
	ByKey  map[int64]Field
	ByName map[string]Field
}

// NewMap returns the map with the given fields.
func NewMap(fields ...Field) *Map {
	m := &Map{ByKey: map[int64]Field{}, ByName: map[string]Field{}}
	for _, f := range fields {
		m.ByKey[f.Key] = f
		m.ByName[f.Name] = f
	}
	return m
}

// Name returns the text-form name of key: the IETF name when known, else the
// decimal number.
func (m *Map) Name(key int64) string {
	if f, ok := m.ByKey[key]; ok {
		return f.Name
	}
	return strconv.FormatInt(key, 10)
}

// Kind returns the value kind for key (Any when unknown).
func (m *Map) Kind(key int64) Kind {
	if f, ok := m.ByKey[key]; ok {
		return f.Kind
	}
	return Any
}

// Lookup resolves a text-form name or decimal number to a key.
func (m *Map) Lookup(name string) (Field, bool) {
	if f, ok := m.ByName[name]; ok {
		return f, true
	}
	if v, err := strconv.ParseInt(name, 10, 64); err == nil {
		if f, ok := m.ByKey[v]; ok {
			return f, true
		}
		return Field{Key: v, Name: name, Kind: Any}, true
	}
	return Field{}, false
}

// Envelope is SUIT_Envelope.
var Envelope = NewMap(
	Field{2, "suit-authentication-wrapper", AuthBstr},
	Field{3, "suit-manifest", ManifestBstr},
	Field{14, "suit-coswid", CBORBstr},
	Field{15, "suit-dependency-resolution", SeqBstr},
	Field{16, "suit-payload-fetch", SeqBstr},
	Field{18, "suit-candidate-verification", SeqBstr},
	Field{20, "suit-install", SeqBstr},
	Field{23, "suit-text", TextBstr},
)

// Manifest is SUIT_Manifest.
var Manifest = NewMap(
	Field{1, "suit-manifest-version", Uint},
	Field{2, "suit-manifest-sequence-number", Uint},
	Field{3, "suit-common", CommonBstr},
	Field{4, "suit-reference-uri", Text},
	Field{5, "suit-manifest-component-id", ComponentID},
	Field{6, "suit-set-version", CBORBstr},
	Field{7, "suit-validate", SeqBstr},
	Field{8, "suit-load", SeqBstr},
	Field{9, "suit-invoke", SeqBstr},
	Field{14, "suit-coswid", SeverableBytes},
	Field{15, "suit-dependency-resolution", SeverableSeq},
	Field{16, "suit-payload-fetch", SeverableSeq},
	Field{18, "suit-candidate-verification", SeverableSeq},
	Field{20, "suit-install", SeverableSeq},
	Field{23, "suit-text", SeverableText},
	Field{24, "suit-uninstall", SeqBstr},
)

// Common is SUIT_Common.
var Common = NewMap(
	Field{1, "suit-dependencies", Dependencies},
	Field{2, "suit-components", Components},
	Field{4, "suit-shared-sequence", SeqBstr},
)

// DependencyMetadata is SUIT_Dependency_Metadata (trust-domains), the
// value of each entry of suit-dependencies.
var DependencyMetadata = NewMap(
	Field{1, "suit-dependency-prefix", ComponentID},
)

// Command names the commands; the kind is the kind of the command's argument.
var Command = NewMap(
	Field{1, "suit-condition-vendor-identifier", RepPolicy},
	Field{2, "suit-condition-class-identifier", RepPolicy},
	Field{3, "suit-condition-image-match", RepPolicy},
	Field{4, "suit-condition-use-before", RepPolicy},
	Field{5, "suit-condition-component-slot", RepPolicy},
	Field{6, "suit-condition-check-content", RepPolicy},
	Field{7, "suit-condition-dependency-integrity", RepPolicy},
	Field{8, "suit-condition-is-dependency", RepPolicy},
	Field{11, "suit-directive-process-dependency", RepPolicy},
	Field{12, "suit-directive-set-component-index", IndexArg},
	Field{14, "suit-condition-abort", RepPolicy},
	Field{15, "suit-directive-try-each", TryEach},
	Field{18, "suit-directive-write", RepPolicy},
	Field{19, "suit-directive-set-parameters", Params},
	Field{20, "suit-directive-override-parameters", Params},
	Field{21, "suit-directive-fetch", RepPolicy},
	Field{22, "suit-directive-copy", RepPolicy},
	Field{23, "suit-directive-invoke", RepPolicy},
	Field{24, "suit-condition-device-identifier", RepPolicy},
	Field{25, "suit-condition-image-not-match", RepPolicy},
	Field{26, "suit-condition-minimum-battery", RepPolicy},
	Field{27, "suit-condition-update-authorized", RepPolicy},
	Field{28, "suit-condition-version", RepPolicy},
	Field{29, "suit-directive-wait", RepPolicy},
	Field{31, "suit-directive-swap", RepPolicy},
	Field{32, "suit-directive-run-sequence", SeqBstr},
	Field{33, "suit-directive-unlink", RepPolicy},
	Field{34, "suit-directive-override-multiple", OverrideMultiple},
	Field{35, "suit-directive-copy-params", CopyParams},
	Field{-257, "suitkit-directive-apply-delta", RepPolicy},
)

// Parameter names the SUIT_Parameters.
var Parameter = NewMap(
	Field{1, "suit-parameter-vendor-identifier", UUID},
	Field{2, "suit-parameter-class-identifier", UUID},
	Field{3, "suit-parameter-image-digest", DigestBstr},
	Field{4, "suit-parameter-use-before", Uint},
	Field{5, "suit-parameter-component-slot", Uint},
	Field{12, "suit-parameter-strict-order", Bool},
	Field{13, "suit-parameter-soft-failure", Bool},
	Field{14, "suit-parameter-image-size", Uint},
	Field{18, "suit-parameter-content", Bytes},
	Field{19, "suit-parameter-encryption-info", CBORBstr},
	Field{21, "suit-parameter-uri", Text},
	Field{22, "suit-parameter-source-component", Uint},
	Field{23, "suit-parameter-invoke-args", Bytes},
	Field{24, "suit-parameter-device-identifier", UUID},
	Field{25, "suit-parameter-fetch-arguments", Bytes},
	Field{26, "suit-parameter-minimum-battery", Uint},
	Field{27, "suit-parameter-update-priority", Int},
	Field{28, "suit-parameter-version", CBORBstr},
	Field{29, "suit-parameter-wait-info", CBORBstr},
	Field{30, "suit-parameter-component-metadata", CBORBstr},
)

// TextManifest names the manifest-level keys of SUIT_Text.
var TextManifest = NewMap(
	Field{1, "suit-text-manifest-description", Text},
	Field{2, "suit-text-update-description", Text},
	Field{3, "suit-text-manifest-json-source", Text},
	Field{4, "suit-text-manifest-yaml-source", Text},
)

// TextComponent names the per-component keys of SUIT_Text.
var TextComponent = NewMap(
	Field{1, "suit-text-vendor-name", Text},
	Field{2, "suit-text-model-name", Text},
	Field{3, "suit-text-vendor-domain", Text},
	Field{4, "suit-text-model-info", Text},
	Field{5, "suit-text-component-description", Text},
	Field{6, "suit-text-component-version", Text},
	Field{7, "suit-text-version-required", Text},
	Field{8, "suit-text-current-version", Text},
)

// ReportingPolicyBits names the reporting-policy bits, bit 0 first.
var ReportingPolicyBits = []string{
	"suit-send-record-on-success",
	"suit-send-record-on-failure",
	"suit-send-sysinfo-success",
	"suit-send-sysinfo-failure",
}

// DigestAlgName returns the text-form name of a digest algorithm (the
// registry's name, e.g. "sha-256").
func DigestAlgName(alg int64) (string, bool) {
	n := suit.DigestAlgorithmName(alg)
	return n, n != ""
}

// DigestAlgByName resolves "sha-256" and the COSE-style "cose-alg-sha-256".
func DigestAlgByName(s string) (int64, bool) {
	return suit.DigestAlgorithmByName(strings.TrimPrefix(s, "cose-alg-"))
}
