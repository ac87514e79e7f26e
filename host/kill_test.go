package host

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/suitkit/suitkit/process"
)

// killImages are the two contents the child alternates between.
func killImages() [2][]byte {
	a := bytes.Repeat([]byte("A"), 3<<20)
	b := bytes.Repeat([]byte("b"), 2<<20+17)
	return [2][]byte{a, b}
}

// TestDirStorageSurvivesSIGKILL (threats P6): a child process keeps
// replacing a component with one of two images through Stage/Commit; the
// parent kills it at a random moment. Reopening the directory must find
// one of the two images complete, never a mix or a truncated file.
func TestDirStorageSurvivesSIGKILL(t *testing.T) {
	if dir := os.Getenv("SUITKIT_KILL_CHILD_DIR"); dir != "" {
		killChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("subprocess test")
	}
	imgs := killImages()
	found := 0
	for i, delay := range []time.Duration{30 * time.Millisecond, 170 * time.Millisecond, 600 * time.Millisecond, 1500 * time.Millisecond} {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestDirStorageSurvivesSIGKILL$")
		cmd.Env = append(os.Environ(), "SUITKIT_KILL_CHILD_DIR="+dir)
		progress, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			// The last run is killed only after the child reported its
			// first commit, so that a slow machine (-race, a loaded CI
			// runner) still tests a kill between two committed images.
			first := make(chan struct{})
			go func() { progress.Read(make([]byte, 1)); close(first) }()
			select {
			case <-first:
			case <-time.After(2 * time.Minute):
			}
			delay = time.Duration(rand.Int64N(int64(50 * time.Millisecond)))
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		s, err := OpenDirStorage(dir)
		if err != nil {
			t.Fatalf("run %d: reopen: %v", i, err)
		}
		c, err := s.Open([][]byte{{0}})
		if err == process.ErrNoContent {
			continue // killed before the first commit
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(io.NewSectionReader(c, 0, c.Size()))
		c.Close()
		if !bytes.Equal(got, imgs[0]) && !bytes.Equal(got, imgs[1]) {
			t.Fatalf("run %d (kill after %v): component holds %d bytes that are neither image", i, delay, len(got))
		}
		found++
	}
	if found == 0 {
		t.Fatal("the child never committed an image before it was killed; the test proved nothing")
	}
}

func killChild(dir string) {
	s, err := OpenDirStorage(dir)
	if err != nil {
		os.Exit(3)
	}
	imgs := killImages()
	for i := 0; ; i++ {
		st, err := s.Stage([][]byte{{0}})
		if err != nil {
			os.Exit(3)
		}
		img := imgs[i%2]
		for off := 0; off < len(img); off += 64 << 10 {
			st.Write(img[off:min(off+64<<10, len(img))])
		}
		if err := st.Commit(); err != nil {
			os.Exit(3)
		}
		os.Stderr.WriteString(strconv.Itoa(i))
	}
}
