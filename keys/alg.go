package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"
	"strconv"
	"strings"
)

// Algorithm is a COSE algorithm identifier (IANA "COSE Algorithms"). The
// same type names the algorithm a signer uses, the algorithm a COSE_Key is
// restricted to and the algorithms a verifier's trust anchor is bound to.
type Algorithm int64

// The algorithms suitkit knows. The "ESP" and Ed25519 identifiers are the
// fully specified ones (RFC 9864) that the SUIT MTI profiles use; ES256 is
// what the manifest draft's Appendix B examples use.
const (
	ES256   Algorithm = -7  // ECDSA P-256 + SHA-256 (RFC 9053)
	ESP256  Algorithm = -9  // ECDSA P-256 + SHA-256, fully specified
	ES384   Algorithm = -35 // ECDSA P-384 + SHA-384
	ESP384  Algorithm = -51 // ECDSA P-384 + SHA-384, fully specified
	ES512   Algorithm = -36 // ECDSA P-521 + SHA-512
	ESP512  Algorithm = -52 // ECDSA P-521 + SHA-512, fully specified
	EdDSA   Algorithm = -8  // EdDSA (polymorphic; only Ed25519 keys here)
	Ed25519 Algorithm = -19 // Ed25519, fully specified
	HMAC256 Algorithm = 5   // HMAC 256/256 (HMAC-SHA-256, 32-byte tag)
	HMAC384 Algorithm = 6   // HMAC 384/384 (HMAC-SHA-384, 48-byte tag)
	HMAC512 Algorithm = 7   // HMAC 512/512 (HMAC-SHA-512, 64-byte tag)
	MLDSA44 Algorithm = -48 // ML-DSA-44 (FIPS 204; RFC 9964)
	MLDSA65 Algorithm = -49 // ML-DSA-65
	MLDSA87 Algorithm = -50 // ML-DSA-87
	HSSLMS  Algorithm = -46 // HSS-LMS (RFC 8554; RFC 8778), stateful
)

// algInfo is one row of the algorithm table: everything the rest of
// suitkit needs to know about an identifier.
type algInfo struct {
	name  string
	curve elliptic.Curve // ECDSA curve; nil for EdDSA and HMAC
	hash  crypto.Hash    // ECDSA or HMAC hash; 0 for EdDSA
	edDSA bool
	mac   bool
	mldsa bool
	hss   bool
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
		return algInfo{name: "HMAC-256", hash: crypto.SHA256, mac: true}, true
	case HMAC384:
		return algInfo{name: "HMAC-384", hash: crypto.SHA384, mac: true}, true
	case HMAC512:
		return algInfo{name: "HMAC-512", hash: crypto.SHA512, mac: true}, true
	case MLDSA44:
		return algInfo{name: "ML-DSA-44", mldsa: true}, true
	case MLDSA65:
		return algInfo{name: "ML-DSA-65", mldsa: true}, true
	case MLDSA87:
		return algInfo{name: "ML-DSA-87", mldsa: true}, true
	case HSSLMS:
		return algInfo{name: "HSS-LMS", hss: true}, true
	}
	return algInfo{}, false
}

var allAlgorithms = []Algorithm{ES256, ESP256, ES384, ESP384, ES512, ESP512, EdDSA, Ed25519, HMAC256, HMAC384, HMAC512, MLDSA44, MLDSA65, MLDSA87, HSSLMS}

// Algorithms returns every algorithm this package knows, in a fixed order.
// Which of them a package can use is that package's business: sign signs
// with all but HMAC384 and HMAC512, verify verifies all of them.
func Algorithms() []Algorithm { return append([]Algorithm(nil), allAlgorithms...) }

// Known reports whether a is one of the algorithms [Algorithms] returns.
func (a Algorithm) Known() bool {
	_, ok := algTable(a)
	return ok
}

// String returns the algorithm's name ("ES256", "HMAC-256", ...), or
// "alg(N)" for an unknown identifier.
func (a Algorithm) String() string {
	if info, ok := algTable(a); ok {
		return info.name
	}
	return "alg(" + strconv.FormatInt(int64(a), 10) + ")"
}

// IsMAC reports whether a is a MAC algorithm (COSE_Mac0 and COSE_Mac
// blocks, a shared secret) rather than a signature algorithm.
func (a Algorithm) IsMAC() bool {
	info, ok := algTable(a)
	return ok && info.mac
}

// Curve returns the elliptic curve of an ECDSA algorithm, nil for any
// other.
func (a Algorithm) Curve() elliptic.Curve {
	info, _ := algTable(a)
	return info.curve
}

// Hash returns the hash an ECDSA or HMAC algorithm uses, 0 for EdDSA,
// ML-DSA and unknown identifiers.
func (a Algorithm) Hash() crypto.Hash {
	info, _ := algTable(a)
	return info.hash
}

// IsHSSLMS reports whether a is HSS-LMS, the stateful hash-based
// signature.
func (a Algorithm) IsHSSLMS() bool { return a == HSSLMS }

// IsEdDSA reports whether a is EdDSA or Ed25519.
func (a Algorithm) IsEdDSA() bool {
	info, ok := algTable(a)
	return ok && info.edDSA
}

// ParseAlgorithm returns the algorithm named s. Names are matched without
// regard to case; "HMAC-256", "HMAC256", "HMAC-256/256" and "HMAC-SHA256"
// all name [HMAC256] (likewise for 384 and 512). A decimal COSE identifier
// ("-7") is accepted too. Anything else gives an error matching
// [ErrAlgorithm].
func ParseAlgorithm(s string) (Algorithm, error) {
	norm := strings.ToUpper(strings.TrimSpace(s))
	for _, bits := range []string{"256", "384", "512"} {
		switch norm {
		case "HMAC" + bits, "HMAC-" + bits + "/" + bits, "HMAC" + bits + "/" + bits, "HMAC-SHA" + bits:
			return ParseAlgorithm("HMAC-" + bits)
		}
	}
	for _, a := range allAlgorithms {
		if strings.ToUpper(a.String()) == norm {
			return a, nil
		}
	}
	if n, err := strconv.ParseInt(norm, 10, 64); err == nil && strconv.FormatInt(n, 10) == norm {
		if Algorithm(n).Known() {
			return Algorithm(n), nil
		}
	}
	return 0, &AlgorithmError{Algorithm: 0, Reason: fmt.Sprintf("unknown algorithm name %q", s)}
}

// DefaultAlgorithm returns the algorithm used for a public key when none is
// given: ES256, ES384 or ES512 for ECDSA P-256, P-384 or P-521 keys (the
// identifiers of the manifest draft's examples, which every SUIT verifier
// accepts), the fully specified Ed25519 (-19) for Ed25519 keys (the MTI
// profile's identifier), the key's own parameter set for ML-DSA keys and
// HSS-LMS for HSS-LMS keys.
// Other keys give an error matching [ErrKey].
func DefaultAlgorithm(pub crypto.PublicKey) (Algorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k != nil {
			switch k.Curve {
			case elliptic.P256():
				return ES256, nil
			case elliptic.P384():
				return ES384, nil
			case elliptic.P521():
				return ES512, nil
			}
		}
		return 0, keyErr("public", "unsupported ECDSA curve", nil)
	case ed25519.PublicKey:
		return Ed25519, nil
	}
	if a := mldsaAlgOf(pub); a != 0 {
		return a, nil
	}
	if hssPublic(pub) != nil {
		return HSSLMS, nil
	}
	return 0, keyErr("public", fmt.Sprintf("unsupported public key type %T", pub), nil)
}

// CheckKey reports whether pub may be used with a: ECDSA algorithms need an
// ECDSA key on their curve, EdDSA and Ed25519 an Ed25519 key. MAC and
// unknown algorithms fit no public key. The error matches [ErrAlgorithm]
// for a mismatch, [ErrKey] for a malformed key.
func (a Algorithm) CheckKey(pub crypto.PublicKey) error {
	info, ok := algTable(a)
	if !ok {
		return &AlgorithmError{Algorithm: a, Reason: "not supported"}
	}
	if info.mac {
		return &AlgorithmError{Algorithm: a, Reason: "is a MAC algorithm; it takes a shared secret, not a public key"}
	}
	if hssPublic(pub) != nil || info.hss {
		if hssPublic(pub) == nil || !info.hss {
			return &AlgorithmError{Algorithm: a, Reason: fmt.Sprintf("does not fit a %s key", keyKind(pub))}
		}
		return nil
	}
	if keyAlg := mldsaAlgOf(pub); keyAlg != 0 || info.mldsa {
		if keyAlg != a {
			return &AlgorithmError{Algorithm: a, Reason: fmt.Sprintf("does not fit a %s key", keyKind(pub))}
		}
		return nil
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if info.curve == nil {
			return &AlgorithmError{Algorithm: a, Reason: "needs an Ed25519 key, got ECDSA"}
		}
		if k == nil || k.Curve != info.curve {
			return &AlgorithmError{Algorithm: a, Reason: fmt.Sprintf("needs curve %s, key is on %s", info.curve.Params().Name, curveName(k))}
		}
		return nil
	case ed25519.PublicKey:
		if !info.edDSA {
			return &AlgorithmError{Algorithm: a, Reason: "needs an ECDSA key, got Ed25519"}
		}
		if len(k) != ed25519.PublicKeySize {
			return keyErr("public", "Ed25519 public key has wrong length", nil)
		}
		return nil
	}
	return &AlgorithmError{Algorithm: a, Reason: fmt.Sprintf("unsupported key type %T", pub)}
}

// keyKind names the kind of a public key in messages.
func keyKind(pub crypto.PublicKey) string {
	if a := mldsaAlgOf(pub); a != 0 {
		return a.String()
	}
	if hssPublic(pub) != nil {
		return "HSS-LMS"
	}
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

func curveName(k *ecdsa.PublicKey) string {
	if k == nil || k.Curve == nil || k.Curve.Params() == nil {
		return "unknown curve"
	}
	return k.Curve.Params().Name
}
