package sign

import (
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/keys"
)

// Sentinel errors. Every error returned by this package matches one of them,
// or [keys.ErrKey] or [keys.ErrAlgorithm] for a key or algorithm problem,
// with [errors.Is]; the typed errors below carry the detail.
var (
	// ErrDigestMismatch means the SUIT_Digest in an envelope's
	// authentication wrapper does not match the manifest bytes it claims to
	// cover, so signing it would authenticate something else (TOCTOU).
	ErrDigestMismatch = errors.New("sign: manifest digest mismatch")

	// ErrEnvelope means an envelope cannot be signed as asked (no
	// manifest, a bare manifest, a manifest that does not decode ...).
	ErrEnvelope = errors.New("sign: invalid envelope")
)

// keyErr returns a *keys.KeyError: key problems found here are reported
// like the ones the keys package finds.
func keyErr(format, reason string, err error) error {
	return &keys.KeyError{Format: format, Reason: reason, Err: err}
}

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
