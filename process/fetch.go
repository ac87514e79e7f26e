package process

import (
	"context"

	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"
)

// URIFetcher fetches file:// and http(s):// URIs. The zero value fetches
// http and https with a 5-minute overall timeout and refuses file:// URIs.
type URIFetcher struct {
	// Client is used for http and https; nil means a client with a
	// 5-minute timeout.
	Client *http.Client
	// FileRoot, when set, allows file:// URIs for files inside this
	// directory (resolved with os.Root, so neither ".." nor a symbolic
	// link can escape it). Empty refuses every file:// URI.
	FileRoot string
}

var defaultHTTPClient = &http.Client{Timeout: 5 * time.Minute}

// Fetch implements Fetcher. It fails with ErrLimit as soon as the payload
// is known to exceed max bytes (a Content-Length, a file size, or the
// (max+1)th byte read), and with ErrOperation for anything else.
func (f *URIFetcher) Fetch(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, errf(ErrOperation, "bad URI %q: %v", uri, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		return f.fetchFile(u, max)
	case "http", "https":
		return f.fetchHTTP(ctx, uri, max)
	default:
		return nil, errf(ErrUnsupported, "URI scheme %q", u.Scheme)
	}
}

func (f *URIFetcher) fetchFile(u *url.URL, max int64) (io.ReadCloser, error) {
	if f.FileRoot == "" {
		return nil, errf(ErrUnsupported, "file:// URIs are not allowed (no file root configured)")
	}
	if u.Host != "" && u.Host != "localhost" {
		return nil, errf(ErrUnsupported, "file URI with host %q", u.Host)
	}
	root, err := os.OpenRoot(f.FileRoot)
	if err != nil {
		return nil, errf(ErrOperation, "file root: %v", err)
	}
	defer root.Close()
	rel := strings.TrimPrefix(path.Clean("/"+u.Path), "/")
	if rel == "" {
		rel = "."
	}
	file, err := root.Open(rel)
	if err != nil {
		return nil, errf(ErrOperation, "fetch %s: %v", u, err)
	}
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, errf(ErrOperation, "fetch %s: not a regular file", u)
	}
	if st.Size() > max {
		file.Close()
		return nil, errf(ErrLimit, "fetch %s: %d bytes, more than the limit %d", u, st.Size(), max)
	}
	return &capReader{r: file, c: file, max: max}, nil
}

func (f *URIFetcher) fetchHTTP(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, errf(ErrOperation, "fetch %s: %v", uri, err)
	}
	c := f.Client
	if c == nil {
		c = defaultHTTPClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, errf(ErrOperation, "fetch %s: %v", uri, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errf(ErrOperation, "fetch %s: HTTP status %s", uri, resp.Status)
	}
	if resp.ContentLength > max {
		resp.Body.Close()
		return nil, errf(ErrLimit, "fetch %s: Content-Length %d, more than the limit %d", uri, resp.ContentLength, max)
	}
	return &capReader{r: resp.Body, c: resp.Body, max: max}, nil
}

// capReader returns at most max bytes and then fails with ErrLimit if the
// underlying reader has more. It never reads more than max+1 bytes.
type capReader struct {
	r    io.Reader
	c    io.Closer
	max  int64
	n    int64
	over bool
}

func (r *capReader) Read(p []byte) (int, error) {
	if r.over {
		return 0, errf(ErrLimit, "payload larger than %d bytes", r.max)
	}
	room := r.max + 1 - r.n
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := r.r.Read(p)
	r.n += int64(n)
	if r.n > r.max {
		r.over = true
		n -= int(r.n - r.max)
		return n, errf(ErrLimit, "payload larger than %d bytes", r.max)
	}
	return n, err
}

func (r *capReader) Close() error {
	if r.c == nil {
		return nil
	}
	return r.c.Close()
}

// newCapReader wraps r so that reading more than max bytes fails.
func newCapReader(r io.Reader, max int64) io.ReadCloser {
	c, _ := r.(io.Closer)
	return &capReader{r: r, c: c, max: max}
}
