//go:build unix

package lockfile

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

// Lock takes an exclusive advisory lock (flock) on path, creating the file
// (mode 0600) if it is missing, and returns the function that releases it;
// calling that function more than once is harmless. While another holder
// has the lock, Lock waits until it is released or ctx is done, and then
// fails with an error matching ctx.Err(). flock locks belong to the open
// file, so two Lock calls in one process exclude each other as two
// processes do, and the kernel releases the lock of a process that dies.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	return lock(path, func(f *os.File) error {
		if ctx.Done() == nil {
			return flock(f, syscall.LOCK_EX) // cannot be cancelled: block in the kernel
		}
		return waitLock(ctx, f)
	})
}

// TryLock is Lock without waiting: when another holder has the lock it
// fails at once with an error matching ErrHeld.
func TryLock(path string) (unlock func(), err error) {
	return lock(path, func(f *os.File) error {
		err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrHeld
		}
		return err
	})
}

func lock(path string, take func(*os.File) error) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := take(f); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "lock", Path: path, Err: err}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			flock(f, syscall.LOCK_UN)
			f.Close()
		})
	}, nil
}

// waitLock polls a non-blocking flock, backing off from 1 ms to 50 ms,
// until it succeeds or ctx is done.
func waitLock(ctx context.Context, f *os.File) error {
	delay := time.Millisecond
	for {
		err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
