package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
)

// Size limits for key material. Key files are untrusted input: every
// parser checks MaxKeyFileSize before it looks at the bytes.
const (
	// MaxKeyFileSize caps the size of a key file [ParseKey], [ParsePEM],
	// [ParseCOSEKey], [ParsePublicKey] and [ParseMACKey] accept.
	MaxKeyFileSize = 64 << 10
	// MaxKeyIDSize caps a COSE_Key kid, and the kid a signer puts in its
	// blocks.
	MaxKeyIDSize = 256
	// MinMACKeySize is the shortest HMAC secret accepted: a secret shorter
	// than HMAC 256/256's output gives less security than the tag promises.
	MinMACKeySize = 32
	// MaxMACKeySize is the longest HMAC secret accepted.
	MaxMACKeySize = 1024
)

// Key is a parsed key: an asymmetric private key (Signer set, Public its
// public half), an asymmetric public key (Public only), or a symmetric HMAC
// secret (Secret only).
type Key struct {
	// Signer is the private key, nil for public and symmetric keys. Keys
	// parsed here are *ecdsa.PrivateKey (P-256, P-384, P-521),
	// ed25519.PrivateKey or an ML-DSA private key of circl
	// (*mldsa44.PrivateKey, *mldsa65.PrivateKey, *mldsa87.PrivateKey).
	Signer crypto.Signer
	// Agreement is an X25519 key-agreement private key (a COSE_Key of kty
	// OKP, crv X25519, with d), nil otherwise. It cannot sign: Signer is
	// nil and Public is its *ecdh.PublicKey. A device decrypts with it
	// (encryption.ECDHKey); a P-256 key-agreement key comes as Signer, an
	// *ecdsa.PrivateKey, whose ECDH method gives the *ecdh.PrivateKey.
	Agreement *ecdh.PrivateKey
	// Public is *ecdsa.PublicKey, ed25519.PublicKey, an ML-DSA public key
	// (*mldsa44.PublicKey ...), *hsslms.PublicKey, or the *ecdh.PublicKey
	// of Agreement; nil for symmetric.
	Public crypto.PublicKey
	// Secret is the symmetric key (COSE_Key kty 4 or a raw HMAC file).
	Secret []byte
	// KeyID is the COSE_Key kid (label 2), nil if absent or PEM.
	KeyID []byte
	// Algorithm is the COSE_Key alg (label 3), 0 if absent or PEM. A key
	// whose COSE_Key names an algorithm is restricted to it (RFC 9052
	// section 7.1).
	Algorithm Algorithm
}

// IsPrivate reports whether k can sign or MAC.
func (k *Key) IsPrivate() bool { return k != nil && (k.Signer != nil || k.Secret != nil) }

// IsSymmetric reports whether k is an HMAC secret.
func (k *Key) IsSymmetric() bool { return k != nil && k.Public == nil && k.Secret != nil }

// PublicOnly returns a copy of k without the private half. For a symmetric
// key it returns an error matching [ErrKeyType].
func (k *Key) PublicOnly() (*Key, error) {
	if k == nil || k.Public == nil {
		return nil, keyErr("COSE_Key", "symmetric keys have no public half", ErrKeyType)
	}
	return &Key{Public: k.Public, KeyID: bytes.Clone(k.KeyID), Algorithm: k.Algorithm}, nil
}

// GenerateKey makes a new key for alg: an ECDSA key on the algorithm's
// curve, an Ed25519 key, an ML-DSA key from a fresh random seed, or a
// random HMAC secret as long as the
// algorithm's output (32, 48 or 64 bytes). The key's Algorithm is alg, so a
// COSE_Key made from it stays restricted to alg.
func GenerateKey(alg Algorithm) (*Key, error) {
	info, ok := algTable(alg)
	if !ok {
		return nil, &AlgorithmError{Algorithm: alg, Reason: "not supported"}
	}
	switch {
	case info.hss:
		return nil, &AlgorithmError{Algorithm: alg, Reason: "is stateful: generate its key state with package hsslms/hsskey (suitkit keygen --alg HSS-LMS)"}
	case info.mldsa:
		set, _ := mldsaByAlg(alg)
		seed := make([]byte, MLDSASeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		return generateMLDSA(set, seed), nil
	case info.mac:
		secret := make([]byte, max(MinMACKeySize, info.hash.Size()))
		for {
			if _, err := rand.Read(secret); err != nil {
				return nil, err
			}
			// Redraw the rare secret that spells a key file of another
			// kind, so that a generated secret is never misread.
			if CheckMACSecret(secret) == nil {
				break
			}
		}
		return &Key{Secret: secret, Algorithm: alg}, nil
	case info.edDSA:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return &Key{Signer: priv, Public: pub, Algorithm: alg}, nil
	default:
		priv, err := ecdsa.GenerateKey(info.curve, rand.Reader)
		if err != nil {
			return nil, err
		}
		return &Key{Signer: priv, Public: &priv.PublicKey, Algorithm: alg}, nil
	}
}

// ParseKey parses an asymmetric key file: PEM (see [ParsePEM]) when it
// starts with a PEM header after optional white space, a COSE_Key otherwise
// (see [ParseCOSEKey]). A raw HMAC secret is not a key file: data that is
// neither PEM nor a CBOR map gives an error matching [ErrKeyType] (load
// secrets with [ParseMACKey]). A symmetric COSE_Key is returned as parsed;
// callers that expect an asymmetric key check [Key.IsSymmetric].
func ParseKey(data []byte) (*Key, error) {
	if len(data) > MaxKeyFileSize {
		return nil, keyErr("key file", fmt.Sprintf("larger than %d bytes", MaxKeyFileSize), nil)
	}
	if looksPEM(data) {
		return ParsePEM(data)
	}
	notKeyFile := keyErr("key file", "neither PEM nor a COSE_Key (a raw HMAC secret is not a key file: load it as a MAC key)", ErrKeyType)
	if len(data) == 0 || data[0]>>5 != 5 {
		return nil, notKeyFile
	}
	k, err := ParseCOSEKey(data)
	if err != nil {
		if _, isCOSEKey := coseKeyType(data); !isCOSEKey {
			// A map head but not a COSE_Key: one random secret in eight
			// starts with a map head, so say what it most likely is.
			return nil, notKeyFile
		}
		return nil, err
	}
	return k, nil
}

// ParsePublicKey parses a public key for a trust anchor: a PEM "PUBLIC
// KEY" block or a COSE_Key without a private part. A private key, a
// symmetric COSE_Key or a raw secret gives an error matching [ErrKeyType]:
// a verifier's configuration should not hold signing material.
func ParsePublicKey(data []byte) (*Key, error) {
	k, err := ParseKey(data)
	if err != nil {
		return nil, err
	}
	switch {
	case k.IsSymmetric():
		return nil, keyErr("public", "a symmetric key where a public key is expected (load it as a MAC key)", ErrKeyType)
	case k.Signer != nil || k.Agreement != nil:
		return nil, keyErr("public", "a private key where a public key is expected (distribute only the public half)", ErrKeyType)
	}
	return k, nil
}

// looksPEM reports whether data starts with a PEM header after optional
// white space.
func looksPEM(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN "))
}
