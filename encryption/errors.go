package encryption

import (
	"errors"
	"fmt"
)

// Sentinels; every error of this package matches one of them with
// errors.Is.
var (
	// ErrMalformed: the encryption info is not a well-formed COSE_Encrypt
	// of the shape the firmware-encryption draft uses (tag 96, detached
	// ciphertext, recipients with a wrapped key), or a header value has
	// the wrong type or size.
	ErrMalformed = errors.New("encryption: malformed encryption info")
	// ErrUnsupportedAlgorithm: an algorithm outside the draft's set, or
	// one that does not fit where it is used.
	ErrUnsupportedAlgorithm = errors.New("encryption: unsupported algorithm")
	// ErrUnsupported: a construct this package does not implement (nested
	// recipients, crit, COSE_Encrypt0, PartyU/PartyV headers).
	ErrUnsupported = errors.New("encryption: unsupported")
	// ErrNoKey: no recipient of the encryption info can be opened with the
	// keys given (none is addressed to them, or every unwrap failed).
	ErrNoKey = errors.New("encryption: no recipient for the device's keys")
	// ErrUnwrap: an AES key unwrap failed its integrity check (wrong KEK or
	// ECDH key, tampered wrapped key).
	ErrUnwrap = errors.New("encryption: key unwrap failed")
	// ErrAuthentication: AEAD content whose tag does not verify (wrong key,
	// altered or truncated ciphertext or tag).
	ErrAuthentication = errors.New("encryption: content authentication failed")
	// ErrTruncated: ciphertext shorter than the AEAD tag.
	ErrTruncated = errors.New("encryption: ciphertext truncated")
	// ErrKey: a key of the wrong kind or size.
	ErrKey = errors.New("encryption: invalid key")
)

// AlgorithmError reports an algorithm that is refused, and where.
type AlgorithmError struct {
	Algorithm Algorithm
	Where     string // "content", "recipient", ...
	Reason    string
}

func (e *AlgorithmError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("encryption: %s", e.Reason)
	}
	return fmt.Sprintf("encryption: %s algorithm %s %s", e.Where, e.Algorithm, e.Reason)
}

// Unwrap makes the error match ErrUnsupportedAlgorithm.
func (e *AlgorithmError) Unwrap() error { return ErrUnsupportedAlgorithm }

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
