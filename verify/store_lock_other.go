//go:build !unix

package verify

// lockFile is a no-op where flock is unavailable: there the caller must
// ensure a single writer per state file.
func lockFile(string) (func(), error) { return func() {}, nil }
