package sign

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package matches one of them
// with [errors.Is]; the typed errors below carry the detail.
var (
	// ErrKey means a key (file, COSE_Key, PEM block or raw secret) is
	// malformed, of an unsupported type, or inconsistent.
	ErrKey = errors.New("sign: invalid key")

	// ErrAlgorithm means an algorithm is unknown, not supported for
	// signing, or does not fit the key it is used with.
	ErrAlgorithm = errors.New("sign: unsupported algorithm")

	// ErrDigestMismatch means the SUIT_Digest in an envelope's
	// authentication wrapper does not match the manifest bytes it claims to
	// cover, so signing it would authenticate something else (TOCTOU).
	ErrDigestMismatch = errors.New("sign: manifest digest mismatch")

	// ErrEnvelope means an envelope cannot be signed as asked (no
	// manifest, a bare manifest, a manifest that does not decode ...).
	ErrEnvelope = errors.New("sign: invalid envelope")
)

// KeyError reports why a key could not be parsed or used. It matches
// [ErrKey].
type KeyError struct {
	Format string // "PEM", "COSE_Key", "HMAC", "crypto.Signer"
	Reason string
	Err    error // underlying error, may be nil
}

// Error implements error.
func (e *KeyError) Error() string {
	s := "sign: invalid " + e.Format + " key: " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is [ErrKey].
func (e *KeyError) Is(target error) bool { return target == ErrKey }

// Unwrap returns the underlying error.
func (e *KeyError) Unwrap() error { return e.Err }

func keyErr(format, reason string, err error) error {
	return &KeyError{Format: format, Reason: reason, Err: err}
}

// AlgorithmError reports an unknown algorithm or one that does not fit the
// key. It matches [ErrAlgorithm].
type AlgorithmError struct {
	Algorithm Algorithm
	Reason    string
}

// Error implements error.
func (e *AlgorithmError) Error() string {
	return fmt.Sprintf("sign: algorithm %v: %s", e.Algorithm, e.Reason)
}

// Is reports whether target is [ErrAlgorithm].
func (e *AlgorithmError) Is(target error) bool { return target == ErrAlgorithm }

// DigestMismatchError reports that an authentication wrapper's digest does
// not cover the manifest. It matches [ErrDigestMismatch].
type DigestMismatchError struct {
	Algorithm int64  // digest algorithm of the SUIT_Digest
	Want      []byte // digest recomputed over the manifest bstr
	Got       []byte // digest found in the authentication wrapper
}

// Error implements error.
func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("sign: authentication wrapper digest %x does not match manifest digest %x (alg %d)", e.Got, e.Want, e.Algorithm)
}

// Is reports whether target is [ErrDigestMismatch].
func (e *DigestMismatchError) Is(target error) bool { return target == ErrDigestMismatch }
