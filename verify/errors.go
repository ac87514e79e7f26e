package verify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/suit"
)

// Sentinel errors. Every error returned by this package matches at least one
// of them with [errors.Is]; the typed errors below carry the detail.
var (
	// ErrUnauthenticated: no authentication wrapper, a wrapper holding only a
	// digest, or no COSE block verified by a trusted key under the policy.
	ErrUnauthenticated = errors.New("verify: unauthenticated")
	// ErrMalformed: the envelope or a COSE block is not well formed. Errors
	// from the suit codec are wrapped, so suit.ErrMalformed matches too.
	ErrMalformed = errors.New("verify: malformed")
	// ErrUnsupportedAlgorithm: a digest, signature or MAC algorithm this
	// package does not implement or does not allow, or one a key is not
	// bound to.
	ErrUnsupportedAlgorithm = errors.New("verify: unsupported algorithm")
	// ErrUnsupportedHeader: a COSE block marks a header label critical that
	// this package does not understand (RFC 9052 §3.1).
	ErrUnsupportedHeader = errors.New("verify: unsupported critical header")
	// ErrSeveredMismatch: a severable element present in the envelope does
	// not match its digest in the manifest, or has no digest there.
	ErrSeveredMismatch = errors.New("verify: severed element mismatch")
	// ErrMissingPayload: the manifest refers to an integrated payload
	// ("#name") that the envelope does not carry.
	ErrMissingPayload = errors.New("verify: missing integrated payload")
	// ErrUnauthorizedComponent: the manifest names a component outside the
	// component-identifier prefixes of every key that signed it.
	ErrUnauthorizedComponent = errors.New("verify: component not authorised for signer")
	// ErrRollback: the manifest's sequence number is lower than the stored
	// one (or equal, under the strict policy), or below a required minimum.
	ErrRollback = errors.New("verify: rollback")
	// ErrStoreCorrupt: the anti-rollback state cannot be trusted (bad
	// checksum, bad format). The store is never silently reset.
	ErrStoreCorrupt = errors.New("verify: anti-rollback state corrupt")
	// ErrStoreTampered: the anti-rollback state is bound to a device secret
	// (FileStoreOptions.Key) and its MAC does not verify, or it is not
	// bound although a key is configured. It also matches
	// [ErrStoreCorrupt]: the state is never silently reset.
	ErrStoreTampered = errors.New("verify: anti-rollback state fails its MAC")
	// ErrMaxSequence: the manifest's sequence number is 2^64-1. It is
	// refused: once committed, no later manifest could ever pass the floor,
	// so a single such manifest (a mistake or a stolen key) would lock a
	// device out of every later update.
	ErrMaxSequence = errors.New("verify: sequence number 2^64-1 is refused")
)

// MalformedError says which part of the input is not well formed. It matches
// [ErrMalformed] and, through Unwrap, the underlying codec error.
type MalformedError struct {
	Part string // "envelope", "manifest", "COSE block 1", ...
	Err  error
}

// Error implements error.
func (e *MalformedError) Error() string {
	return "malformed " + e.Part + ": " + strings.TrimPrefix(e.Err.Error(), "verify: ")
}

// Unwrap returns the underlying error.
func (e *MalformedError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrMalformed].
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// BlockError says why one COSE authentication block did not count.
type BlockError struct {
	Index int   // position in the authentication wrapper, 0 = first COSE block
	Err   error // matches ErrMalformed, ErrUnsupportedAlgorithm, ErrUnsupportedHeader or errBadSignature
}

// Error implements error.
func (e *BlockError) Error() string {
	return fmt.Sprintf("COSE block %d: %s", e.Index, strings.TrimPrefix(e.Err.Error(), "verify: "))
}

// Unwrap returns the underlying error.
func (e *BlockError) Unwrap() error { return e.Err }

// AuthError is returned when the authentication policy is not met. It
// matches [ErrUnauthenticated]; Unwrap returns the per-block errors, so
// errors.Is also finds, say, [ErrUnsupportedAlgorithm] when a block used one.
type AuthError struct {
	Reason string  // e.g. "no authentication block", "no trusted signature"
	Blocks []error // *BlockError for each block that did not count
}

// Error implements error.
func (e *AuthError) Error() string {
	var b strings.Builder
	b.WriteString("unauthenticated: ")
	b.WriteString(e.Reason)
	for i, be := range e.Blocks {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(be.Error())
		if i == len(e.Blocks)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// Unwrap returns the per-block errors.
func (e *AuthError) Unwrap() []error { return e.Blocks }

// Is reports whether target is [ErrUnauthenticated].
func (e *AuthError) Is(target error) bool { return target == ErrUnauthenticated }

// DigestError is returned when a digest does not match. It matches
// [suit.ErrDigestMismatch] for the manifest and [ErrSeveredMismatch] for a
// severable element.
type DigestError struct {
	What      string // "manifest", "suit-install (20)", ...
	Algorithm int64
	Want, Got []byte
	Err       error // underlying cause when detected by the suit codec
	severed   bool
}

// Error implements error.
func (e *DigestError) Error() string {
	if e.Err != nil {
		return e.What + ": " + e.Err.Error()
	}
	if e.Want == nil {
		return e.What + ": present in the envelope but the manifest has no digest for it"
	}
	return fmt.Sprintf("%s digest mismatch: manifest says %x, computed %x", e.What, e.Want, e.Got)
}

// Unwrap returns the underlying codec error, if any.
func (e *DigestError) Unwrap() error { return e.Err }

// Is reports whether target is [suit.ErrDigestMismatch] (the one sentinel
// for an envelope member that does not match the digest covering it) or,
// for a severable element, also [ErrSeveredMismatch].
func (e *DigestError) Is(target error) bool {
	if e.severed && target == ErrSeveredMismatch {
		return true
	}
	return target == suit.ErrDigestMismatch
}

// AlgorithmError names an algorithm that is not supported or not allowed.
type AlgorithmError struct {
	Kind      string // "digest", "signature", "MAC"
	Algorithm int64
	Reason    string
	Err       error // profile.ErrProfile's error when a profile refused it; else nil
}

// Error implements error.
func (e *AlgorithmError) Error() string {
	return fmt.Sprintf("%s algorithm %d %s", e.Kind, e.Algorithm, e.Reason)
}

// Is reports whether target is [ErrUnsupportedAlgorithm].
func (e *AlgorithmError) Is(target error) bool { return target == ErrUnsupportedAlgorithm }

// Unwrap returns the profile's error, if a profile refused the algorithm.
func (e *AlgorithmError) Unwrap() error { return e.Err }

// RollbackError is returned when a sequence number would roll back.
type RollbackError struct {
	// Floor is the device-chosen key of the floor that refused the
	// manifest ([ComponentFloorKey], [ScopeFloorKey]); empty for Minimum.
	Floor   string
	Stored  uint64 // stored (or minimum required) sequence number
	Got     uint64 // the manifest's sequence number
	Strict  bool   // equal numbers rejected too
	Minimum bool   // Stored is a caller-given minimum, not a stored value
	// Manifest is set when the numbers are equal but the floor was set by
	// another manifest: its [Verified.ID].
	Manifest string
}

// Error implements error.
func (e *RollbackError) Error() string {
	what := "stored"
	if e.Minimum {
		what = "minimum"
	}
	rel := "lower than"
	if e.Got == e.Stored {
		rel = "equal to"
	}
	msg := fmt.Sprintf("rollback: sequence number %d is %s the %s %d", e.Got, rel, what, e.Stored)
	if e.Manifest != "" && e.Got == e.Stored && !e.Strict {
		msg += " of another manifest (" + e.Manifest + ") for " + e.Floor
	}
	return msg
}

// maxSequenceError refuses the sequence number 2^64-1.
func maxSequenceError(seq uint64) error {
	return fmt.Errorf("%w (%d): committing it would lock the device out of every later update", ErrMaxSequence, seq)
}

// Is reports whether target is [ErrRollback].
func (e *RollbackError) Is(target error) bool { return target == ErrRollback }

// MissingPayloadError names an integrated payload the manifest refers to but
// the envelope lacks.
type MissingPayloadError struct{ URI string }

// Error implements error.
func (e *MissingPayloadError) Error() string {
	return fmt.Sprintf("manifest refers to integrated payload %q, not in the envelope", e.URI)
}

// Is reports whether target is [ErrMissingPayload].
func (e *MissingPayloadError) Is(target error) bool { return target == ErrMissingPayload }

// ComponentError names a component no signing key is authorised for.
type ComponentError struct {
	Component [][]byte
}

// Error implements error.
func (e *ComponentError) Error() string {
	return fmt.Sprintf("component %s is outside the component prefixes of every key that signed", formatComponent(e.Component))
}

// Is reports whether target is [ErrUnauthorizedComponent].
func (e *ComponentError) Is(target error) bool { return target == ErrUnauthorizedComponent }

// StoreError reports an anti-rollback store that cannot be read or written.
// It matches [ErrStoreCorrupt] when the content is damaged; I/O failures
// unwrap to the underlying *os.PathError.
type StoreError struct {
	Path     string
	Err      error
	Corrupt  bool
	Tampered bool // the MAC binding the state to the device secret failed
}

// Error implements error.
func (e *StoreError) Error() string {
	if e.Tampered {
		return fmt.Sprintf("anti-rollback state %s is not authentic: %v", e.Path, e.Err)
	}
	if e.Corrupt {
		return fmt.Sprintf("anti-rollback state %s is corrupt: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("anti-rollback state %s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *StoreError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrStoreCorrupt] for damaged content.
// A MAC failure matches [ErrStoreTampered] and ErrStoreCorrupt.
func (e *StoreError) Is(target error) bool {
	return (e.Corrupt || e.Tampered) && target == ErrStoreCorrupt || e.Tampered && target == ErrStoreTampered
}

// errBadSignature is the block error for a signature or tag that no trusted
// key bound to the block's algorithm verifies.
var errBadSignature = errors.New("no trusted key bound to the algorithm verifies it")

func formatComponent(c [][]byte) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "h'%x'", e)
	}
	b.WriteByte(']')
	return b.String()
}
