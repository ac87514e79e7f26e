// Package sign makes SUIT authentication blocks and prepares envelopes for
// signing: COSE_Sign1 / COSE_Sign / COSE_Mac0 over the detached
// SUIT_Digest, and signing whole envelopes. Severing, stripping and
// re-attaching severable elements and adding integrated payloads edit the
// envelope without cryptography; they are in package suit (suit.Sever,
// suit.Strip, suit.Attach, suit.AddPayload).
//
// # API summary
//
// Keys and algorithms live in package keys; [ForKey] makes a Signer from a
// parsed [keys.Key], [Algorithms] lists the algorithms this package signs
// with.
//
// Blocks (payload = the encoded SUIT_Digest = suit.Authentication.DigestBytes):
//
//	NewSigner(alg keys.Algorithm, key crypto.Signer, kid []byte) (*Signer, error)
//	NewMACer(secret, kid []byte) (*Signer, error)               // HMAC 256/256, COSE_Mac0
//	(*Signer).Block(payload []byte) ([]byte, error)             // tagged COSE_Sign1 (18) or COSE_Mac0 (17)
//	MultiBlock(payload []byte, signers ...*Signer) ([]byte, error) // one COSE_Sign (98), one signature per signer
//	HMAC256Tag(secret, protected, payload []byte) ([]byte, error)  // the COSE_Mac0 tag, for verifiers
//
// Envelopes (package suit types):
//
//	Envelope(env *suit.Envelope, signers ...*Signer) error      // check/compute digest, append one block per signer
//	EnvelopeMulti(env *suit.Envelope, signers ...*Signer) error // append one COSE_Sign block
//	SignBytes(data []byte, signers ...*Signer) ([]byte, error)   // suit.Decode + Envelope + Encode
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
// "Signers ... MUST verify the SUIT_Digest"): [Envelope] recomputes the
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
