// Package lockfile takes exclusive advisory locks on files. It is the one
// home of the lock that verify's FileStore holds while it rewrites the
// anti-rollback state and of the device lock that host.DirStorage holds
// from verification to the last commit of an update.
package lockfile

import "errors"

// ErrHeld is returned by TryLock when another holder has the lock.
var ErrHeld = errors.New("lockfile: held by another holder")
