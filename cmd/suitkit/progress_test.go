package main

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRenderProgressBar(t *testing.T) {
	got := renderProgress("patching", 12<<20, 24<<20, 1500*time.Millisecond)
	for _, want := range []string{"patching", "[==============>               ]", " 50%", "12.0 MiB / 24.0 MiB", "1.5s"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := renderProgress("p", 30, 30, 0); !strings.Contains(got, "[==============================] 100%") {
		t.Errorf("complete bar: %q", got)
	}
	// Out-of-range counts are clamped, never a panic or a bar over 100%.
	if got := renderProgress("p", 99, 30, 0); !strings.Contains(got, "100%") {
		t.Errorf("overfull bar: %q", got)
	}
	if got := renderProgress("p", -5, 30, 0); !strings.Contains(got, "  0%") {
		t.Errorf("negative bar: %q", got)
	}
	// Unknown total: bytes and elapsed time only.
	if got := renderProgress("diffing", 0, 0, 2*time.Second); !strings.Contains(got, "2.0s") || strings.Contains(got, "[") || strings.Contains(got, "MiB") {
		t.Errorf("unknown total, nothing written: %q", got)
	}
	if got := renderProgress("diffing", 3<<20, 0, 2*time.Second); !strings.Contains(got, "wrote 3.0 MiB") || strings.Contains(got, "[") {
		t.Errorf("unknown total: %q", got)
	}
}

func TestProgressQuietWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	if p := startProgress(&buf, "x", 100, 1<<30); p != nil {
		t.Fatal("progress started on a bytes.Buffer")
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	if isTerminal(devnull) {
		t.Error("/dev/null taken for a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) {
		t.Error("a pipe taken for a terminal")
	}
	// A nil bar is safe to use.
	var nilBar *progress
	nilBar.add(5)
	nilBar.finish()
	n, err := progressWriter{w: &buf, p: nilBar}.Write([]byte("abc"))
	if n != 3 || err != nil || buf.String() != "abc" {
		t.Errorf("progressWriter with nil bar: %d %v %q", n, err, buf.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the bar's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressBarCountsWritesAndEndsTheLine(t *testing.T) {
	var out syncBuffer
	p := newProgress(&out, "patching", 1000)
	var sink bytes.Buffer
	pw := progressWriter{w: &sink, p: p}
	for range 10 {
		pw.Write(make([]byte, 100))
	}
	time.Sleep(progressInterval + 50*time.Millisecond)
	p.finish()
	s := out.String()
	if !strings.HasPrefix(s, "\r") || !strings.HasSuffix(s, "\n") {
		t.Fatalf("bar output %q should redraw with \\r and end with a newline", s)
	}
	last := s[strings.LastIndex(s, "\r"):]
	if !strings.Contains(last, "100%") {
		t.Errorf("final bar %q is not at 100%%", last)
	}
	if sink.Len() != 1000 {
		t.Errorf("progressWriter passed on %d bytes, want 1000", sink.Len())
	}
}
