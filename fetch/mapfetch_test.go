package fetch

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/process"
)

func TestMapFetcherServesListedURIsFromFiles(t *testing.T) {
	dir := t.TempDir()
	fw := filepath.Join(dir, "fw.bin")
	if err := os.WriteFile(fw, []byte("firmware"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &MapFetcher{Files: map[string]string{
		"http://example.com/fw.bin": fw,
		"http://example.com/gone":   filepath.Join(dir, "missing"),
		"http://example.com/dir":    dir,
	}}
	rc, err := f.Fetch(context.Background(), "http://example.com/fw.bin", 100)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "firmware" {
		t.Fatalf("got %q, %v", b, err)
	}
	if _, err := f.Fetch(context.Background(), "http://example.com/fw.bin", 7); !errors.Is(err, process.ErrLimit) {
		t.Errorf("over the cap: %v, want ErrLimit", err)
	}
	for _, u := range []string{"http://example.com/gone", "http://example.com/dir"} {
		if _, err := f.Fetch(context.Background(), u, 100); !errors.Is(err, process.ErrOperation) {
			t.Errorf("%s: %v, want ErrOperation", u, err)
		}
	}
	// Exact match only: no normalisation turns an unlisted URI into a listed one.
	for _, u := range []string{"https://example.com/fw.bin", "http://EXAMPLE.com/fw.bin", "http://example.com/fw.bin?x", ""} {
		if _, err := f.Fetch(context.Background(), u, 100); !errors.Is(err, process.ErrUnsupported) {
			t.Errorf("%q: %v, want ErrUnsupported", u, err)
		}
	}
	var zero MapFetcher
	if _, err := zero.Fetch(context.Background(), "http://example.com/fw.bin", 100); !errors.Is(err, process.ErrUnsupported) {
		t.Errorf("zero value: %v, want ErrUnsupported", err)
	}
}

func TestMapFetcherFallsBackToNext(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "other.bin"), []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &MapFetcher{Next: &URIFetcher{FileRoot: root}}
	rc, err := f.Fetch(context.Background(), "file:///other.bin", 100)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "other" {
		t.Fatalf("got %q", b)
	}
}

func TestMapFetcherHonoursCancelledContext(t *testing.T) {
	fw := filepath.Join(t.TempDir(), "fw.bin")
	os.WriteFile(fw, []byte("x"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &MapFetcher{Files: map[string]string{"u": fw}}
	if _, err := f.Fetch(ctx, "u", 100); err == nil {
		t.Fatal("fetch succeeded on a cancelled context")
	}
}
