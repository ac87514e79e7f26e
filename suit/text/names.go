package text

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
