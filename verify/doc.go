// Package verify authenticates SUIT envelopes (draft-ietf-suit-manifest)
// before anything in their manifest is trusted, and guards against
// rollback.
//
// A device holds trust anchors ([Key], made with [NewKey] or [NewMACKey]
// from keys parsed by package keys) and anti-rollback state ([Store]); a
// [Verifier] made by [New] checks an envelope and returns a [Verified],
// which is what a processor installs from. After the update is installed
// and confirmed, [Verifier.Commit] raises its anti-rollback floors. Before
// fetching a payload a processor can ask [Verifier.CheckRollback] (read
// only); under its update lock, before committing content to a component,
// it asks [Verified.CheckWrite].
//
// # Anti-rollback
//
// The device decides the rollback scope, never the manifest: a floor per
// component written ([ComponentFloorKey]), optionally one for the whole
// scope (Options.ScopeFloor), all under the device-chosen
// Options.RollbackScope. Fields a manifest chooses (its
// manifest-component-id, vendor and class identifiers, [IdentityOf]) play
// no part, so an old manifest cannot obtain a fresh counter by declaring
// a new identity. Verify refuses a manifest whose number is lower than
// the floor of any component it may write ([Verified.MayWrite]: every
// component a write command can reach, every try-each alternative
// counted), or equal to it while the floor was set by another manifest;
// the manifest that set a floor may be installed again (a retry). A
// component a manifest only reads (a copy's or patch's source) is not
// checked. The sequence number 2^64-1 is refused ([ErrMaxSequence]):
// committed, it would lock the device out of every later update.
//
// A future dependency tree (several signers) extends this by scope: each
// signing authority gets its own RollbackScope, so its scope floor and its
// component floors are its own.
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
// [ErrUnauthorizedComponent], [ErrRollback], [ErrMaxSequence],
// [ErrStoreCorrupt], [ErrStoreTampered]. Typed
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
//     97 with a direct recipient) is parsed strictly (shortest-form CBOR,
//     map labels in any order but never twice, no tags, alg only in the protected header, no label in both buckets,
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
//  9. anti-rollback: the sequence number is not 2^64-1, at least
//     Options.MinSequence and not lower than the floors described above
//     (not equal either with Options.StrictSequence). Verify never writes
//     the store.
//
// ECDSA signatures are raw r||s; high-S signatures are accepted (other SUIT
// signers do not normalise S), so signature bytes are malleable and never
// identify an update: [Verified.ID] is the manifest digest.
//
// The [FileStore] writes atomically (temporary file, fsync, rename,
// directory fsync) with a checksum; a damaged file is reported as
// [ErrStoreCorrupt] and never reset. The checksum only catches
// corruption: without a key, nothing protects the floors against anyone
// who can write the file (they can lower them and recompute it). Binding
// the file to a device secret (FileStoreOptions.Key: HMAC-SHA256) makes
// such an edit fail with [ErrStoreTampered], as long as the writer cannot
// read the key. Neither protects against replaying an older copy of the
// file written with the same key: that needs a monotonic counter or
// storage the attacker cannot write. Commit only after the update is
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
// not. Floors are shared by all trust anchors unless
// Options.RollbackScope separates them (the recovery path after a stolen key
// signed a huge sequence number is new anchors under a new scope). Integrated payloads are
// not covered by the signature themselves: their image digests are checked
// when the manifest is processed. A state file holds at most 1 MiB; on
// systems without flock a FileStore must have a single writer.
package verify
