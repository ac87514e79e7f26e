package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// noTemps fails when dir holds anything but the listed names.
func noTemps(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("directory holds %q, want %q", got, want)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileReplacesWithExactMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state")
	if err := WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, p); got != "new content" {
		t.Fatalf("content %q", got)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want 0644", st.Mode().Perm())
	}
	noTemps(t, dir, "state")
}

func TestFailedFillKeepsOldContentAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "img")
	if err := WriteFile(p, []byte("old image"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("source broke mid-stream")
	err := WriteFunc(p, 0o644, func(w io.Writer) error {
		if _, err := w.Write(make([]byte, 200<<10)); err != nil { // more than the buffer
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the fill error", err)
	}
	if got := readString(t, p); got != "old image" {
		t.Fatalf("target changed to %d bytes after a failed write", len(got))
	}
	noTemps(t, dir, "img")
}

func TestUncommittedContentInvisibleUntilCommit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(p, 0o644, &Options{TempPrefix: ".stage-"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), ".stage-") {
		t.Fatalf("temp name %s ignores TempPrefix", f.Name())
	}
	if _, err := f.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, p); got != "old" {
		t.Fatalf("target %q before commit", got)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, p); got != "new" {
		t.Fatalf("target %q after commit", got)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrDone) {
		t.Fatalf("write after commit: %v", err)
	}
	if err := f.Commit(); !errors.Is(err, ErrDone) {
		t.Fatalf("second commit: %v", err)
	}
	noTemps(t, dir, "f")
}

func TestAbortLeavesTargetAndRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	f, err := Create(p, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), TempPrefix(p)) {
		t.Fatalf("temp name %s lacks %s", f.Name(), TempPrefix(p))
	}
	f.Write([]byte("junk"))
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := f.Abort(); err != nil {
		t.Fatalf("second abort: %v", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("target exists after abort: %v", err)
	}
	noTemps(t, dir)
}

func TestNoReplaceRefusesExistingTarget(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key")
	for i, want := range []error{nil, fs.ErrExist} {
		f, err := Create(p, 0o600, &Options{NoReplace: true})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte{byte('a' + i)})
		if err := f.Commit(); !errors.Is(err, want) && err != want {
			t.Fatalf("commit %d: %v, want %v", i, err, want)
		}
	}
	if got := readString(t, p); got != "a" {
		t.Fatalf("existing target overwritten: %q", got)
	}
	noTemps(t, dir, "key")
}

func TestCreateInMissingDirFails(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "such", "f")
	if err := WriteFile(p, []byte("x"), 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestFailedRenameLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(p, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("x"), 0o644); err == nil {
		t.Fatal("renaming a file over a non-empty directory succeeded")
	}
	noTemps(t, dir, "busy")
}
