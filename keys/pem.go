package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// ParsePEM parses one PEM key: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY"
// (SEC1, optionally preceded by the "EC PARAMETERS" block OpenSSL writes)
// or "PUBLIC KEY" (PKIX SubjectPublicKeyInfo). Only ECDSA P-256, P-384,
// P-521, Ed25519 and ML-DSA-44/65/87 keys are accepted (ML-DSA with the
// NIST OIDs of RFC 9881; PKCS#8 in the seed, expandedKey or both form);
// HSS-LMS public keys too (RFC 9708), never HSS-LMS private keys. Anything but white space after the
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
		if k, ok, err := parseMLDSAPKCS8(block.Bytes); ok {
			return k, err
		}
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
		if k, ok, err := parseHSSPKIX(block.Bytes); ok {
			if err != nil {
				return nil, err
			}
			return &Key{Public: k}, nil
		}
		if k, ok, err := parseMLDSAPKIX(block.Bytes); ok {
			if err != nil {
				return nil, err
			}
			return &Key{Public: k}, nil
		}
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
		return keyErr("PEM", "unsupported ECDSA curve "+curveName(p), nil)
	case ed25519.PublicKey:
		return nil
	}
	return keyErr("PEM", fmt.Sprintf("unsupported public key type %T", k), nil)
}

// MarshalPEM encodes k as PEM: a private key as PKCS#8 "PRIVATE KEY", a
// public key as PKIX "PUBLIC KEY". Symmetric keys have no PEM form.
func (k *Key) MarshalPEM() ([]byte, error) {
	if k == nil || (k.Signer == nil && k.Public == nil) {
		return nil, keyErr("PEM", "symmetric keys have no PEM form; store the raw secret", ErrKeyType)
	}
	if k.Signer != nil {
		if mldsaAlgOf(k.Public) != 0 {
			der, err := marshalMLDSAPKCS8(k.Signer)
			if err != nil {
				return nil, err
			}
			return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
		}
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
		return nil, keyErr("PEM", "symmetric keys have no public half", ErrKeyType)
	}
	der, err := MarshalPKIX(k.Public)
	if err != nil {
		return nil, err
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
		return nil, keyErr("PEM", "SEC1 holds only ECDSA private keys", ErrKeyType)
	}
	der, err := x509.MarshalECPrivateKey(p)
	if err != nil {
		return nil, keyErr("PEM", "cannot encode SEC1", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// MarshalPKIX encodes a public key this package supports as DER
// SubjectPublicKeyInfo: ECDSA and Ed25519 as the standard library does,
// ML-DSA with its NIST OID (RFC 9881), HSS-LMS with id-alg-hss-lms-hashsig
// (RFC 9708).
func MarshalPKIX(pub crypto.PublicKey) ([]byte, error) {
	if p := hssPublic(pub); p != nil {
		return marshalHSSPKIX(p)
	}
	if mldsaAlgOf(pub) != 0 {
		return marshalMLDSAPKIX(pub)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, keyErr("PEM", "cannot encode PKIX", err)
	}
	return der, nil
}
