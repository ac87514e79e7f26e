// Package sign makes SUIT authentication blocks and prepares envelopes for
// signing: keys, COSE_Sign1 / COSE_Sign / COSE_Mac0 over the detached
// SUIT_Digest, and signing whole envelopes. Severing, stripping and
// re-attaching severable elements and adding integrated payloads edit the
// envelope without cryptography; they are in package suit (suit.Sever,
// suit.Strip, suit.Attach, suit.AddPayload).
//
// # API summary
//
// Keys:
//
//	GenerateKey(alg Algorithm) (*Key, error)
//	ParseKey(data []byte) (*Key, error)        // PEM or COSE_Key, auto-detected
//	ParsePEM(data []byte) (*Key, error)        // PKCS#8, SEC1, PKIX; P-256/384/521, Ed25519
//	ParseCOSEKey(data []byte) (*Key, error)    // EC2, OKP Ed25519, Symmetric
//	(*Key).MarshalPEM / MarshalPublicPEM / MarshalSEC1PEM / MarshalCOSEKey () ([]byte, error)
//	(*Key).PublicOnly() (*Key, error)
//	(*Key).NewSigner(alg Algorithm) (*Signer, error) // alg 0: key's alg or DefaultAlgorithm
//
// Algorithms: [ES256] (-7), [ESP256] (-9), [ES384] (-35), [ESP384] (-51),
// [ES512] (-36), [ESP512] (-52), [EdDSA] (-8), [Ed25519] (-19), [HMAC256]
// (5). ParseAlgorithm(name), DefaultAlgorithm(pub), Algorithm.String.
//
// Blocks (payload = the encoded SUIT_Digest = suit.Authentication.DigestBytes):
//
//	NewSigner(alg Algorithm, key crypto.Signer, kid []byte) (*Signer, error)
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
// Errors: [ErrKey], [ErrAlgorithm], [ErrDigestMismatch], [ErrEnvelope];
// typed [*KeyError], [*AlgorithmError], [*DigestMismatchError] match them
// with errors.Is.
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
// with [ErrDigestMismatch] if the wrapper holds a different one. It never
// signs a digest it did not recompute from the bytes being distributed.
//
// Severing changes the manifest, so it must happen before signing:
// suit.Sever refuses to touch an envelope that already carries
// authentication blocks unless told to drop them.
//
// ECDSA signatures are randomized and malleable; nothing here uses
// signature bytes as an identifier. Key files are untrusted input: parsers
// cap their size ([MaxKeyFileSize]), reject duplicate labels, tags, unknown
// labels, off-curve points and inconsistent private/public halves, and
// return typed errors instead of panicking.
//
// # Limits
//
// Key files: [MaxKeyFileSize] (64 KiB). kid: [MaxKeyIDSize] (256 bytes).
// HMAC secrets: [MinMACKeySize] to [MaxMACKeySize] bytes. Envelopes are
// decoded with the suit package's default limits. Not supported: RSA,
// HSS-LMS, COSE_Mac (97) with recipients, COSE_Key with text labels or
// compressed EC2 points, encrypted PEM.
package sign
