package suit

import "strconv"

// Envelope member keys (IANA "SUIT Envelope Elements").
const (
	EnvelopeAuthentication        int64 = 2
	EnvelopeManifest              int64 = 3
	EnvelopeCoswid                int64 = 14 // update-management
	EnvelopeDependencyResolution  int64 = 15 // trust-domains
	EnvelopePayloadFetch          int64 = 16
	EnvelopeCandidateVerification int64 = 18 // trust-domains
	EnvelopeInstall               int64 = 20
	EnvelopeText                  int64 = 23
)

// Manifest member keys (IANA "SUIT Manifest Elements").
const (
	ManifestVersion               int64 = 1
	ManifestSequenceNumber        int64 = 2
	ManifestCommon                int64 = 3
	ManifestReferenceURI          int64 = 4
	ManifestComponentIDKey        int64 = 5 // trust-domains
	ManifestSetVersion            int64 = 6 // update-management
	ManifestValidate              int64 = 7
	ManifestLoad                  int64 = 8
	ManifestInvoke                int64 = 9
	ManifestCoswid                int64 = 14
	ManifestDependencyResolution  int64 = 15
	ManifestPayloadFetch          int64 = 16
	ManifestCandidateVerification int64 = 18
	ManifestInstall               int64 = 20
	ManifestText                  int64 = 23
	ManifestUninstall             int64 = 24 // trust-domains
)

// SUIT_Common member keys.
const (
	CommonDependencies   int64 = 1 // trust-domains
	CommonComponents     int64 = 2
	CommonSharedSequence int64 = 4
)

// DependencyPrefix is the key of dependency-prefix in a suit-dependencies
// entry (trust-domains).
const DependencyPrefix int64 = 1

// Commands: conditions and directives share one registry.
const (
	ConditionVendorIdentifier    int64 = 1
	ConditionClassIdentifier     int64 = 2
	ConditionImageMatch          int64 = 3
	ConditionUseBefore           int64 = 4 // update-management
	ConditionComponentSlot       int64 = 5
	ConditionCheckContent        int64 = 6
	ConditionDependencyIntegrity int64 = 7  // trust-domains
	ConditionIsDependency        int64 = 8  // trust-domains
	DirectiveProcessDependency   int64 = 11 // trust-domains
	DirectiveSetComponentIndex   int64 = 12
	ConditionAbort               int64 = 14
	DirectiveTryEach             int64 = 15
	DirectiveWrite               int64 = 18
	DirectiveSetParameters       int64 = 19 // trust-domains
	DirectiveOverrideParameters  int64 = 20
	DirectiveFetch               int64 = 21
	DirectiveCopy                int64 = 22
	DirectiveInvoke              int64 = 23
	ConditionDeviceIdentifier    int64 = 24
	ConditionImageNotMatch       int64 = 25 // update-management
	ConditionMinimumBattery      int64 = 26 // update-management
	ConditionUpdateAuthorized    int64 = 27 // update-management
	ConditionVersion             int64 = 28 // update-management
	DirectiveWait                int64 = 29 // update-management
	DirectiveSwap                int64 = 31
	DirectiveRunSequence         int64 = 32
	DirectiveUnlink              int64 = 33 // trust-domains
	DirectiveOverrideMultiple    int64 = 34 // update-management
	DirectiveCopyParams          int64 = 35 // update-management

	// DirectiveApplyDelta is suitkit's private-use directive
	// "suitkit-directive-apply-delta" (argument: reporting policy). The
	// current component's new content is delta.Apply(old = its present
	// content, patch = the content of the component named by
	// source-component). See the package documentation.
	DirectiveApplyDelta int64 = -257
)

// Parameters.
const (
	ParamVendorIdentifier  int64 = 1
	ParamClassIdentifier   int64 = 2
	ParamImageDigest       int64 = 3
	ParamUseBefore         int64 = 4 // update-management
	ParamComponentSlot     int64 = 5
	ParamStrictOrder       int64 = 12
	ParamSoftFailure       int64 = 13
	ParamImageSize         int64 = 14
	ParamContent           int64 = 18
	ParamEncryptionInfo    int64 = 19 // firmware-encryption
	ParamURI               int64 = 21
	ParamSourceComponent   int64 = 22
	ParamInvokeArgs        int64 = 23
	ParamDeviceIdentifier  int64 = 24
	ParamFetchArguments    int64 = 25
	ParamMinimumBattery    int64 = 26 // update-management
	ParamUpdatePriority    int64 = 27 // update-management
	ParamVersion           int64 = 28 // update-management
	ParamWaitInfo          int64 = 29 // update-management
	ParamComponentMetadata int64 = 30 // update-management
)

// Text keys: manifest-level and per-component.
const (
	TextManifestDescription  int64 = 1
	TextUpdateDescription    int64 = 2
	TextManifestJSONSource   int64 = 3
	TextManifestYAMLSource   int64 = 4
	TextVendorName           int64 = 1
	TextModelName            int64 = 2
	TextVendorDomain         int64 = 3
	TextModelInfo            int64 = 4
	TextComponentDescription int64 = 5
	TextComponentVersion     int64 = 6
	TextVersionRequired      int64 = 7 // update-management
	TextCurrentVersion       int64 = 8 // update-management
)

// Reporting policy bits.
const (
	ReportSendRecordOnSuccess  uint64 = 1 << 0
	ReportSendRecordOnFailure  uint64 = 1 << 1
	ReportSendSysinfoOnSuccess uint64 = 1 << 2
	ReportSendSysinfoOnFailure uint64 = 1 << 3
)

var envelopeNames = map[int64]string{
	EnvelopeAuthentication:        "suit-authentication-wrapper",
	EnvelopeManifest:              "suit-manifest",
	EnvelopeCoswid:                "suit-coswid",
	EnvelopeDependencyResolution:  "suit-dependency-resolution",
	EnvelopePayloadFetch:          "suit-payload-fetch",
	EnvelopeCandidateVerification: "suit-candidate-verification",
	EnvelopeInstall:               "suit-install",
	EnvelopeText:                  "suit-text",
}

var manifestNames = map[int64]string{
	ManifestVersion:               "suit-manifest-version",
	ManifestSequenceNumber:        "suit-manifest-sequence-number",
	ManifestCommon:                "suit-common",
	ManifestReferenceURI:          "suit-reference-uri",
	ManifestComponentIDKey:        "suit-manifest-component-id",
	ManifestSetVersion:            "suit-set-version",
	ManifestValidate:              "suit-validate",
	ManifestLoad:                  "suit-load",
	ManifestInvoke:                "suit-invoke",
	ManifestCoswid:                "suit-coswid",
	ManifestDependencyResolution:  "suit-dependency-resolution",
	ManifestPayloadFetch:          "suit-payload-fetch",
	ManifestCandidateVerification: "suit-candidate-verification",
	ManifestInstall:               "suit-install",
	ManifestText:                  "suit-text",
	ManifestUninstall:             "suit-uninstall",
}

var commonNames = map[int64]string{
	CommonDependencies:   "suit-dependencies",
	CommonComponents:     "suit-components",
	CommonSharedSequence: "suit-shared-sequence",
}

var commandNames = map[int64]string{
	ConditionVendorIdentifier:    "suit-condition-vendor-identifier",
	ConditionClassIdentifier:     "suit-condition-class-identifier",
	ConditionImageMatch:          "suit-condition-image-match",
	ConditionUseBefore:           "suit-condition-use-before",
	ConditionComponentSlot:       "suit-condition-component-slot",
	ConditionCheckContent:        "suit-condition-check-content",
	ConditionDependencyIntegrity: "suit-condition-dependency-integrity",
	ConditionIsDependency:        "suit-condition-is-dependency",
	DirectiveProcessDependency:   "suit-directive-process-dependency",
	DirectiveSetComponentIndex:   "suit-directive-set-component-index",
	ConditionAbort:               "suit-condition-abort",
	DirectiveTryEach:             "suit-directive-try-each",
	DirectiveWrite:               "suit-directive-write",
	DirectiveSetParameters:       "suit-directive-set-parameters",
	DirectiveOverrideParameters:  "suit-directive-override-parameters",
	DirectiveFetch:               "suit-directive-fetch",
	DirectiveCopy:                "suit-directive-copy",
	DirectiveInvoke:              "suit-directive-invoke",
	ConditionDeviceIdentifier:    "suit-condition-device-identifier",
	ConditionImageNotMatch:       "suit-condition-image-not-match",
	ConditionMinimumBattery:      "suit-condition-minimum-battery",
	ConditionUpdateAuthorized:    "suit-condition-update-authorized",
	ConditionVersion:             "suit-condition-version",
	DirectiveWait:                "suit-directive-wait",
	DirectiveSwap:                "suit-directive-swap",
	DirectiveRunSequence:         "suit-directive-run-sequence",
	DirectiveUnlink:              "suit-directive-unlink",
	DirectiveOverrideMultiple:    "suit-directive-override-multiple",
	DirectiveCopyParams:          "suit-directive-copy-params",
	DirectiveApplyDelta:          "suitkit-directive-apply-delta",
}

var parameterNames = map[int64]string{
	ParamVendorIdentifier:  "suit-parameter-vendor-identifier",
	ParamClassIdentifier:   "suit-parameter-class-identifier",
	ParamImageDigest:       "suit-parameter-image-digest",
	ParamUseBefore:         "suit-parameter-use-before",
	ParamComponentSlot:     "suit-parameter-component-slot",
	ParamStrictOrder:       "suit-parameter-strict-order",
	ParamSoftFailure:       "suit-parameter-soft-failure",
	ParamImageSize:         "suit-parameter-image-size",
	ParamContent:           "suit-parameter-content",
	ParamEncryptionInfo:    "suit-parameter-encryption-info",
	ParamURI:               "suit-parameter-uri",
	ParamSourceComponent:   "suit-parameter-source-component",
	ParamInvokeArgs:        "suit-parameter-invoke-args",
	ParamDeviceIdentifier:  "suit-parameter-device-identifier",
	ParamFetchArguments:    "suit-parameter-fetch-arguments",
	ParamMinimumBattery:    "suit-parameter-minimum-battery",
	ParamUpdatePriority:    "suit-parameter-update-priority",
	ParamVersion:           "suit-parameter-version",
	ParamWaitInfo:          "suit-parameter-wait-info",
	ParamComponentMetadata: "suit-parameter-component-metadata",
}

var textNames = map[int64]string{
	TextManifestDescription: "suit-text-manifest-description",
	TextUpdateDescription:   "suit-text-update-description",
	TextManifestJSONSource:  "suit-text-manifest-json-source",
	TextManifestYAMLSource:  "suit-text-manifest-yaml-source",
}

var textComponentNames = map[int64]string{
	TextVendorName:           "suit-text-vendor-name",
	TextModelName:            "suit-text-model-name",
	TextVendorDomain:         "suit-text-vendor-domain",
	TextModelInfo:            "suit-text-model-info",
	TextComponentDescription: "suit-text-component-description",
	TextComponentVersion:     "suit-text-component-version",
	TextVersionRequired:      "suit-text-version-required",
	TextCurrentVersion:       "suit-text-current-version",
}

var digestNames = map[int64]string{
	AlgSHA256:   "sha-256",
	AlgSHAKE128: "shake128",
	AlgSHA384:   "sha-384",
	AlgSHA512:   "sha-512",
	AlgSHAKE256: "shake256",
}

var reportBitNames = []string{
	"suit-send-record-on-success",
	"suit-send-record-on-failure",
	"suit-send-sysinfo-success",
	"suit-send-sysinfo-failure",
}

func reverse(m map[int64]string) map[string]int64 {
	r := make(map[string]int64, len(m))
	for k, v := range m {
		r[v] = k
	}
	return r
}

var (
	envelopeByName      = reverse(envelopeNames)
	manifestByName      = reverse(manifestNames)
	commonByName        = reverse(commonNames)
	commandByName       = reverse(commandNames)
	parameterByName     = reverse(parameterNames)
	textByName          = reverse(textNames)
	textComponentByName = reverse(textComponentNames)
	digestByName        = reverse(digestNames)
)

// EnvelopeKeyName returns the IANA name of an envelope key, or "" if unknown.
func EnvelopeKeyName(k int64) string { return envelopeNames[k] }

// EnvelopeKeyByName returns the envelope key with the given IANA name.
func EnvelopeKeyByName(name string) (int64, bool) { k, ok := envelopeByName[name]; return k, ok }

// ManifestKeyName returns the IANA name of a manifest key, or "" if unknown.
func ManifestKeyName(k int64) string { return manifestNames[k] }

// ManifestKeyByName returns the manifest key with the given IANA name.
func ManifestKeyByName(name string) (int64, bool) { k, ok := manifestByName[name]; return k, ok }

// CommonKeyName returns the name of a SUIT_Common key, or "" if unknown.
func CommonKeyName(k int64) string { return commonNames[k] }

// CommonKeyByName returns the SUIT_Common key with the given name.
func CommonKeyByName(name string) (int64, bool) { k, ok := commonByName[name]; return k, ok }

// CommandName returns the IANA name of a command (condition or directive),
// e.g. "suit-condition-vendor-identifier", or "" if unknown. Command -257 is
// suitkit's "suitkit-directive-apply-delta".
func CommandName(id int64) string { return commandNames[id] }

// CommandByName returns the command with the given name.
func CommandByName(name string) (int64, bool) { k, ok := commandByName[name]; return k, ok }

// IsCondition reports whether a registered command is a condition (it has no
// side effects) rather than a directive.
func IsCondition(id int64) bool {
	n := commandNames[id]
	return len(n) > 15 && n[:15] == "suit-condition-"
}

// ParameterName returns the IANA name of a parameter, e.g.
// "suit-parameter-image-digest", or "" if unknown.
func ParameterName(k int64) string { return parameterNames[k] }

// ParameterByName returns the parameter with the given name.
func ParameterByName(name string) (int64, bool) { k, ok := parameterByName[name]; return k, ok }

// TextKeyName returns the name of a manifest-level text key, or "".
func TextKeyName(k int64) string { return textNames[k] }

// TextKeyByName returns the manifest-level text key with the given name.
func TextKeyByName(name string) (int64, bool) { k, ok := textByName[name]; return k, ok }

// TextComponentKeyName returns the name of a per-component text key, or "".
func TextComponentKeyName(k int64) string { return textComponentNames[k] }

// TextComponentKeyByName returns the per-component text key with the given
// name.
func TextComponentKeyByName(name string) (int64, bool) {
	k, ok := textComponentByName[name]
	return k, ok
}

// DigestAlgorithmName returns the name of a digest algorithm ("sha-256",
// ...), or "" if unknown.
func DigestAlgorithmName(alg int64) string { return digestNames[alg] }

// DigestAlgorithmByName returns the digest algorithm with the given name.
func DigestAlgorithmByName(name string) (int64, bool) { k, ok := digestByName[name]; return k, ok }

// ReportingPolicyNames returns the names of the bits set in a reporting
// policy, lowest bit first; bits above 3 are named "bit-N".
func ReportingPolicyNames(p uint64) []string {
	var out []string
	for i := 0; i < 64; i++ {
		if p&(1<<uint(i)) == 0 {
			continue
		}
		if i < len(reportBitNames) {
			out = append(out, reportBitNames[i])
		} else {
			out = append(out, "bit-"+itoa(i))
		}
	}
	return out
}

// ReportingPolicyBitByName returns the bit value of a reporting-policy bit
// name.
func ReportingPolicyBitByName(name string) (uint64, bool) {
	for i, n := range reportBitNames {
		if n == name {
			return 1 << uint(i), true
		}
	}
	return 0, false
}

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }

func itoa(i int) string { return strconv.Itoa(i) }
