package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"
	"strings"
)

// Algorithm is a COSE algorithm identifier (IANA "COSE Algorithms").
type Algorithm int64

// The algorithms this package signs or MACs with. The "ESP" and Ed25519
// identifiers are the fully specified ones that the SUIT MTI profiles use;
// ES256 is what the manifest draft's Appendix B examples use.
const (
	ES256   Algorithm = -7  // ECDSA P-256 + SHA-256 (RFC 9053)
	ESP256  Algorithm = -9  // ECDSA P-256 + SHA-256, fully specified
	ES384   Algorithm = -35 // ECDSA P-384 + SHA-384
	ESP384  Algorithm = -51 // ECDSA P-384 + SHA-384, fully specified
	ES512   Algorithm = -36 // ECDSA P-521 + SHA-512
	ESP512  Algorithm = -52 // ECDSA P-521 + SHA-512, fully specified
	EdDSA   Algorithm = -8  // EdDSA (polymorphic; only Ed25519 keys here)
	Ed25519 Algorithm = -19 // Ed25519, fully specified
	HMAC256 Algorithm = 5   // HMAC 256/256 (HMAC-SHA-256, 32-byte tag), COSE_Mac0
)

type algInfo struct {
	name  string
	curve elliptic.Curve // ECDSA curve; nil for EdDSA / HMAC
	hash  crypto.Hash    // ECDSA hash; 0 otherwise
	edDSA bool
	mac   bool
}

func algTable(a Algorithm) (algInfo, bool) {
	switch a {
	case ES256:
		return algInfo{name: "ES256", curve: elliptic.P256(), hash: crypto.SHA256}, true
	case ESP256:
		return algInfo{name: "ESP256", curve: elliptic.P256(), hash: crypto.SHA256}, true
	case ES384:
		return algInfo{name: "ES384", curve: elliptic.P384(), hash: crypto.SHA384}, true
	case ESP384:
		return algInfo{name: "ESP384", curve: elliptic.P384(), hash: crypto.SHA384}, true
	case ES512:
		return algInfo{name: "ES512", curve: elliptic.P521(), hash: crypto.SHA512}, true
	case ESP512:
		return algInfo{name: "ESP512", curve: elliptic.P521(), hash: crypto.SHA512}, true
	case EdDSA:
		return algInfo{name: "EdDSA", edDSA: true}, true
	case Ed25519:
		return algInfo{name: "Ed25519", edDSA: true}, true
	case HMAC256:
		return algInfo{name: "HMAC-256", mac: true}, true
	}
	return algInfo{}, false
}

var allAlgorithms = []Algorithm{ES256, ESP256, ES384, ESP384, ES512, ESP512, EdDSA, Ed25519, HMAC256}

// Algorithms returns every algorithm this package supports, in a fixed order.
func Algorithms() []Algorithm { return append([]Algorithm(nil), allAlgorithms...) }

// String returns the algorithm's name ("ES256", "HMAC-256", ...), or its
// number for an unknown identifier.
func (a Algorithm) String() string {
	if info, ok := algTable(a); ok {
		return info.name
	}
	return fmt.Sprintf("alg(%d)", int64(a))
}

// IsMAC reports whether a is a MAC algorithm (COSE_Mac0 blocks) rather
// than a signature algorithm.
func (a Algorithm) IsMAC() bool {
	info, ok := algTable(a)
	return ok && info.mac
}

// ParseAlgorithm returns the algorithm named s. Names are matched without
// regard to case; "HMAC-256", "HMAC256" and "HMAC-256/256" all name
// [HMAC256]. A decimal COSE identifier ("-7") is accepted too.
func ParseAlgorithm(s string) (Algorithm, error) {
	norm := strings.ToUpper(strings.TrimSpace(s))
	switch norm {
	case "HMAC256", "HMAC-256/256", "HMAC256/256", "HMAC-SHA256":
		return HMAC256, nil
	}
	for _, a := range allAlgorithms {
		if strings.ToUpper(a.String()) == norm {
			return a, nil
		}
	}
	var n int64
	if _, err := fmt.Sscanf(norm, "%d", &n); err == nil && fmt.Sprint(n) == norm {
		if _, ok := algTable(Algorithm(n)); ok {
			return Algorithm(n), nil
		}
	}
	return 0, &AlgorithmError{Algorithm: 0, Reason: fmt.Sprintf("unknown algorithm name %q", s)}
}

// DefaultAlgorithm returns the algorithm used for a public key when none is
// given: ES256, ES384 or ES512 for ECDSA P-256, P-384 or P-521 keys (the
// identifiers of the manifest draft's examples, which every SUIT verifier
// accepts), and the fully specified Ed25519 (-19) for Ed25519 keys (the MTI
// profile's identifier).
func DefaultAlgorithm(pub crypto.PublicKey) (Algorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ES256, nil
		case elliptic.P384():
			return ES384, nil
		case elliptic.P521():
			return ES512, nil
		}
		return 0, keyErr("crypto.Signer", "unsupported ECDSA curve", nil)
	case ed25519.PublicKey:
		return Ed25519, nil
	}
	return 0, keyErr("crypto.Signer", fmt.Sprintf("unsupported public key type %T", pub), nil)
}

// checkKey reports whether pub may be used with a.
func checkKey(a Algorithm, pub crypto.PublicKey) error {
	info, ok := algTable(a)
	if !ok {
		return &AlgorithmError{Algorithm: a, Reason: "not supported"}
	}
	if info.mac {
		return &AlgorithmError{Algorithm: a, Reason: "is a MAC algorithm; use NewMACer"}
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if info.curve == nil {
			return &AlgorithmError{Algorithm: a, Reason: "needs an Ed25519 key, got ECDSA"}
		}
		if k.Curve != info.curve {
			return &AlgorithmError{Algorithm: a, Reason: fmt.Sprintf("needs curve %s, key is on %s", info.curve.Params().Name, curveName(k.Curve))}
		}
		return nil
	case ed25519.PublicKey:
		if !info.edDSA {
			return &AlgorithmError{Algorithm: a, Reason: "needs an ECDSA key, got Ed25519"}
		}
		if len(k) != ed25519.PublicKeySize {
			return keyErr("crypto.Signer", "Ed25519 public key has wrong length", nil)
		}
		return nil
	}
	return &AlgorithmError{Algorithm: a, Reason: fmt.Sprintf("unsupported key type %T", pub)}
}

func curveName(c elliptic.Curve) string {
	if c == nil || c.Params() == nil {
		return "unknown curve"
	}
	return c.Params().Name
}
