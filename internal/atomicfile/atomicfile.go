package atomicfile

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// ErrDone is returned by a write or commit after [File.Commit] or
// [File.Abort].
var ErrDone = errors.New("atomicfile: file already committed or aborted")

// Options tune [Create]. The zero value (or a nil *Options) gives the
// defaults.
type Options struct {
	// TempPrefix starts the temporary file's name (random characters
	// follow). Empty means TempPrefix(path).
	TempPrefix string
	// NoReplace makes Commit fail, with an error matching fs.ErrExist,
	// when the target already exists, instead of replacing it.
	NoReplace bool
}

// TempPrefix returns the default prefix of the temporary files written for
// path: "." + the base name + ".tmp-".
func TempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// File is a replacement of one file in progress. Write the new content,
// then call Commit to put it in place or Abort (or Close) to drop it.
//
// Abort and Close may be called from another goroutine while a Write or
// Commit is in progress (a signal handler stopping a program, for
// example): the calls are serialised, so either Commit finishes first and
// the target holds the whole new content, or Abort does and the target is
// left as it was; a half-written target is impossible either way.
type File struct {
	mu        sync.Mutex // held by Write, Commit and Abort
	f         *os.File
	path      string
	noReplace bool
	done      bool
	group     *Group // nil unless made by Group.Create
}

// Create starts replacing path. The temporary file is created in path's
// directory with mode perm (exactly: the umask does not apply).
func Create(path string, perm fs.FileMode, opt *Options) (*File, error) {
	if opt == nil {
		opt = &Options{}
	}
	prefix := opt.TempPrefix
	if prefix == "" {
		prefix = TempPrefix(path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), prefix+"*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{f: f, path: path, noReplace: opt.NoReplace}, nil
}

// Name returns the temporary file's name.
func (t *File) Name() string { return t.f.Name() }

// Write appends p to the new content.
func (t *File) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return 0, ErrDone
	}
	return t.f.Write(p)
}

// Commit makes the written content the target's: fsync, close, rename (or
// link, with NoReplace), fsync the directory. The temporary file is gone
// afterwards whether or not Commit succeeds.
func (t *File) Commit() error {
	t.mu.Lock()
	err := t.commit()
	t.mu.Unlock()
	t.group.forget(t)
	return err
}

func (t *File) commit() (err error) {
	if t.done {
		return ErrDone
	}
	t.done = true
	name := t.f.Name()
	defer func() {
		if err != nil || t.noReplace {
			os.Remove(name)
		}
	}()
	if err := t.f.Sync(); err != nil {
		t.f.Close()
		return err
	}
	if err := t.f.Close(); err != nil {
		return err
	}
	if t.noReplace {
		if err := os.Link(name, t.path); err != nil {
			return err
		}
	} else if err := os.Rename(name, t.path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(t.path))
}

// Abort drops the written content and removes the temporary file; the
// target is left as it was. It does nothing after Commit or Abort.
func (t *File) Abort() error {
	_, err := t.abort()
	t.group.forget(t)
	return err
}

// Close is Abort: it makes "defer f.Close()" drop the temporary file on
// every path that does not reach Commit. After Commit it does nothing.
func (t *File) Close() error { return t.Abort() }

// abort aborts t unless it is already committed or aborted, and reports
// whether it did.
func (t *File) abort() (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false, nil
	}
	t.done = true
	t.f.Close()
	return true, os.Remove(t.f.Name())
}

// WriteFile replaces path with data, mode perm, atomically.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	t, err := Create(path, perm, nil)
	if err != nil {
		return err
	}
	if _, err := t.Write(data); err != nil {
		t.Abort()
		return err
	}
	return t.Commit()
}

// WriteFunc replaces path, mode perm, atomically with what fill writes
// through a buffered writer. When fill fails, path is left as it was and
// fill's error is returned.
func WriteFunc(path string, perm fs.FileMode, fill func(io.Writer) error) error {
	t, err := Create(path, perm, nil)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(t, 64<<10)
	if err := fill(bw); err != nil {
		t.Abort()
		return err
	}
	if err := bw.Flush(); err != nil {
		t.Abort()
		return err
	}
	return t.Commit()
}
