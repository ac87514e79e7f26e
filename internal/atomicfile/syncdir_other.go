//go:build !unix

package atomicfile

// SyncDir does nothing where directories cannot be opened for fsync.
func SyncDir(string) error { return nil }
