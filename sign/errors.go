package sign

import (
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// Sentinel errors. Every error returned by this package matches one of them,
// or [keys.ErrKey] or [keys.ErrAlgorithm] for a key or algorithm problem,
// with [errors.Is]; the typed errors below carry the detail.
var (
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
// not cover the manifest, so signing it would authenticate something else
// (TOCTOU). It matches [suit.ErrDigestMismatch].
type DigestMismatchError struct {
	Algorithm int64  // digest algorithm of the SUIT_Digest
	Want      []byte // digest recomputed over the manifest bstr
	Got       []byte // digest found in the authentication wrapper
}

// Error implements error.
func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("sign: authentication wrapper digest %x does not match manifest digest %x (alg %d)", e.Got, e.Want, e.Algorithm)
}

// Is reports whether target is [suit.ErrDigestMismatch].
func (e *DigestMismatchError) Is(target error) bool { return target == suit.ErrDigestMismatch }
