// Package sign makes SUIT authentication blocks and prepares envelopes for
// signing: keys, COSE_Sign1 / COSE_Sign / COSE_Mac0 over the detached
// SUIT_Digest, signing whole envelopes, severing and re-attaching
// severable elements, and adding integrated payloads.
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
//	Sever(env *suit.Envelope, opt *SeverOptions) ([]int64, error) // move inline severable members out, re-digest
//	Strip(env *suit.Envelope, keys ...int64) []int64              // drop severed copies for distribution
//	Attach(env *suit.Envelope, key int64, content []byte) error   // put back a severed element after checking its digest
//	AttachFrom(dst, src *suit.Envelope) ([]int64, error)
//	AddPayload(env *suit.Envelope, name string, data []byte) error // integrated payload "#name"
//	ElementKey(name string) (int64, bool); ElementName(key int64) string; SeverableKeys
//
// Errors: [ErrKey], [ErrAlgorithm], [ErrDigestMismatch], [ErrEnvelope],
// [ErrSigned], [ErrElement]; typed [*KeyError], [*AlgorithmError],
// [*DigestMismatchError], [*ElementError] match them with errors.Is.
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
// Severing changes the manifest, so it must happen before signing.
// [Sever] refuses ([ErrSigned]) to touch an envelope that already carries
// authentication blocks unless told to drop them. [Strip] only removes
// envelope copies, which are outside the signature, so it keeps signatures
// valid. [Attach] accepts an element only if its digest matches the one
// in the (signed) manifest.
//
// ECDSA signatures are randomized and malleable; nothing here uses
// signature bytes as an identifier. Key files are untrusted input: parsers
// cap their size ([MaxKeyFileSize]), reject duplicate labels, tags, unknown
// labels, off-curve points and inconsistent private/public halves, and
// return typed errors instead of panicking.
//
// Integrated payloads are outside the signature; [AddPayload] only checks
// the name ("#" fragment, UTF-8, no white space or control characters).
// It does not check that the manifest references the name: the manifest's
// image digest is what authenticates the payload when it is processed.
//
// # Limits
//
// Key files: [MaxKeyFileSize] (64 KiB). kid: [MaxKeyIDSize] (256 bytes).
// HMAC secrets: [MinMACKeySize] to [MaxMACKeySize] bytes. Integrated payload
// names: [MaxPayloadNameSize] bytes. Envelopes are decoded with the suit
// package's default limits. Not supported: RSA, HSS-LMS, COSE_Mac (97)
// with recipients, COSE_Key with text labels or compressed EC2 points,
// encrypted PEM.
package sign
