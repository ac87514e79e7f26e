// Package verify authenticates SUIT envelopes (draft-ietf-suit-manifest)
// before anything in their manifest is trusted, and guards against
// rollback.
//
// A device holds trust anchors ([Key], made with [NewKey] or [NewMACKey]
// from keys parsed by package keys) and anti-rollback state ([Store]); a
// [Verifier] made by [New] checks an envelope and returns a [Verified],
// which is what a processor installs from. After the update is installed
// and confirmed, [Verifier.Commit] records its sequence number. Before
// fetching a payload a processor can ask [Verifier.CheckRollback] (read
// only). A processor that keeps its own flow can also call the function
// [CheckRollback] and [Store.Commit] directly, with [Identity] of the
// manifest.
//
// Configuration is plain data checked once: [Options] for the verifier
// (nil is the safe default, which still requires a rollback decision) and
// a [Binding] per trust anchor, so that a device's configuration can be
// filled from flags or a file and printed. A key is bound to the
// algorithms it may verify (Binding.Algorithms; the message never
// chooses), optionally limited to component-identifier prefixes
// (Binding.ComponentPrefixes, RFC 9124 access control model 2).
// Options.Policy selects [RequireAny] (default), [RequireAll] or
// [RequireThreshold]; each distinct key (by [Key.Fingerprint]) counts
// once. Only verification produces a [Verified]: its fields are private,
// so nothing unauthenticated can be passed off as verified.
//
// Errors match the sentinels in errors.go with errors.Is:
// [ErrUnauthenticated], [ErrMalformed] (also matching the suit codec's
// sentinels), [suit.ErrDigestMismatch], [ErrUnsupportedAlgorithm],
// [ErrUnsupportedHeader], [ErrSeveredMismatch], [ErrMissingPayload],
// [ErrUnauthorizedComponent], [ErrRollback], [ErrStoreCorrupt]. Typed
// errors ([AuthError], [RollbackError], [DigestError], ...) carry detail.
// An [AuthError] also unwraps to the reason each COSE block did not count
// (for example ErrMalformed for an attached payload, ErrUnsupportedAlgorithm
// for an alg no key is bound to), so callers that classify errors should
// test ErrUnauthenticated before the other sentinels.
//
// # Security
//
// [Verifier.Verify] copies its input once, then checks, in this order:
//
//  1. strict envelope parse (suit.Parse: deterministic CBOR, caps); the
//     manifest is not interpreted;
//  2. an authentication wrapper holding at least one COSE block (a
//     digest-only wrapper is [ErrUnauthenticated]);
//  3. each block (tagged COSE_Sign1 18, COSE_Sign 98, COSE_Mac0 17, COSE_Mac
//     97 with a direct recipient) is parsed strictly (deterministic CBOR,
//     no tags, alg only in the protected header, no label in both buckets,
//     crit limited to understood labels, payload detached: an attached
//     payload is refused, never verified) and verified over the detached
//     payload, the encoded SUIT_Digest, with every trusted key bound to its
//     alg; kid is ignored; the policy must be met;
//  4. the SUIT_Digest algorithm is supported and the digest matches the
//     manifest bstr as received, head included;
//  5. no unknown envelope member is present; the manifest is decoded;
//  6. severable elements present in the envelope match their digests in
//     the manifest (an element the manifest does not sever is refused);
//  7. integrated payloads ("#name" URIs) used outside try-each are present;
//  8. the signers are authorised for every component;
//  9. anti-rollback: the sequence number is at least Options.MinSequence
//     and not lower than the stored number (not equal either with
//     Options.StrictSequence). Verify never writes the store.
//
// ECDSA signatures are raw r||s; high-S signatures are accepted (other SUIT
// signers do not normalise S), so signature bytes are malleable and never
// identify an update: [Verified.ID] is the manifest digest.
//
// The [FileStore] writes atomically (temporary file, fsync, rename,
// directory fsync) with a checksum; a damaged file is reported as
// [ErrStoreCorrupt] and never reset. Commit only after the update is
// installed and confirmed, so that a revert after a failed boot is not
// mistaken for a rollback.
//
// # Limits
//
// Decoding caps come from suit.Limits (Options.Limits; nil = safe
// defaults). A COSE header may nest 16 levels and hold 16 protected
// labels; a COSE_Sign may hold 16 signatures; COSE_Mac supports exactly one
// recipient in direct mode (-6). Verification work is bounded by
// suit.Limits.MaxAuthBlocks (default 8) blocks of at most 16 signatures,
// each tried against the trusted keys bound to its alg; blocks after the
// policy is met are not examined (unless a key has component prefixes).
// Supported algorithms: ES256/ESP256, ES384/ESP384, ES512/ESP512,
// EdDSA/Ed25519, HMAC 256/384/512 (full-length tags); RSA and HSS-LMS are
// not. The rollback identity is the
// manifest-component-id, or the first vendor and class ids of the shared
// sequence ([Identity]); counters are shared by all trust anchors unless
// Options.RollbackScope separates them (the recovery path after a stolen key
// signed a huge sequence number is new anchors under a new scope). Integrated payloads are
// not covered by the signature themselves: their image digests are checked
// when the manifest is processed. A state file holds at most 1 MiB; on
// systems without flock a FileStore must have a single writer.
package verify
