package encryption

import "strconv"

// Algorithm is a COSE algorithm identifier (IANA "COSE Algorithms") for
// content encryption or key distribution.
type Algorithm int64

// Content-encryption algorithms of the firmware-encryption draft and the
// SUIT MTI profiles.
const (
	A128GCM          Algorithm = 1      // AES-GCM, 128-bit key, 128-bit tag (RFC 9053)
	A256GCM          Algorithm = 3      // AES-GCM, 256-bit key, 128-bit tag
	ChaCha20Poly1305 Algorithm = 24     // ChaCha20/Poly1305, 256-bit key, 128-bit tag
	A128CTR          Algorithm = -65534 // AES-CTR, 128-bit key, no integrity (RFC 9459)
	A256CTR          Algorithm = -65532 // AES-CTR, 256-bit key, no integrity (RFC 9459)
)

// Key-distribution algorithms (COSE recipient algorithms).
const (
	A128KW       Algorithm = -3  // AES Key Wrap, 128-bit KEK (RFC 3394)
	A192KW       Algorithm = -4  // AES Key Wrap, 192-bit KEK
	A256KW       Algorithm = -5  // AES Key Wrap, 256-bit KEK
	ECDHESA128KW Algorithm = -29 // ECDH-ES + HKDF-SHA256 + A128KW
	ECDHESA256KW Algorithm = -31 // ECDH-ES + HKDF-SHA256 + A256KW
)

// ContentAlgorithms returns the content-encryption algorithms this package
// implements, in a fixed order.
func ContentAlgorithms() []Algorithm {
	return []Algorithm{A128GCM, A256GCM, ChaCha20Poly1305, A128CTR, A256CTR}
}

// KeyAlgorithms returns the key-distribution algorithms this package
// implements, in a fixed order.
func KeyAlgorithms() []Algorithm {
	return []Algorithm{A128KW, A192KW, A256KW, ECDHESA128KW, ECDHESA256KW}
}

// String returns the algorithm's COSE name, or "alg(N)".
func (a Algorithm) String() string {
	switch a {
	case A128GCM:
		return "A128GCM"
	case A256GCM:
		return "A256GCM"
	case ChaCha20Poly1305:
		return "ChaCha20/Poly1305"
	case A128CTR:
		return "A128CTR"
	case A256CTR:
		return "A256CTR"
	case A128KW:
		return "A128KW"
	case A192KW:
		return "A192KW"
	case A256KW:
		return "A256KW"
	case ECDHESA128KW:
		return "ECDH-ES+A128KW"
	case ECDHESA256KW:
		return "ECDH-ES+A256KW"
	}
	return "alg(" + strconv.FormatInt(int64(a), 10) + ")"
}

// ParseAlgorithm returns the algorithm named s (a name String returns,
// without regard to case, "ChaCha20-Poly1305" too, or a decimal COSE
// identifier). Anything else gives an error matching ErrUnsupportedAlgorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	all := append(ContentAlgorithms(), KeyAlgorithms()...)
	for _, a := range all {
		if equalFold(a.String(), s) {
			return a, nil
		}
	}
	if equalFold(s, "ChaCha20-Poly1305") || equalFold(s, "ChaCha20Poly1305") {
		return ChaCha20Poly1305, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		for _, a := range all {
			if int64(a) == n {
				return a, nil
			}
		}
	}
	return 0, &AlgorithmError{Algorithm: 0, Reason: "unknown algorithm name " + strconv.Quote(s)}
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// IsContent reports whether a is a content-encryption algorithm this
// package implements.
func (a Algorithm) IsContent() bool { return a.ContentKeySize() != 0 }

// IsAEAD reports whether a is an authenticated content-encryption
// algorithm (AES-GCM, ChaCha20/Poly1305). AES-CTR is not: its content must
// be checked against an image digest.
func (a Algorithm) IsAEAD() bool {
	return a == A128GCM || a == A256GCM || a == ChaCha20Poly1305
}

// ContentKeySize returns the content-encryption key size in bytes of a
// content algorithm, 0 for any other.
func (a Algorithm) ContentKeySize() int {
	switch a {
	case A128GCM, A128CTR:
		return 16
	case A256GCM, A256CTR, ChaCha20Poly1305:
		return 32
	}
	return 0
}

// ivSize returns the IV size of a content algorithm.
func (a Algorithm) ivSize() int {
	switch a {
	case A128GCM, A256GCM, ChaCha20Poly1305:
		return 12
	case A128CTR, A256CTR:
		return 16
	}
	return 0
}

// KEKSize returns the key-encryption key size in bytes of a key-wrap or
// ECDH-ES + key-wrap algorithm, 0 for any other.
func (a Algorithm) KEKSize() int {
	switch a {
	case A128KW, ECDHESA128KW:
		return 16
	case A192KW:
		return 24
	case A256KW, ECDHESA256KW:
		return 32
	}
	return 0
}

// IsECDH reports whether a is an ECDH-ES + AES-KW algorithm.
func (a Algorithm) IsECDH() bool { return a == ECDHESA128KW || a == ECDHESA256KW }

// wrapAlg returns the AES-KW algorithm that an ECDH-ES+KW algorithm uses,
// which the KDF context names.
func (a Algorithm) wrapAlg() Algorithm {
	switch a {
	case ECDHESA128KW:
		return A128KW
	case ECDHESA256KW:
		return A256KW
	}
	return a
}
