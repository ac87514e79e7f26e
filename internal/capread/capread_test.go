package capread

import (
	"errors"
	"io"
	"strings"
	"testing"
)

var errOver = errors.New("over")

// zeros is an endless reader that counts what was read from it.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

func TestReaderCutsAtMaxPlusOne(t *testing.T) {
	for _, max := range []int64{0, 1, 1000, 1 << 20} {
		src := &zeros{}
		got, err := io.ReadAll(New(src, max, errOver))
		if !errors.Is(err, errOver) || int64(len(got)) != max || src.n > max+1 {
			t.Fatalf("max %d: %d bytes, read %d from the source, err %v", max, len(got), src.n, err)
		}
	}
	// Exactly max bytes, and fewer, pass.
	for _, n := range []int{0, 999, 1000} {
		got, err := io.ReadAll(New(strings.NewReader(strings.Repeat("x", n)), 1000, errOver))
		if err != nil || len(got) != n {
			t.Fatalf("%d bytes: got %d, %v", n, len(got), err)
		}
	}
	// Once over, always over.
	r := New(strings.NewReader("abc"), 2, errOver)
	io.ReadAll(r)
	if n, err := r.Read(make([]byte, 8)); n != 0 || !errors.Is(err, errOver) {
		t.Fatalf("after the cap: %d, %v", n, err)
	}
}
