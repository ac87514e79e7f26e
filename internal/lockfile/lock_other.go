//go:build !unix

package lockfile

import "context"

// Lock is a no-op where flock is unavailable: there the caller must ensure
// that one process at a time uses what the lock would guard.
func Lock(context.Context, string) (func(), error) { return func() {}, nil }

// TryLock is a no-op where flock is unavailable, like Lock.
func TryLock(string) (func(), error) { return func() {}, nil }
