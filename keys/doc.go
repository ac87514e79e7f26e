// Package keys is suitkit's one home for key material and algorithm
// identifiers: the COSE [Algorithm] type and its table (names, curve, hash,
// which key fits which algorithm), key files in PEM (PKCS#8, SEC1, PKIX)
// and COSE_Key form, raw HMAC secrets, and key generation.
//
// It sits beneath both sign and verify so that the two agree on what an
// algorithm is and how a key file is read, and so that a device, which
// only verifies, can load its trust anchors without linking the signing
// code. Nothing here signs or verifies.
//
// # Kinds of key
//
// A [Key] is an asymmetric private key, an asymmetric public key or a
// symmetric HMAC secret, and the loaders keep the three apart, because
// mistaking one for another is a security hole rather than an
// inconvenience. [ParseMACKey] refuses anything that is a key of another
// kind (a PEM block, DER, an EC2 or OKP COSE_Key, an OpenSSH public key)
// and secrets shorter than [MinMACKeySize]: a public key used as an HMAC
// secret lets anyone who holds the public key forge updates.
// [ParsePublicKey] refuses secrets and private keys where a verifier
// expects a public key. [ParseKey] reads any PEM or COSE_Key and says what
// it found; it refuses data that is neither ([ErrKeyType]), which is what a
// raw secret passed as an asymmetric key looks like. Errors say what was
// wrong: [ErrKeyType] for the wrong kind, [ErrWeakSecret] for a secret of
// unacceptable length, both alongside [ErrKey].
//
// # Untrusted input
//
// Key files are parsed as untrusted input: their size is capped
// ([MaxKeyFileSize]); COSE_Keys are read strictly (no duplicate or unknown
// labels, no tags, no indefinite lengths, coordinates of exactly the
// curve's size, points on the curve, a private scalar that matches the
// public point); PEM files hold exactly one unencrypted block. A COSE_Key's
// alg restricts the key to that algorithm (RFC 9052 section 7.1) and must
// fit it. Errors are typed and nothing panics.
//
// Supported: ECDSA P-256, P-384 and P-521 (ES256/ESP256, ES384/ESP384,
// ES512/ESP512), Ed25519 (EdDSA, Ed25519), ML-DSA-44/65/87 (FIPS 204, via
// github.com/cloudflare/circl; COSE_Key kty AKP, PKIX/PKCS#8 with the NIST
// OIDs) and HMAC 256/384/512. Not supported: RSA, encrypted PEM, COSE_Keys with text labels or
// compressed EC2 points.
//
// One key-agreement key is read too: a COSE_Key of kty OKP, crv X25519 with
// d (and x, when present, the public key d derives) becomes
// [Key.Agreement], a device's decryption key for package encryption. It
// cannot sign, takes no alg, and is never a public key: a public-only
// X25519 COSE_Key is refused. (A P-256 decryption key is an ordinary EC2
// private key.)
package keys
