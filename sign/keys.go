package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// MaxKeyFileSize caps the size of a key file ParseKey, ParsePEM and
// ParseCOSEKey accept.
const MaxKeyFileSize = 64 << 10

// Key is a parsed key: an asymmetric private key (Signer set, Public its
// public half), an asymmetric public key (Public only), or a symmetric HMAC
// secret (Secret only).
type Key struct {
	// Signer is the private key, nil for public and symmetric keys. Keys
	// parsed here are *ecdsa.PrivateKey (P-256, P-384, P-521) or
	// ed25519.PrivateKey.
	Signer crypto.Signer
	// Public is *ecdsa.PublicKey or ed25519.PublicKey; nil for symmetric.
	Public crypto.PublicKey
	// Secret is the symmetric key (COSE_Key kty 4 or a raw HMAC file).
	Secret []byte
	// KeyID is the COSE_Key kid (label 2), nil if absent or PEM.
	KeyID []byte
	// Algorithm is the COSE_Key alg (label 3), 0 if absent or PEM.
	Algorithm Algorithm
}

// IsPrivate reports whether k can sign or MAC.
func (k *Key) IsPrivate() bool { return k != nil && (k.Signer != nil || k.Secret != nil) }

// PublicOnly returns a copy of k without the private half. For a symmetric
// key it returns an error matching [ErrKey].
func (k *Key) PublicOnly() (*Key, error) {
	if k == nil || k.Public == nil {
		return nil, keyErr("COSE_Key", "symmetric keys have no public half", nil)
	}
	return &Key{Public: k.Public, KeyID: cloneBytes(k.KeyID), Algorithm: k.Algorithm}, nil
}

// NewSigner returns a Signer for k with alg, or with k.Algorithm, or with
// [DefaultAlgorithm] when alg is 0. Symmetric keys give an HMAC Signer. A
// key whose COSE_Key names an algorithm is restricted to it (RFC 9052
// §7.1): asking for another gives an error matching [ErrAlgorithm].
func (k *Key) NewSigner(alg Algorithm) (*Signer, error) {
	if k == nil {
		return nil, keyErr("COSE_Key", "nil key", nil)
	}
	if alg != 0 && k.Algorithm != 0 && alg != k.Algorithm {
		return nil, &AlgorithmError{Algorithm: alg, Reason: fmt.Sprintf("the key is restricted to %v by its COSE_Key alg", k.Algorithm)}
	}
	if alg == 0 {
		alg = k.Algorithm
	}
	if k.Secret != nil {
		if alg != 0 && alg != HMAC256 {
			return nil, &AlgorithmError{Algorithm: alg, Reason: "a symmetric key only MACs with HMAC-256"}
		}
		return NewMACer(k.Secret, k.KeyID)
	}
	if k.Signer == nil {
		return nil, keyErr("PEM", "a public key cannot sign", nil)
	}
	if alg == 0 {
		var err error
		if alg, err = DefaultAlgorithm(k.Public); err != nil {
			return nil, err
		}
	}
	return NewSigner(alg, k.Signer, k.KeyID)
}

// GenerateKey makes a new key for alg: an ECDSA key on the algorithm's
// curve, an Ed25519 key, or a 32-byte random HMAC secret. The key's
// Algorithm is alg, so [Key.NewSigner] and [Key.MarshalCOSEKey] keep it.
func GenerateKey(alg Algorithm) (*Key, error) {
	info, ok := algTable(alg)
	if !ok {
		return nil, &AlgorithmError{Algorithm: alg, Reason: "not supported"}
	}
	switch {
	case info.mac:
		secret := make([]byte, MinMACKeySize)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
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

// ParseKey parses a key file: PEM (see [ParsePEM]) when it starts with a
// PEM header after optional white space, a COSE_Key otherwise (see
// [ParseCOSEKey]). Raw HMAC secrets are not detected: pass them to
// [NewMACer] directly.
func ParseKey(data []byte) (*Key, error) {
	if len(data) > MaxKeyFileSize {
		return nil, keyErr("key file", fmt.Sprintf("larger than %d bytes", MaxKeyFileSize), nil)
	}
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN ")) {
		return ParsePEM(data)
	}
	return ParseCOSEKey(data)
}

// ParsePEM parses one PEM key: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY"
// (SEC1, optionally preceded by the "EC PARAMETERS" block OpenSSL writes)
// or "PUBLIC KEY" (PKIX SubjectPublicKeyInfo). Only ECDSA P-256, P-384,
// P-521 and Ed25519 keys are accepted. Anything but white space after the
// key block, encrypted PEM, and PEM headers are rejected.
func ParsePEM(data []byte) (*Key, error) {
	if len(data) > MaxKeyFileSize {
		return nil, keyErr("PEM", fmt.Sprintf("larger than %d bytes", MaxKeyFileSize), nil)
	}
	block, rest := pem.Decode(data)
	if block != nil && block.Type == "EC PARAMETERS" {
		block, rest = pem.Decode(rest)
	}
	if block == nil {
		return nil, keyErr("PEM", "no PEM block found", nil)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, keyErr("PEM", "unexpected data after the key block", nil)
	}
	if len(block.Headers) != 0 {
		return nil, keyErr("PEM", "PEM headers (encrypted keys) are not supported", nil)
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, keyErr("PEM", "bad PKCS#8 private key", err)
		}
		return privateKey(k)
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, keyErr("PEM", "bad SEC1 EC private key", err)
		}
		return privateKey(k)
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, keyErr("PEM", "bad PKIX public key", err)
		}
		if err := supportedPublic(k); err != nil {
			return nil, err
		}
		return &Key{Public: k}, nil
	}
	return nil, keyErr("PEM", fmt.Sprintf("unsupported PEM block type %q", block.Type), nil)
}

func privateKey(k any) (*Key, error) {
	switch p := k.(type) {
	case *ecdsa.PrivateKey:
		if err := supportedPublic(&p.PublicKey); err != nil {
			return nil, err
		}
		return &Key{Signer: p, Public: &p.PublicKey}, nil
	case ed25519.PrivateKey:
		return &Key{Signer: p, Public: p.Public()}, nil
	}
	return nil, keyErr("PEM", fmt.Sprintf("unsupported private key type %T", k), nil)
}

func supportedPublic(k any) error {
	switch p := k.(type) {
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return keyErr("PEM", "unsupported ECDSA curve "+curveName(p.Curve), nil)
	case ed25519.PublicKey:
		return nil
	}
	return keyErr("PEM", fmt.Sprintf("unsupported public key type %T", k), nil)
}

// MarshalPEM encodes k as PEM: a private key as PKCS#8 "PRIVATE KEY", a
// public key as PKIX "PUBLIC KEY". Symmetric keys have no PEM form.
func (k *Key) MarshalPEM() ([]byte, error) {
	if k == nil || (k.Signer == nil && k.Public == nil) {
		return nil, keyErr("PEM", "symmetric keys have no PEM form; store the raw secret", nil)
	}
	if k.Signer != nil {
		der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
		if err != nil {
			return nil, keyErr("PEM", "cannot encode PKCS#8", err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	return k.MarshalPublicPEM()
}

// MarshalPublicPEM encodes the public half of k as PKIX "PUBLIC KEY" PEM.
func (k *Key) MarshalPublicPEM() ([]byte, error) {
	if k == nil || k.Public == nil {
		return nil, keyErr("PEM", "symmetric keys have no public half", nil)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return nil, keyErr("PEM", "cannot encode PKIX", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// MarshalSEC1PEM encodes an ECDSA private key as SEC1 "EC PRIVATE KEY" PEM,
// the form some embedded tool chains expect.
func (k *Key) MarshalSEC1PEM() ([]byte, error) {
	if k == nil {
		return nil, keyErr("PEM", "nil key", nil)
	}
	p, ok := k.Signer.(*ecdsa.PrivateKey)
	if !ok {
		return nil, keyErr("PEM", "SEC1 holds only ECDSA private keys", nil)
	}
	der, err := x509.MarshalECPrivateKey(p)
	if err != nil {
		return nil, keyErr("PEM", "cannot encode SEC1", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}
