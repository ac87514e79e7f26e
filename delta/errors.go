package delta

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by [Apply], [ReadHeader] and differ.Diff
// that is caused by the input wraps exactly one of these, so callers can
// branch with [errors.Is].
var (
	// ErrMalformed: the patch is not a well-formed suitkit delta (bad magic,
	// truncated, trailing data, control values that are negative, overflow,
	// make no progress, seek outside the old image, or produce more output
	// than declared).
	ErrMalformed = errors.New("delta: malformed patch")

	// ErrUnsupported: the patch uses a format version or codec this
	// package does not know.
	ErrUnsupported = errors.New("delta: unsupported patch feature")

	// ErrLimit: the patch asks for more than the caller's [Limits] allow
	// (memory, image size), or a stream decompresses to more than declared.
	ErrLimit = errors.New("delta: limit exceeded")

	// ErrOldImageMismatch: the old image given to [Apply] is not the one the
	// patch was made against (size or SHA-256 differs). Nothing has been
	// written when this is returned.
	ErrOldImageMismatch = errors.New("delta: old image does not match the patch")

	// ErrDigestMismatch: the reconstructed new image does not have the
	// SHA-256 digest the patch declares. The output written must be
	// discarded.
	ErrDigestMismatch = errors.New("delta: new image digest mismatch")
)

// PatchError describes what was wrong with a patch and where. It matches
// its sentinel (Err) with [errors.Is].
type PatchError struct {
	// Offset is the byte offset in the patch where the problem was found,
	// or -1 when not meaningful.
	Offset int64
	// What says what was wrong.
	What string
	// Err is one of the package's sentinel errors, or an underlying error
	// it wraps.
	Err error
}

// Error implements error.
func (e *PatchError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%v: %s (patch offset %d)", e.Err, e.What, e.Offset)
	}
	return fmt.Sprintf("%v: %s", e.Err, e.What)
}

// Unwrap returns the sentinel (or wrapped) error.
func (e *PatchError) Unwrap() error { return e.Err }

func malformed(off int64, format string, args ...any) error {
	return &PatchError{Offset: off, What: fmt.Sprintf(format, args...), Err: ErrMalformed}
}

func limitErr(off int64, format string, args ...any) error {
	return &PatchError{Offset: off, What: fmt.Sprintf(format, args...), Err: ErrLimit}
}

func unsupported(off int64, format string, args ...any) error {
	return &PatchError{Offset: off, What: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}
