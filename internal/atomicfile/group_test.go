package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestGroupAbortAllDropsEveryOpenFile: what an interrupted program relies
// on: after AbortAll no temporary file is left, a committed target keeps its
// new content, an uncommitted target keeps its old one, the aborted file's
// later Write and Commit fail, and no new file can be started.
func TestGroupAbortAllDropsEveryOpenFile(t *testing.T) {
	dir := t.TempDir()
	done, open := filepath.Join(dir, "done"), filepath.Join(dir, "open")
	if err := WriteFile(open, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var g Group
	f1, err := g.Create(done, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	f1.Write([]byte("committed"))
	if err := f1.Commit(); err != nil {
		t.Fatal(err)
	}
	f2, err := g.Create(open, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	f2.Write([]byte("half"))
	stop := errors.New("interrupted")
	if n := g.AbortAll(stop); n != 1 {
		t.Fatalf("AbortAll aborted %d files, want 1", n)
	}
	noTemps(t, dir, "done", "open")
	if got := readString(t, done); got != "committed" {
		t.Fatalf("committed target holds %q", got)
	}
	if got := readString(t, open); got != "old" {
		t.Fatalf("aborted target holds %q, want its old content", got)
	}
	if _, err := f2.Write([]byte("more")); !errors.Is(err, ErrDone) {
		t.Fatalf("Write after AbortAll: %v, want ErrDone", err)
	}
	if err := f2.Commit(); !errors.Is(err, ErrDone) {
		t.Fatalf("Commit after AbortAll: %v, want ErrDone", err)
	}
	if _, err := g.Create(filepath.Join(dir, "late"), 0o644, nil); !errors.Is(err, stop) {
		t.Fatalf("Create after AbortAll: %v, want the AbortAll error", err)
	}
	noTemps(t, dir, "done", "open")
	if n := g.AbortAll(nil); n != 0 {
		t.Fatalf("second AbortAll aborted %d files", n)
	}
}

// TestGroupAbortAllRacesWriteAndCommit runs AbortAll against writers that
// are mid-Write or mid-Commit (meant for -race): each target ends either
// absent or whole, and no temporary file remains.
func TestGroupAbortAllRacesWriteAndCommit(t *testing.T) {
	dir := t.TempDir()
	var g Group
	const n = 8
	want := make([]byte, 64<<10)
	for i := range want {
		want[i] = byte(i)
	}
	if err := os.Mkdir(filepath.Join(dir, "t"), 0o755); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	started := make(chan struct{}, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := g.Create(filepath.Join(dir, "t", string(rune('a'+i))), 0o644, nil)
			started <- struct{}{}
			if err != nil {
				return
			}
			defer f.Close()
			for j := 0; j < len(want); j += 1 << 10 {
				if _, err := f.Write(want[j : j+1<<10]); err != nil {
					return
				}
			}
			f.Commit()
		}()
	}
	<-started
	g.AbortAll(nil)
	wg.Wait()
	ents, err := os.ReadDir(filepath.Join(dir, "t"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, "t", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Name()) != 1 || string(b) != string(want) {
			t.Fatalf("after AbortAll the directory holds %s (%d bytes): a temporary file or a partial target", e.Name(), len(b))
		}
	}
}

// TestCloseWithoutCommitRemovesTemp: Close is Abort before Commit and a
// no-op after it.
func TestCloseWithoutCommitRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x")
	f, err := Create(p, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("partial"))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	noTemps(t, dir)
	f, err = Create(p, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("whole"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, p); got != "whole" {
		t.Fatalf("Close after Commit changed the target: %q", got)
	}
}
