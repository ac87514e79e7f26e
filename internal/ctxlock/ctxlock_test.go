package ctxlock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestMutexExcludesAndHonoursContext(t *testing.T) {
	var m Mutex
	unlock, err := m.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held: %v", err)
	}
	unlock()
	unlock() // harmless
	// Many goroutines: never two inside at once.
	var wg sync.WaitGroup
	inside, max := 0, 0
	var mu sync.Mutex
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := m.Lock(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			max = maxInt(max, inside)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			u()
		}()
	}
	wg.Wait()
	if max != 1 {
		t.Fatalf("%d holders at once", max)
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
