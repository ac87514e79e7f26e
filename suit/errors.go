package suit

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. Every error returned by the decoding functions of this
// package matches exactly one of ErrMalformed, ErrNotDeterministic, ErrLimit or
// ErrUnsupported with errors.Is, and is a *DecodeError that says where the
// problem is.
var (
	// ErrMalformed reports input that is not valid CBOR or does not follow
	// the SUIT CDDL: wrong types, missing required members, duplicate map
	// keys, trailing bytes, odd-length command sequences, a manifest version
	// other than 1, and so on.
	ErrMalformed = errors.New("suit: malformed")

	// ErrNotDeterministic reports well-formed CBOR that is not encoded with
	// RFC 8949 section 4.2.1 core deterministic encoding: an indefinite
	// length, an integer or length that is not in its shortest form, or map
	// keys that are not in bytewise lexicographic order.
	ErrNotDeterministic = errors.New("suit: not deterministically encoded")

	// ErrLimit reports input that exceeds one of the caps in [Limits].
	ErrLimit = errors.New("suit: limit exceeded")

	// ErrUnsupported reports a well-formed construct this package does not
	// handle, such as an unknown digest algorithm.
	ErrUnsupported = errors.New("suit: unsupported")

	// ErrDigestMismatch reports that a bstr-wrapped member of an envelope
	// does not match the SUIT_Digest that covers it: the manifest against
	// the authentication wrapper's digest (found by sign and verify), or a
	// severed element against the digest the manifest holds for it. It is
	// the one sentinel for envelope integrity across the module; content
	// installed on a device (process.ErrPayloadMismatch) and the output of
	// a patch (delta.ErrDigestMismatch) have their own, because they mean
	// something else.
	ErrDigestMismatch = errors.New("suit: digest mismatch")

	// ErrMissing reports that an element is absent, for example a severed
	// element whose content the envelope does not carry.
	ErrMissing = errors.New("suit: missing element")
)

// Sentinel errors of the envelope operations ([Sever], [Strip], [Attach],
// [AttachFrom], [AddPayload]). Every error they return matches one of
// these; a decoding error they run into is wrapped, so it matches the
// decoding sentinel as well.
var (
	// ErrEnvelope means an envelope cannot be severed or attached to as
	// asked: no envelope or manifest, a manifest that does not decode or
	// re-encode to its received bytes, an unsupported digest algorithm.
	ErrEnvelope = errors.New("suit: invalid envelope")

	// ErrSigned means an operation would change the signed manifest of an
	// envelope that already carries authentication blocks, which would
	// silently invalidate them.
	ErrSigned = errors.New("suit: envelope already signed")

	// ErrElement means a severable element does not match the digest the
	// manifest holds for it, or is not severable / not present, or an
	// integrated payload name is not acceptable.
	ErrElement = errors.New("suit: severable element mismatch")
)

// ElementError reports a problem with one severable element or integrated
// payload. It matches [ErrElement].
type ElementError struct {
	Key    any // int64 manifest key, its short name, or an integrated payload's name
	Reason string
	Err    error // underlying error, may be nil
}

// Error implements error.
func (e *ElementError) Error() string {
	s := fmt.Sprintf("suit: element %v: %s", e.Key, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is [ErrElement].
func (e *ElementError) Is(target error) bool { return target == ErrElement }

// Unwrap returns the underlying error.
func (e *ElementError) Unwrap() error { return e.Err }

// DecodeError says why and where decoding failed. Path names the element
// from the outermost structure inward, for example
// "envelope/manifest/common/shared-sequence[3]" (the fourth command of the
// shared sequence). Offset is the byte offset in the data given to [Parse],
// [Decode] or the package-level decode function that failed; errors from
// [Envelope.DecodeManifest] use offsets in the envelope when the envelope was
// produced by Parse. Err is one of the package's sentinel errors.
type DecodeError struct {
	Path   string // where, outermost first
	Offset int    // byte offset of the offending item
	Err    error  // ErrMalformed, ErrNotDeterministic, ErrLimit or ErrUnsupported
	Detail string // what exactly was wrong
}

// Error implements error.
func (e *DecodeError) Error() string {
	msg := e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Path != "" {
		msg += " (at " + e.Path + ", byte " + strconv.Itoa(e.Offset) + ")"
	} else {
		msg += " (at byte " + strconv.Itoa(e.Offset) + ")"
	}
	return msg
}

// Unwrap returns the sentinel error, so errors.Is(err, ErrMalformed) works.
func (e *DecodeError) Unwrap() error { return e.Err }

// newError builds a *DecodeError at an absolute offset.
func newError(kind error, off int, format string, args ...any) *DecodeError {
	return &DecodeError{Offset: off, Err: kind, Detail: fmt.Sprintf(format, args...)}
}

// inPath prepends one path segment to err's path when err is a *DecodeError.
// It is called only on the error path, so successful decoding never builds
// path strings.
func inPath(err error, seg string) error {
	var de *DecodeError
	if errors.As(err, &de) {
		if de.Path == "" {
			de.Path = seg
		} else if de.Path[0] == '[' {
			de.Path = seg + de.Path
		} else {
			de.Path = seg + "/" + de.Path
		}
	}
	return err
}

// inIndex prepends "[i]" to err's path (joined to the next outer segment).
func inIndex(err error, i int) error {
	return inPath(err, "["+strconv.Itoa(i)+"]")
}

// inKey is inIndex for a uint map key taken from the input (a component
// index), which may not fit in an int.
func inKey(err error, k uint64) error {
	return inPath(err, "["+strconv.FormatUint(k, 10)+"]")
}
