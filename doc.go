// Package suitkit is the root of a Go module for secure firmware updates of
// IoT devices with IETF SUIT manifests (draft-ietf-suit-manifest-34,
// authenticated with COSE, RFC 9052/9053) and compact delta patches.
//
// The module is split by role:
//
//   - [github.com/suitkit/suitkit/suit]: the SUIT model, a strict
//     deterministic-CBOR codec and the envelope operations (sever, strip,
//     attach, integrated payloads); what a device needs and no more.
//   - [github.com/suitkit/suitkit/suit/text] and
//     [github.com/suitkit/suitkit/suit/diag]: the JSON/YAML text form and
//     the diagnostic notation, for tools and people.
//   - [github.com/suitkit/suitkit/build]: a builder for common manifests
//     and delta updates (manifest and patch made together).
//   - [github.com/suitkit/suitkit/sign]: COSE_Sign1, COSE_Sign and COSE_Mac0
//     authentication blocks with detached payloads; keys as PEM and COSE_Key.
//   - [github.com/suitkit/suitkit/verify]: verification in the order the
//     draft requires, trust policy, and an anti-rollback store that survives
//     power loss.
//   - [github.com/suitkit/suitkit/delta]: firmware delta patches (our own
//     format and classic BSDIFF40), applied streaming in bounded memory.
//   - [github.com/suitkit/suitkit/process]: the device-side processor that
//     runs a verified manifest's command sequences against component storage.
//   - [github.com/suitkit/suitkit/host] and [github.com/suitkit/suitkit/fetch]:
//     the processor's host adapters (directory storage and identity file; a
//     file:// and http(s):// fetcher), kept out of the device-side closure.
//
// The command suitkit (cmd/suitkit) exposes all of it; `suitkit demo` runs the
// whole flow end to end on built-in defaults.
//
// # Where to start, by task
//
//   - Build a manifest for a firmware image: build.New, Builder.AddImage,
//     Builder.Build (CLI: suitkit create --image ...); a delta update:
//     build.DeltaUpdate (suitkit create --delta --old OLD ...).
//   - Sign it, with a key file or any crypto.Signer (a KMS, an HSM):
//     sign.NewSigner or sign.ForKey, then sign.Authenticate (suitkit sign).
//   - Check an envelope in a build or distribution service: verify.New with
//     Options.MinSequence, Verifier.Verify (suitkit verify --min-sequence N).
//   - Install on a device: verify.New with a Store (verify.OpenFileStore),
//     process.New with a Platform (host.OpenDirStorage, fetch.URIFetcher),
//     Processor.Install (suitkit process).
//   - Make or apply a patch on its own: delta/differ.Diff and delta.Apply
//     (suitkit diff, suitkit patch).
//   - Inspect an envelope: suit.Decode, suit/text.Format (suitkit show,
//     suitkit lint).
//   - Hash a large image without holding it: suit.DigestReader.
//
// # Private-use SUIT numbers
//
// suitkit expresses a delta update with the draft's own commands plus one
// private-use directive, -257 suitkit-directive-apply-delta: the current
// component's new content is the result of applying the patch held in the
// component named by suit-parameter-source-component to the component's
// present content. A manifest using it checks the precursor image with
// suit-condition-image-match before the directive (RFC 9124
// REQ.SEC.AUTH.PRECURSOR) and the result with image-match after it.
package suitkit
