// Package process is the device side of a SUIT update: it runs the command
// sequences of an authenticated manifest (draft-ietf-suit-manifest section
// 6) against the device's components.
//
// A device verifies an envelope with the verify package and hands the
// result to a [Processor]:
//
//	ver, _ := verify.New(keys, &verify.Options{Store: store})
//	proc, _ := process.New(process.Platform{Identity: id, Storage: storage}, nil)
//	report, err := proc.Install(ctx, ver, envelope) // verify, update, commit
//
// The engine has no host adapters of its own: package host provides a
// directory-backed [Storage] and the identity file, package fetch a
// [Fetcher] for file:// and http(s):// URIs. A device with its own storage
// and only integrated payloads links neither.
//
// [Processor.Update] and [Processor.Invoke] take a *verify.Verified, so a
// manifest that was not authenticated cannot be processed by accident.
// [Processor.Install] verifies, runs the Update procedure and raises the
// anti-rollback floors (one per component the manifest may write, keyed
// by the device, never by a field the manifest chooses) only after it
// succeeded.
//
// # Procedures and semantics
//
// Update runs the shared sequence before each of payload-fetch, install and
// validate; Invoke runs it before each of validate, load and invoke.
// Parameters are held per component and cleared before a procedure.
// override-parameters always sets, set-parameters sets what is unset,
// override-multiple and copy-params set on other components.
// set-component-index takes an index, true (all) or a list, and the
// following commands (try-each and run-sequence included) run once per
// selected component; a set-component-index inside try-each or
// run-sequence applies until the end of that nested sequence. A failing
// condition ends the sequence; with
// soft-failure (the default inside try-each, settable inside
// run-sequence, scoped and restored) it only ends the enclosing
// alternative or run-sequence. A failing directive always aborts.
// try-each fails when every alternative fails, unless its argument ends
// with nil. Unknown commands, unsupported parameters and conditions whose
// parameter is unset fail. A manifest with more than one component must
// start every sequence with set-component-index.
//
// Conditions: vendor, class and device identifier; image-match and
// image-not-match (hashing exactly image-size bytes when it is set: a
// component of another size does not match); component-slot;
// check-content (constant time); abort; use-before, minimum-battery and
// version through [Platform] hooks, update-authorized through
// [Authorizer]. Directives: fetch, copy, write, swap, unlink, invoke, wait
// (through [Waiter]), and suitkit's private -257 apply-delta.
//
// # Update management (draft-ietf-suit-update-management)
//
// suit-parameter-use-before is the manifest's expiry date: before the
// Update procedure runs any command it checks every use-before value the
// manifest sets, and an expired manifest (or one that sets use-before on a
// device without a clock) fails with [ErrExpired] with nothing written.
// Outcomes that mean "not now" rather than "wrong" match [ErrDeferred] and
// are recorded as [Deferred]: a battery below minimum-battery, a wait the
// [Waiter] refused or the caller's context ended, an authorization the
// application postponed. An agent retries such an update later.
// override-multiple leaves the last component it lists current.
// component-metadata is applied by a Storage that implements
// [MetadataStorage] (host.DirStorage does) as part of the atomic commit of
// fetch, copy and write; other storage refuses it. Each Record carries
// the parameters its command read (Properties) and what the device
// measured (Measured), for the properties of a SUIT_Report.
//
// # Delta updates
//
// suitkit expresses a delta update with the draft's own commands plus one
// private-use directive, -257 suitkit-directive-apply-delta (argument: a
// reporting policy): the current component's new content is
// delta.Apply(its present content, the content of the component named by
// source-component). build.DeltaUpdate builds such a manifest together with
// the patch. Its install sequence is a try-each whose first alternative
// recognises the new image already in place (so a re-run after a power
// loss succeeds) and whose second
//
//  1. checks the present image against the precursor's digest and size
//     with image-match (the authenticated precursor, RFC 9124
//     REQ.SEC.AUTH.PRECURSOR), before the patch is even fetched;
//  2. fetches the patch into a temporary component, checked against the
//     patch's digest and size;
//  3. runs -257 with the new image's digest and size set: the output is
//     staged and switched only if it matches;
//  4. checks the result with image-match;
//
// and the temporary component is unlinked afterwards.
//
// # Security
//
// A signature covers the manifest, not the payloads: an integrated
// payload can be replaced without touching the signature, and a download
// is whatever the server returns. So content from outside the manifest is
// installed only against an image-digest the manifest sets for the
// component that receives it: fetch (integrated or remote), copy, swap
// (what the current component receives) and apply-delta (the patch's
// output) without one are refused with ErrUnauthenticatedContent before
// anything is fetched or staged. write is the exception: its content is a
// parameter of the manifest, authenticated with it. (Opt out, on a
// development board only, with Platform.AllowUnauthenticatedContentUnsafe.)
//
// Encrypted payloads (draft-ietf-suit-firmware-encryption): when the
// manifest sets encryption-info for the component that write, copy or
// fetch fills, the content is decrypted while it is staged, in bounded
// memory, with a content key unwrapped by one of Platform.DecryptionKeys
// (package encryption; an interface, so a secure element can hold the
// key). AES-GCM and ChaCha20/Poly1305 content is committed only after its
// tag verified, and counts as authenticated: it needs no image-digest, and
// neither does a fetch of ciphertext into a component that the same
// sequence then copies, decrypting with such an algorithm, into another (the
// draft's fetch-then-copy flow). AES-CTR authenticates nothing: its content
// always needs an image-digest. A wrong key, altered or truncated
// ciphertext or tag fails with ErrDecrypt and leaves the component as it
// was. An encrypted delta update encrypts the patch: the fetch into the
// patch component decrypts it.
//
// Every fetch, copy, write and apply-delta streams into a [Staging] area
// and commits only when the content is complete and matches the
// component's image-digest and image-size parameters; so an interrupted,
// oversized, mismatching or unauthenticated payload leaves the component
// as it was. [Storage] implementations switch staged content atomically
// (host.DirStorage: temporary file, fsync, rename, directory fsync; swaps
// are journaled). One update runs at a time: the processor holds the
// device lock (Storage.Lock) from verification to the last commit and,
// under it, checks the floor of each component just before committing new
// content to it (a staged image, both sides of a swap, an unlink; a
// component only read, such as a copy's source, is not checked), so that
// neither a concurrent run nor an old manifest, whatever identity it
// declares or whichever component a try-each chooses, overwrites content
// committed by a newer manifest (ErrLocked, ErrSuperseded). A fetch reads at most image-size+1 bytes (or
// Limits.MaxImageSize+1). The directory device names files by a reversible
// hex encoding of the component identifier, so a manifest cannot address a
// file outside the device directory; fetch.URIFetcher refuses file:// URIs
// unless given a root, and then cannot leave it. Identifier and content
// comparisons are constant time. The shared sequence may only check
// conditions and set parameters, and must check both the vendor and the
// class identifier (RFC 9124 REQ.SEC.COMPATIBLE; opt out with
// Platform.SkipCompatibilityCheckUnsafe).
//
// # Limits
//
// [Limits] bounds the number of components (16 by default: the device's
// capacity), the nesting of try-each and run-sequence (8), the size of an
// image without image-size (256 MiB) and the number of commands executed
// per procedure (65536). Reports keep at most 4096 records.
package process
