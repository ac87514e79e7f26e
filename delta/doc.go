// Package delta makes and applies binary patches between firmware images:
// a bsdiff-class differ (own suffix array, approximate matching) with a
// compact, versioned patch format that a device can apply while it
// downloads, in bounded memory.
//
// API (stable; delta-interop and process code against it):
//
//	func Diff(old, new []byte, w io.Writer, opts *DiffOptions) error
//	func Apply(old io.ReaderAt, oldSize int64, patch io.Reader, new io.Writer, lim *Limits) error
//	func ReadHeader(r io.Reader) (*Header, error)
//	var ErrMalformed, ErrUnsupported, ErrLimit, ErrOldImageMismatch, ErrDigestMismatch error
//
// Package-internal, for the BSDIFF40 writer (bsdiff40*.go):
//
//	type control struct{ add, copy, seek int64 }   // bsdiff semantics, see control
//	func computeControls(old, new []byte, opt *DiffOptions) ([]control, error)
//
// # Security
//
// # Limits
package delta
