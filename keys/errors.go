package keys

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package matches [ErrKey] or
// [ErrAlgorithm] with [errors.Is]; a key of the wrong kind or a weak secret
// also matches [ErrKeyType] or [ErrWeakSecret], so that a caller can say
// what was wrong. The typed errors below carry the detail.
var (
	// ErrKey means a key (file, COSE_Key, PEM block or raw secret) is
	// malformed, of an unsupported type, or inconsistent.
	ErrKey = errors.New("keys: invalid key")

	// ErrAlgorithm means an algorithm is unknown, not supported for the
	// use asked for, or does not fit the key it is used with.
	ErrAlgorithm = errors.New("keys: unsupported algorithm")

	// ErrKeyType means a well-formed key of the wrong kind for its use: an
	// asymmetric key (PEM, DER, an EC2 or OKP COSE_Key) where an HMAC
	// secret is expected, a secret (or a file that is neither PEM nor a
	// COSE_Key) where an asymmetric key is expected, or a private key where
	// only a public one is accepted. Treating one as the other is how a
	// public key ends up as a MAC secret that anyone can forge with.
	ErrKeyType = errors.New("keys: wrong kind of key")

	// ErrWeakSecret means an HMAC secret is shorter than [MinMACKeySize]
	// (or longer than [MaxMACKeySize]).
	ErrWeakSecret = errors.New("keys: HMAC secret of unacceptable length")
)

// KeyError reports why a key could not be parsed or used. It matches
// [ErrKey]; Err, when set, is either the underlying parser's error or one
// of [ErrKeyType] and [ErrWeakSecret].
type KeyError struct {
	Format string // "PEM", "COSE_Key", "HMAC", "key file", "public", "crypto.Signer"
	Reason string // what was wrong, in words
	Err    error  // underlying error or class sentinel, may be nil
}

// Error implements error.
func (e *KeyError) Error() string {
	s := "keys: invalid " + e.Format + " key: " + e.Reason
	if e.Err != nil && e.Err != ErrKeyType && e.Err != ErrWeakSecret {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is [ErrKey].
func (e *KeyError) Is(target error) bool { return target == ErrKey }

// Unwrap returns the underlying error or class sentinel.
func (e *KeyError) Unwrap() error { return e.Err }

func keyErr(format, reason string, err error) error {
	return &KeyError{Format: format, Reason: reason, Err: err}
}

// AlgorithmError reports an unknown algorithm or one that does not fit the
// key or the use. It matches [ErrAlgorithm].
type AlgorithmError struct {
	Algorithm Algorithm // the algorithm refused (0 when a name did not parse)
	Reason    string    // why, in words
}

// Error implements error.
func (e *AlgorithmError) Error() string {
	return fmt.Sprintf("keys: algorithm %v: %s", e.Algorithm, e.Reason)
}

// Is reports whether target is [ErrAlgorithm].
func (e *AlgorithmError) Is(target error) bool { return target == ErrAlgorithm }
