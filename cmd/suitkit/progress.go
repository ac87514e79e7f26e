package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progressMinBytes is the input size from which diff and patch show progress
// on a terminal; smaller jobs finish before a bar would be useful.
const progressMinBytes = 4 << 20

// progressInterval is how often the bar is redrawn.
const progressInterval = 200 * time.Millisecond

// isTerminal reports whether w is a character device other than /dev/null,
// without any dependency beyond os.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}

// progress draws a one-line progress bar on a terminal. A nil *progress is
// valid and does nothing, so callers need no checks when output is quiet.
type progress struct {
	w     io.Writer
	label string
	total int64 // bytes expected; 0 means unknown (elapsed time only)
	start time.Time
	done  atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
}

// startProgress returns a running progress bar on stderr when stderr is a
// terminal and size (the job's input size) is at least progressMinBytes;
// otherwise nil.
func startProgress(stderr io.Writer, label string, total, size int64) *progress {
	if size < progressMinBytes || !isTerminal(stderr) {
		return nil
	}
	return newProgress(stderr, label, total)
}

// newProgress starts a bar on w unconditionally.
func newProgress(w io.Writer, label string, total int64) *progress {
	p := &progress{w: w, label: label, total: total, start: time.Now(), stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

// add records n more bytes done.
func (p *progress) add(n int64) {
	if p != nil {
		p.done.Add(n)
	}
}

// finish stops the bar, draws its final state and ends the line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.draw()
	p.mu.Lock()
	fmt.Fprintln(p.w)
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r"+renderProgress(p.label, p.done.Load(), p.total, time.Since(p.start)))
}

// renderProgress formats one line of the bar, padded so that it overwrites
// a previous, longer line.
func renderProgress(label string, done, total int64, elapsed time.Duration) string {
	const width = 30
	secs := fmt.Sprintf("%.1fs", elapsed.Seconds())
	if total <= 0 {
		if done > 0 {
			return fmt.Sprintf("%-10s %s, wrote %s    ", label, secs, mib(done))
		}
		return fmt.Sprintf("%-10s %s    ", label, secs)
	}
	done = min(max(done, 0), total)
	fill := int(done * width / total)
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	if fill > 0 && fill < width {
		bar = bar[:fill-1] + ">" + bar[fill:]
	}
	return fmt.Sprintf("%-10s [%s] %3d%%  %s / %s  %s    ", label, bar, done*100/total, mib(done), mib(total), secs)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// progressWriter counts the bytes written through it into a progress bar.
type progressWriter struct {
	w io.Writer
	p *progress
}

func (pw progressWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.p.add(int64(n))
	return n, err
}
