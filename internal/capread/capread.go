// Package capread caps how much of a stream a reader passes on: the
// processor applies it to every payload it stages and the URI fetcher to
// every body it returns, so that an endless or oversized source is cut
// after max+1 bytes at the latest.
package capread

import "io"

// Reader returns at most Max bytes of R; when R has more, the read that
// would pass byte Max+1 returns what fits and Over, and every later read
// returns Over. It never reads more than Max+1 bytes from R.
type Reader struct {
	R    io.Reader
	Max  int64
	Over error

	n    int64
	over bool
}

// New returns a Reader for r that fails with over after max bytes. Its
// Close closes r if r is an io.Closer.
func New(r io.Reader, max int64, over error) *Reader {
	return &Reader{R: r, Max: max, Over: over}
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	if r.over {
		return 0, r.Over
	}
	room := r.Max + 1 - r.n
	if room <= 0 {
		r.over = true
		return 0, r.Over
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := r.R.Read(p)
	r.n += int64(n)
	if r.n > r.Max {
		r.over = true
		return n - int(r.n-r.Max), r.Over
	}
	return n, err
}

// Close closes the underlying reader if it has a Close method.
func (r *Reader) Close() error {
	if c, ok := r.R.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
