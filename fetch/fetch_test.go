package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/suitkit/suitkit/process"
)

func TestEndlessDataFromHTTPFetchIsCut(t *testing.T) {
	var served int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 4096)
		for served < 64<<20 { // the client must hang up long before this
			n, err := w.Write(buf)
			served += int64(n)
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	f := &URIFetcher{Client: srv.Client()}
	rc, err := f.Fetch(context.Background(), srv.URL+"/fw.bin", 10000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if !errors.Is(err, process.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	if len(got) > 10000 {
		t.Fatalf("got %d bytes, more than the cap", len(got))
	}
}

func TestHTTPFetchContentLengthOverCapRejectedEarly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.Write(make([]byte, 5000))
	}))
	defer srv.Close()
	f := &URIFetcher{Client: srv.Client()}
	if _, err := f.Fetch(context.Background(), srv.URL, 100); !errors.Is(err, process.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	rc, err := f.Fetch(context.Background(), srv.URL, 5000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || len(b) != 5000 {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	if _, err := f.Fetch(context.Background(), srv404.URL, 100); !errors.Is(err, process.ErrOperation) {
		t.Fatalf("404: %v, want ErrOperation", err)
	}
}

func TestHTTPFetchHonoursCancellation(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	f := &URIFetcher{Client: srv.Client()}
	start := time.Now()
	rc, err := f.Fetch(ctx, srv.URL, 100)
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Fatal("fetch succeeded despite cancellation")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
}

func TestFileFetchConfinedToRoot(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(root, "fw.bin"), []byte("firmware"), 0o644)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "link"))

	if _, err := (&URIFetcher{}).Fetch(context.Background(), "file://"+filepath.Join(root, "fw.bin"), 100); !errors.Is(err, process.ErrUnsupported) {
		t.Fatalf("file:// without root: %v, want ErrUnsupported", err)
	}
	f := &URIFetcher{FileRoot: root}
	rc, err := f.Fetch(context.Background(), "file:///fw.bin", 100)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "firmware" {
		t.Fatalf("got %q", b)
	}
	for _, u := range []string{"file:///../" + filepath.Base(outside) + "/secret", "file:///link", "file:///%2e%2e/secret"} {
		if rc, err := f.Fetch(context.Background(), u, 100); err == nil {
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) == "secret" {
				t.Errorf("%s escaped the file root", u)
			}
		}
	}
	if _, err := f.Fetch(context.Background(), "file:///fw.bin", 3); !errors.Is(err, process.ErrLimit) {
		t.Fatalf("oversized file: %v, want ErrLimit", err)
	}
	if _, err := f.Fetch(context.Background(), "ftp://x/y", 3); !errors.Is(err, process.ErrUnsupported) {
		t.Fatalf("ftp: %v, want ErrUnsupported", err)
	}
}

// TestFileURIAbsolutePathInsideRoot: file:///ROOT/x names ROOT/x (the
// absolute path it looks like), file:///x stays root-relative, an absolute
// path outside the root is refused saying where file:// paths resolve, and
// no message repeats the URI (the processor names it).
func TestFileURIAbsolutePathInsideRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "fw.bin"), []byte("firmware"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(root)
	f := &URIFetcher{FileRoot: root}
	for _, u := range []string{"file://" + filepath.ToSlash(abs) + "/fw.bin", "file:///fw.bin"} {
		rc, err := f.Fetch(context.Background(), u, 100)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "firmware" {
			t.Errorf("%s: read %q", u, b)
		}
	}
	u := "file:///etc/hostname-not-in-root"
	_, err := f.Fetch(context.Background(), u, 100)
	if !errors.Is(err, process.ErrOperation) || !strings.Contains(err.Error(), "file root") || strings.Contains(err.Error(), u) || strings.Count(err.Error(), "etc/hostname-not-in-root") != 1 {
		t.Errorf("outside the root: %v", err)
	}
}
