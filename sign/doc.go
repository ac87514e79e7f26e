// Package sign makes SUIT authentication blocks and prepares envelopes for
// signing: COSE_Sign1 / COSE_Sign / COSE_Mac0 over the detached
// SUIT_Digest, and signing whole envelopes. Severing, stripping and
// re-attaching severable elements and adding integrated payloads edit the
// envelope without cryptography; they are in package suit (suit.Sever,
// suit.Strip, suit.Attach, suit.AddPayload).
//
// A [Signer] makes one authentication block over the detached payload,
// the encoded SUIT_Digest: a COSE_Sign1 for a signature algorithm, a
// COSE_Mac0 for HMAC 256/256; [MultiBlock] puts several signatures in one
// COSE_Sign. [Authenticate] and [SignBytes] sign a whole envelope, checking the
// digest first. Keys and algorithms come from package keys ([ForKey] makes
// a Signer from a parsed key); the to-be-signed bytes come from
// internal/cose, the same code verify checks them with, so the two cannot
// drift apart.
//
// Errors: [keys.ErrKey], [keys.ErrAlgorithm], [suit.ErrDigestMismatch],
// [ErrEnvelope]; typed [*keys.KeyError], [*keys.AlgorithmError],
// [*DigestMismatchError] match them with errors.Is.
//
// # Security
//
// The library never needs private key bytes: [NewSigner] takes any
// crypto.Signer (KMS, HSM, PKCS#11) and only calls Public and Sign. The
// algorithm is chosen by the caller and checked against the key's type and
// curve; it is written in the protected header.
//
// Signers MUST check the digest before signing (TOCTOU, manifest draft
// "Signers ... MUST verify the SUIT_Digest"): [Authenticate] recomputes the
// SUIT_Digest over the encoded manifest bstr (head included) and refuses
// with [suit.ErrDigestMismatch] if the wrapper holds a different one. It never
// signs a digest it did not recompute from the bytes being distributed.
//
// Severing changes the manifest, so it must happen before signing:
// suit.Sever refuses to touch an envelope that already carries
// authentication blocks unless told to drop them.
//
// ECDSA signatures are randomized and malleable; nothing here uses
// signature bytes as an identifier. Key files are parsed by package keys,
// as untrusted input. [NewMACer] refuses a "secret" that is really a key of
// another kind (a public key file used as a MAC key lets anyone forge).
//
// # Limits
//
// kid: [keys.MaxKeyIDSize] (256 bytes). HMAC secrets:
// [keys.MinMACKeySize] to [keys.MaxMACKeySize] bytes. Envelopes are
// decoded with the suit package's default limits. Not supported: RSA,
// HSS-LMS, COSE_Mac (97) with recipients.
package sign
