package report

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error of this package matches one of them.
var (
	// ErrMalformed: the bytes are not a well-formed, deterministically
	// encoded SUIT_Report (or COSE container) as the draft defines it.
	ErrMalformed = errors.New("report: malformed")
	// ErrLimit: a size, count or nesting limit was exceeded.
	ErrLimit = errors.New("report: limit exceeded")
	// ErrUnauthenticated: the signature or MAC does not verify with the
	// key, or the container's algorithm does not fit the key.
	ErrUnauthenticated = errors.New("report: not authenticated")
	// ErrMismatch: the report does not name the manifest (digest, URI) or
	// nonce the server expected.
	ErrMismatch = errors.New("report: does not match the expected manifest")
	// ErrKey: the key cannot authenticate reports.
	ErrKey = errors.New("report: unusable key")
)

// DecodeError says where in the input a decoding error was found.
type DecodeError struct {
	Offset int    // byte offset in the decoded input
	Path   string // e.g. "records[2].properties"
	Err    error  // matches ErrMalformed or ErrLimit
	Detail string
}

// Error says where and what.
func (e *DecodeError) Error() string {
	p := e.Path
	if p == "" {
		p = "report"
	}
	return fmt.Sprintf("%v at %s (offset %d): %s", e.Err, p, e.Offset, e.Detail)
}

// Unwrap returns the sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }
