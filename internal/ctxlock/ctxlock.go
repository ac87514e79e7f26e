// Package ctxlock is a mutual-exclusion lock whose Lock waits only as long
// as a context allows: the device lock of in-memory and simulated storages.
package ctxlock

import (
	"context"
	"sync"
)

// Mutex is an exclusive lock. The zero value is unlocked and ready to use;
// a Mutex must not be copied after first use.
type Mutex struct {
	once sync.Once
	ch   chan struct{}
}

// Lock takes the lock, waiting until it is free or ctx is done (then the
// error is ctx.Err()). It returns the function that releases the lock;
// calling that function more than once is harmless.
func (m *Mutex) Lock(ctx context.Context) (unlock func(), err error) {
	m.once.Do(func() { m.ch = make(chan struct{}, 1) })
	select {
	case m.ch <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-m.ch }) }, nil
}
