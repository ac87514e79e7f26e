package suit

import (
	"strconv"
	"strings"
)

// This file is the schema of the structural text form: for each map of the
// SUIT CDDL, the IETF name and the value kind of each known key. Both
// directions (text_out.go and text_in.go) are driven by these tables, so a
// name is defined once.

// tkind is the kind of value found at a position of the SUIT structure.
type tkind int

const (
	kAny              tkind = iota // unknown: int, text, bool and null natively, anything else {"cbor-hex"}
	kUint                          // unsigned integer
	kInt                           // signed integer
	kText                          // text string
	kBytes                         // byte string, shown as hex
	kBool                          // boolean
	kUUID                          // 16-byte bstr shown as a UUID string
	kDigest                        // SUIT_Digest array
	kDigestBstr                    // bstr .cbor SUIT_Digest
	kComponentID                   // [* bstr]
	kComponents                    // [+ SUIT_Component_Identifier]
	kSeqBstr                       // bstr .cbor SUIT_Command_Sequence
	kSeverableSeq                  // bstr .cbor sequence, or a SUIT_Digest when severed
	kSeverableText                 // bstr .cbor SUIT_Text_Map, or a SUIT_Digest when severed
	kSeverableBytes                // bstr, or a SUIT_Digest when severed
	kTextBstr                      // bstr .cbor SUIT_Text_Map
	kCommonBstr                    // bstr .cbor SUIT_Common
	kManifestBstr                  // bstr .cbor SUIT_Manifest
	kAuthBstr                      // bstr .cbor SUIT_Authentication
	kParams                        // {+ parameter => value}
	kRepPolicy                     // reporting-policy bits
	kIndexArg                      // uint / true / [+uint]
	kTryEach                       // [2* bstr .cbor sequence, ?nil]
	kOverrideMultiple              // {+ uint => {+ parameter => value}}
	kCopyParams                    // {+ uint => [+ parameter key]}
	kCBORBstr                      // bstr .cbor any: {"cbor": generic item}
)

// bstrKind reports whether values of kind k are byte strings on the wire, so
// that a value that does not fit the schema is shown as the hex of its
// content rather than as {"cbor-hex": ...}.
func bstrKind(k tkind) bool {
	switch k {
	case kBytes, kUUID, kDigestBstr, kSeqBstr, kTextBstr, kCommonBstr, kManifestBstr, kAuthBstr, kCBORBstr:
		return true
	}
	return false
}

type tfield struct {
	key  int64
	name string
	kind tkind
}

// tmap is one map of the schema: key <-> name and kind.
type tmap struct {
	byKey  map[int64]tfield
	byName map[string]tfield
}

func newTmap(fields ...tfield) *tmap {
	m := &tmap{byKey: map[int64]tfield{}, byName: map[string]tfield{}}
	for _, f := range fields {
		m.byKey[f.key] = f
		m.byName[f.name] = f
	}
	return m
}

// name returns the text-form name of key: the IETF name when known, else the
// decimal number.
func (m *tmap) name(key int64) string {
	if f, ok := m.byKey[key]; ok {
		return f.name
	}
	return strconv.FormatInt(key, 10)
}

// kind returns the value kind for key (kAny when unknown).
func (m *tmap) kind(key int64) tkind {
	if f, ok := m.byKey[key]; ok {
		return f.kind
	}
	return kAny
}

// lookup resolves a text-form name or decimal number to a key.
func (m *tmap) lookup(name string) (tfield, bool) {
	if f, ok := m.byName[name]; ok {
		return f, true
	}
	if v, err := strconv.ParseInt(name, 10, 64); err == nil {
		if f, ok := m.byKey[v]; ok {
			return f, true
		}
		return tfield{key: v, name: name, kind: kAny}, true
	}
	return tfield{}, false
}

// Names of text-form members that are not CBOR map keys.
const (
	tnTagged        = "suit-envelope-tagged"
	tnBareManifest  = "suit-manifest-tagged"
	tnIntegrated    = "suit-integrated-payloads"
	tnAuthDigest    = "suit-digest"
	tnAuthBlocks    = "suit-authentication-blocks"
	tnDigestAlg     = "suit-digest-algorithm-id"
	tnDigestBytes   = "suit-digest-bytes"
	tnSevered       = "suit-digest"
	tnTextComps     = "suit-text-components"
	tnTextCompID    = "suit-component-identifier"
	tnCBORHex       = "cbor-hex"
	tnFile          = "file"
	tnUUID5DNS      = "uuid5-dns"
	tnUUID5         = "uuid5"
	tnUUIDNamespace = "namespace"
	tnUUIDName      = "name"
)

var envelopeSchema = newTmap(
	tfield{2, "suit-authentication-wrapper", kAuthBstr},
	tfield{3, "suit-manifest", kManifestBstr},
	tfield{14, "suit-coswid", kCBORBstr},
	tfield{15, "suit-dependency-resolution", kSeqBstr},
	tfield{16, "suit-payload-fetch", kSeqBstr},
	tfield{18, "suit-candidate-verification", kSeqBstr},
	tfield{20, "suit-install", kSeqBstr},
	tfield{23, "suit-text", kTextBstr},
)

var manifestSchema = newTmap(
	tfield{1, "suit-manifest-version", kUint},
	tfield{2, "suit-manifest-sequence-number", kUint},
	tfield{3, "suit-common", kCommonBstr},
	tfield{4, "suit-reference-uri", kText},
	tfield{5, "suit-manifest-component-id", kComponentID},
	tfield{6, "suit-set-version", kCBORBstr},
	tfield{7, "suit-validate", kSeqBstr},
	tfield{8, "suit-load", kSeqBstr},
	tfield{9, "suit-invoke", kSeqBstr},
	tfield{14, "suit-coswid", kSeverableBytes},
	tfield{15, "suit-dependency-resolution", kSeverableSeq},
	tfield{16, "suit-payload-fetch", kSeverableSeq},
	tfield{18, "suit-candidate-verification", kSeverableSeq},
	tfield{20, "suit-install", kSeverableSeq},
	tfield{23, "suit-text", kSeverableText},
	tfield{24, "suit-uninstall", kSeqBstr},
)

var commonSchema = newTmap(
	tfield{1, "suit-dependencies", kAny},
	tfield{2, "suit-components", kComponents},
	tfield{4, "suit-shared-sequence", kSeqBstr},
)

// commandSchema: the kind is the kind of the command's argument.
var commandSchema = newTmap(
	tfield{1, "suit-condition-vendor-identifier", kRepPolicy},
	tfield{2, "suit-condition-class-identifier", kRepPolicy},
	tfield{3, "suit-condition-image-match", kRepPolicy},
	tfield{4, "suit-condition-use-before", kRepPolicy},
	tfield{5, "suit-condition-component-slot", kRepPolicy},
	tfield{6, "suit-condition-check-content", kRepPolicy},
	tfield{7, "suit-condition-dependency-integrity", kRepPolicy},
	tfield{8, "suit-condition-is-dependency", kRepPolicy},
	tfield{11, "suit-directive-process-dependency", kRepPolicy},
	tfield{12, "suit-directive-set-component-index", kIndexArg},
	tfield{14, "suit-condition-abort", kRepPolicy},
	tfield{15, "suit-directive-try-each", kTryEach},
	tfield{18, "suit-directive-write", kRepPolicy},
	tfield{19, "suit-directive-set-parameters", kParams},
	tfield{20, "suit-directive-override-parameters", kParams},
	tfield{21, "suit-directive-fetch", kRepPolicy},
	tfield{22, "suit-directive-copy", kRepPolicy},
	tfield{23, "suit-directive-invoke", kRepPolicy},
	tfield{24, "suit-condition-device-identifier", kRepPolicy},
	tfield{25, "suit-condition-image-not-match", kRepPolicy},
	tfield{26, "suit-condition-minimum-battery", kRepPolicy},
	tfield{27, "suit-condition-update-authorized", kRepPolicy},
	tfield{28, "suit-condition-version", kRepPolicy},
	tfield{29, "suit-directive-wait", kRepPolicy},
	tfield{31, "suit-directive-swap", kRepPolicy},
	tfield{32, "suit-directive-run-sequence", kSeqBstr},
	tfield{33, "suit-directive-unlink", kRepPolicy},
	tfield{34, "suit-directive-override-multiple", kOverrideMultiple},
	tfield{35, "suit-directive-copy-params", kCopyParams},
	tfield{-257, "suitkit-directive-apply-delta", kRepPolicy},
)

var parameterSchema = newTmap(
	tfield{1, "suit-parameter-vendor-identifier", kUUID},
	tfield{2, "suit-parameter-class-identifier", kUUID},
	tfield{3, "suit-parameter-image-digest", kDigestBstr},
	tfield{4, "suit-parameter-use-before", kUint},
	tfield{5, "suit-parameter-component-slot", kUint},
	tfield{12, "suit-parameter-strict-order", kBool},
	tfield{13, "suit-parameter-soft-failure", kBool},
	tfield{14, "suit-parameter-image-size", kUint},
	tfield{18, "suit-parameter-content", kBytes},
	tfield{19, "suit-parameter-encryption-info", kCBORBstr},
	tfield{21, "suit-parameter-uri", kText},
	tfield{22, "suit-parameter-source-component", kUint},
	tfield{23, "suit-parameter-invoke-args", kBytes},
	tfield{24, "suit-parameter-device-identifier", kUUID},
	tfield{25, "suit-parameter-fetch-arguments", kBytes},
	tfield{26, "suit-parameter-minimum-battery", kUint},
	tfield{27, "suit-parameter-update-priority", kInt},
	tfield{28, "suit-parameter-version", kCBORBstr},
	tfield{29, "suit-parameter-wait-info", kCBORBstr},
	tfield{30, "suit-parameter-component-metadata", kCBORBstr},
)

var textManifestSchema = newTmap(
	tfield{1, "suit-text-manifest-description", kText},
	tfield{2, "suit-text-update-description", kText},
	tfield{3, "suit-text-manifest-json-source", kText},
	tfield{4, "suit-text-manifest-yaml-source", kText},
)

var textComponentSchema = newTmap(
	tfield{1, "suit-text-vendor-name", kText},
	tfield{2, "suit-text-model-name", kText},
	tfield{3, "suit-text-vendor-domain", kText},
	tfield{4, "suit-text-model-info", kText},
	tfield{5, "suit-text-component-description", kText},
	tfield{6, "suit-text-component-version", kText},
	tfield{7, "suit-text-version-required", kText},
	tfield{8, "suit-text-current-version", kText},
)

// repPolicyBits names the reporting-policy bits, bit 0 first.
var repPolicyBits = []string{
	"suit-send-record-on-success",
	"suit-send-record-on-failure",
	"suit-send-sysinfo-success",
	"suit-send-sysinfo-failure",
}

// digestAlgName returns the text-form name of a digest algorithm (the
// registry's name, e.g. "sha-256").
func digestAlgName(alg int64) (string, bool) {
	n := DigestAlgorithmName(alg)
	return n, n != ""
}

// digestAlgByName resolves "sha-256" and the COSE-style "cose-alg-sha-256".
func digestAlgByName(s string) (int64, bool) {
	return DigestAlgorithmByName(strings.TrimPrefix(s, "cose-alg-"))
}
