package differ_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/differ"
)

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (w *countWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// A Diff cancelled while it scans stops with the context's error, long
// before an uncancelled Diff of the same inputs would finish, and writes
// no patch bytes (the header is written only once every block is made).
func TestDiffStopsWhenCancelled(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	// A small old image (its suffix array, which is not interrupted, is
	// cheap) and a large unrelated new one: every position of new needs a
	// suffix-array search, so the scan dominates.
	old := make([]byte, 256<<10)
	for i := range old {
		old[i] = byte(rng.IntN(256))
	}
	new := make([]byte, 4<<20)
	for i := range new {
		new[i] = byte(rng.IntN(256))
	}
	start := time.Now()
	var full countWriter
	if err := differ.Diff(context.Background(), old, new[:1<<20], &full, &differ.Options{FastCompression: true, Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	quarter := time.Since(start) // a quarter of the input, uncancelled

	ctx, cancel := context.WithCancel(context.Background())
	var w countWriter
	done := make(chan error, 1)
	start = time.Now()
	go func() { done <- differ.Diff(ctx, old, new, &w, &differ.Options{FastCompression: true, Concurrency: 1}) }()
	time.Sleep(quarter / 4)
	cancel()
	err := <-done
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Diff after cancel: err = %v, want context.Canceled", err)
	}
	if w.n != 0 {
		t.Errorf("cancelled Diff wrote %d bytes", w.n)
	}
	// Uncancelled, the whole input takes about 4x a quarter.
	if took > 3*quarter {
		t.Errorf("cancelled Diff took %v; a quarter of the input uncancelled takes %v", took, quarter)
	}
	t.Logf("quarter uncancelled %v, cancelled after %v, returned after %v", quarter, quarter/4, took)
}

// WriteBSDIFF40 observes its context too.
func TestWriteBSDIFF40Cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var b bytes.Buffer
	err := differ.WriteBSDIFF40(ctx, &b, []byte("old"), []byte("new"), nil)
	if !errors.Is(err, context.Canceled) || b.Len() != 0 {
		t.Fatalf("err = %v, %d bytes written; want context.Canceled and nothing", err, b.Len())
	}
}

// Two calls with different Concurrency run at once and give the same
// patch (nothing is shared between calls).
func TestConcurrentDiffsWithOwnConcurrency(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	old := make([]byte, 200<<10)
	for i := range old {
		old[i] = byte(rng.IntN(16))
	}
	new := bytes.Clone(old)
	for p := 0; p+4 < len(new); p += 97 {
		new[p]++
	}
	var a, b bytes.Buffer
	errs := make(chan error, 2)
	go func() { errs <- differ.Diff(context.Background(), old, new, &a, &differ.Options{Concurrency: 1}) }()
	go func() { errs <- differ.Diff(context.Background(), old, new, &b, &differ.Options{Concurrency: 4}) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("patches differ with the concurrency")
	}
	var out bytes.Buffer
	if err := delta.Apply(bytes.NewReader(old), int64(len(old)), &a, &out, nil); err != nil || !bytes.Equal(out.Bytes(), new) {
		t.Fatalf("apply: %v", err)
	}
}
