package delta

import (
	"fmt"
	"io"
)

// oldWindow caches a window of the old image across records. Without it
// every add run cost one ReadAt (a pread for a file), so a patch of a few
// KB whose records each add one byte bought seconds of CPU per MB of
// output; with it a run inside the window is a copy. A window is read
// forwards when a run continues where the window ends (sequential
// reading), and around the run otherwise, only oldJumpRead bytes, so a
// patch that jumps between distant offsets pays for small reads.
type oldWindow struct {
	r    io.ReaderAt
	size int64  // old image size
	buf  []byte // len(buf) is the window's capacity
	off  int64  // old offset of buf[0]
	n    int    // bytes of buf that hold old[off:off+n]
}

// oldJumpRead is how much of the old image is read around a run that is
// neither cached nor a continuation of the window.
const oldJumpRead = 1 << 10

func newOldWindow(r io.ReaderAt, size int64, capacity int) *oldWindow {
	return &oldWindow{r: r, size: size, buf: make([]byte, capacity)}
}

// get returns old[off:off+k]; the caller checked 0 <= off, off+k <= size
// and k <= len(w.buf). The slice is valid until the next get and must not
// be modified.
func (w *oldWindow) get(off int64, k int) ([]byte, error) {
	if off >= w.off && off+int64(k) <= w.off+int64(w.n) {
		return w.buf[off-w.off:][:k], nil
	}
	start, length := off, int64(len(w.buf))
	if off != w.off+int64(w.n) {
		length = int64(max(k, oldJumpRead))
		start = max(0, off-(length-int64(k))/2)
	}
	length = min(length, w.size-start)
	w.n = 0
	if err := readFullAt(w.r, w.buf[:length], start); err != nil {
		return nil, err
	}
	w.off, w.n = start, int(length)
	return w.buf[off-start:][:k], nil
}

// invalidate forgets the cached window (its buffer was used for something
// else).
func (w *oldWindow) invalidate() { w.off, w.n = 0, 0 }

func readFullAt(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("delta: reading old image at %d: %w", off, err)
}
