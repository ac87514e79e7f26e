package process

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// endless is an io.Reader of zeros that counts how much was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

func TestCapReaderStopsEndlessDataAtMaxPlusOne(t *testing.T) {
	src := &endless{}
	r := newCapReader(src, 1000)
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	if len(got) != 1000 {
		t.Fatalf("returned %d bytes, want 1000", len(got))
	}
	if src.n > 1001 {
		t.Fatalf("read %d bytes from the source, want at most 1001", src.n)
	}
	// Exactly max bytes is fine.
	r = newCapReader(strings.NewReader(strings.Repeat("x", 1000)), 1000)
	if got, err := io.ReadAll(r); err != nil || len(got) != 1000 {
		t.Fatalf("exact size: %d, %v", len(got), err)
	}
}
