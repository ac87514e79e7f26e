// Package fetch is the host adapter that retrieves payloads for the
// processor: a process.Fetcher for file:// URIs (confined to a root
// directory) and http(s):// URIs. It lives apart from the processing engine
// so that a device that only installs integrated payloads ("#name", which
// the processor resolves itself) does not link net/http.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/suitkit/suitkit/internal/capread"
	"github.com/suitkit/suitkit/process"
)

// URIFetcher is a process.Fetcher for file:// and http(s):// URIs. The
// zero value fetches http and https with a 5-minute overall timeout and
// refuses file:// URIs. Its fields are read, never written, so one
// URIFetcher may serve concurrent runs.
type URIFetcher struct {
	// Client is used for http and https; nil means a client with a
	// 5-minute timeout.
	Client *http.Client
	// FileRoot, when set, allows file:// URIs for files inside this
	// directory (resolved with os.Root, so neither ".." nor a symbolic
	// link can escape it). A URI whose path is an absolute path inside
	// the root (file:///srv/updates/fw.bin with FileRoot /srv/updates)
	// names that file; any other path is taken relative to the root
	// (file:///fw.bin is FileRoot/fw.bin). Empty refuses every file:// URI.
	FileRoot string
}

// defaultTimeout bounds a whole http(s) fetch when Client is nil.
const defaultTimeout = 5 * time.Minute

// Fetch implements process.Fetcher. It fails with an error matching
// process.ErrLimit as soon as the payload is known to exceed max bytes (a
// Content-Length, a file size, or the (max+1)th byte read), with
// process.ErrUnsupported for a scheme or file:// URI it does not serve, and
// with process.ErrOperation for anything else.
func (f *URIFetcher) Fetch(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, errf(process.ErrOperation, "bad URI %q: %v", uri, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		return f.fetchFile(u, max)
	case "http", "https":
		return f.fetchHTTP(ctx, uri, max)
	default:
		return nil, errf(process.ErrUnsupported, "URI scheme %q", u.Scheme)
	}
}

func (f *URIFetcher) fetchFile(u *url.URL, max int64) (io.ReadCloser, error) {
	if f.FileRoot == "" {
		return nil, errf(process.ErrUnsupported, "file:// URIs are not allowed (no file root configured)")
	}
	if u.Host != "" && u.Host != "localhost" {
		return nil, errf(process.ErrUnsupported, "file URI with host %q", u.Host)
	}
	root, err := os.OpenRoot(f.FileRoot)
	if err != nil {
		return nil, errf(process.ErrOperation, "file root: %v", err)
	}
	defer root.Close()
	p := path.Clean("/" + u.Path)
	if abs, err := filepath.Abs(f.FileRoot); err == nil {
		abs = filepath.ToSlash(abs)
		if r, ok := strings.CutPrefix(p, strings.TrimSuffix(abs, "/")+"/"); ok && abs != "/" {
			p = "/" + r // an absolute path inside the root
		}
	}
	rel := strings.TrimPrefix(p, "/")
	if rel == "" {
		rel = "."
	}
	// The caller names the URI; these messages say what went wrong.
	file, err := root.Open(rel)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errf(process.ErrOperation, "%s in the file root %s: %v (file:// paths are the root's files, or absolute paths inside it)", rel, f.FileRoot, err)
	}
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, errf(process.ErrOperation, "%s in the file root %s is not a regular file", rel, f.FileRoot)
	}
	if st.Size() > max {
		file.Close()
		return nil, errf(process.ErrLimit, "%d bytes, more than the limit %d", st.Size(), max)
	}
	return capped(file, max), nil
}

func (f *URIFetcher) fetchHTTP(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, errf(process.ErrOperation, "%v", err)
	}
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: defaultTimeout}
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the method and the URI the caller names
		}
		return nil, errf(process.ErrOperation, "%v", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errf(process.ErrOperation, "HTTP status %s", resp.Status)
	}
	if resp.ContentLength > max {
		resp.Body.Close()
		return nil, errf(process.ErrLimit, "Content-Length %d, more than the limit %d", resp.ContentLength, max)
	}
	return capped(resp.Body, max), nil
}

// capped cuts body after max bytes with an error matching process.ErrLimit.
func capped(body io.ReadCloser, max int64) io.ReadCloser {
	return capread.New(body, max, errf(process.ErrLimit, "payload larger than %d bytes", max))
}

// errf returns an error matching sentinel, worded like the processor's.
func errf(sentinel error, format string, a ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...))
}
