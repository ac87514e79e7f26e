// Package suit models and strictly decodes SUIT manifests: the
// SUIT_Envelope of draft-ietf-suit-manifest-34 (Software Updates for
// Internet of Things), with the commands and parameters of the
// trust-domains, update-management and firmware-encryption companion
// drafts.
//
// It holds what a device needs and no more: the model, the codec, digests,
// UUIDs, the IETF names and the envelope operations. The JSON/YAML text
// form (package suit/text), the diagnostic notation (suit/diag) and the
// builder (package build) serve tools and people and live apart, so that
// the import closure of verification and processing holds no text parser,
// printer, differ or compressor, and a review of the device side does not
// have to read them.
//
// # Model
//
// An [Envelope] holds the [Authentication] wrapper (the manifest [Digest]
// plus COSE authentication blocks kept as received), the manifest bytes,
// severed elements, integrated payloads and unknown members (kept as
// [RawEntry] so nothing is lost). The [Manifest] holds [Common] (components
// as [ComponentID], the shared [CommandSequence], trust-domains
// dependencies), the unseverable sequences (validate, load, invoke,
// uninstall) and the severable members ([SeverableSequence],
// [SeverableText], [SeverableBytes]), each either inline or severed (only a
// [Digest] in the manifest); [Manifest.Severable] is the one place that
// maps a manifest key to its severable member, so code that treats them
// alike does not switch over the fields. A [CommandSequence] is the flat
// [id, arg, id, arg, ...] array as a slice of [Command]; the argument lives
// in the field named by [CommandArgKind]: a reporting policy, a
// [ComponentIndex], [Parameters], try-each alternatives, a nested sequence,
// override-multiple or copy-params entries, or a raw CBOR item for custom
// and unknown commands. Each [Parameter] keeps its value's exact encoding
// and has typed accessors (Uint, Int, Bool, Bytes, Text, UUID, Digest,
// Version). [Text] is SUIT_Text. Names for every key and command are in
// names.go: [CommandName], [ParameterName], [ManifestKeyName] and their
// reverses.
//
// Every bstr-wrapped element keeps the exact content bytes it was decoded
// from (Envelope.ManifestBytes, Authentication.DigestBytes and Blocks,
// Envelope.Severed, the Raw fields). Because decoding accepts only
// deterministic encoding, the bstr head is implied by the content length,
// and [BstrItem] reconstructs the exact received item that digests cover:
//
//	ComputeDigest(AlgSHA256, BstrItem(e.ManifestBytes))
//	e.Authentication.Digest.MatchesBstr(e.ManifestBytes) // same check, no copy
//
// Decoded byte slices alias the input (no copies); do not modify the input
// while the result is in use.
//
// # Private-use command
//
// Command -257, [DirectiveApplyDelta] ("suitkit-directive-apply-delta",
// argument: a reporting policy), is suitkit's delta update: the current
// component's new content is delta.Apply(old = the current component's
// present content, patch = the content of the component named by parameter
// 22 source-component). The result is staged and switched atomically; the
// manifest then checks it with condition image-match. The manifest must
// first check the old image with image-match (the precursor digest, which
// RFC 9124 REQ.SEC.AUTH.PRECURSOR requires to be authenticated).
//
// # Security
//
// [Parse] reads only the envelope structure: the tag, the member types and
// the authentication wrapper (its digest is decoded, and each block is
// checked to be one well-formed tagged COSE_Sign1, COSE_Sign, COSE_Mac0 or
// COSE_Mac). It does not look inside the manifest or severed
// elements, so a verifier can check the signature over
// Authentication.DigestBytes and compare the digest with
// BstrItem(ManifestBytes) before any manifest byte is interpreted, as the
// draft requires. [Envelope.DecodeManifest] then decodes the manifest and
// accepts a severed element carried in the envelope only if it matches the
// digest the manifest holds ([ErrDigestMismatch] otherwise). [Decode] does
// both at once, for tools.
//
// Decoding is strict everywhere, including inside every bstr-wrapped layer:
// RFC 8949 section 4.2.1 core deterministic encoding is required (shortest
// integer and length heads, definite lengths, map keys in bytewise
// lexicographic order), duplicate map keys, trailing bytes, floating-point
// and undefined values and invalid UTF-8 are rejected, and the SUIT rules
// are checked: manifest version 1, uint sequence number, non-empty
// even-length command sequences, try-each with at least two alternatives
// (nil only last), typed values for every registered parameter (and the
// CBOR inside bstr-wrapped ones), no custom commands or side-effecting
// directives in the shared sequence, digests of the right size for known
// algorithms, text only for components that common lists. Every error is a *[DecodeError] that matches
// one sentinel ([ErrMalformed], [ErrNotDeterministic], [ErrLimit],
// [ErrUnsupported], [ErrDigestMismatch], [ErrMissing]) with errors.Is and
// names the place, e.g. "envelope/manifest/common/shared-sequence[3]".
//
// Structures of other specifications embedded in SUIT's (the COSE
// authentication blocks, the COSE_Encrypt of encryption-info, a CoSWID)
// follow their own specifications, which do not require deterministic
// encoding: inside them map keys may come in any order (never twice) and
// heads need not be shortest, but they must be well-formed, definite-length
// CBOR within the same limits. They are kept as the exact bytes received.
//
// The decoder keeps what it does not know (unknown envelope, manifest and
// common keys, unknown or custom commands and parameters) so that
// re-encoding loses nothing; it is the processor's job to refuse a manifest
// that uses a command or parameter it does not implement, as the draft
// requires.
//
// Encoding ([Envelope.Encode], [Manifest.Encode], ...) is deterministic and
// works from the model; for decoded input it reproduces the received bytes
// exactly.
//
// # Envelope operations
//
// Severing, stripping, re-attaching and adding integrated payloads edit the
// envelope and do no cryptography, so they live here, next to the format
// they edit. [Sever] moves inline severable members out of the manifest
// (author side): the manifest changes, so it must happen before signing,
// and an envelope that already carries authentication blocks is refused
// ([ErrSigned]) unless [SeverOptions] allows dropping them. [Strip] removes
// only the envelope copies, which are outside the signature, so signatures
// stay valid. [Attach] and [AttachFrom] accept an element only if it
// matches the digest the (signed) manifest holds for it. [AddPayload] adds
// an integrated payload; it checks only the name, since the manifest's
// image digest is what authenticates the payload when it is processed.
//
// # Limits
//
// All caps are in [Limits], whose zero value (or nil) is safe: 32 MiB per
// envelope, 1 MiB per manifest or other bstr-wrapped element, total nesting
// depth 32 counted across bstr layers, sequences nested 8 deep through
// try-each and run-sequence, 1024 elements per array or map, 64 components,
// 256 commands per sequence, 8 authentication blocks and 64 integrated
// payloads. Every declared length and count is checked against the limit and
// against the bytes remaining before it is used; the reader allocates only
// for decoded model values.
package suit
