package host

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/internal/lockfile"
	"github.com/suitkit/suitkit/process"
)

const (
	stagePrefix  = ".stage-"
	swapJournal  = "swap.journal"
	swapTempName = ".swap-tmp"
)

// DirStorage is a process.Storage where each component is a file in one
// directory, named "comp" followed by ".<hex>" for each byte string of its
// identifier: [h'00'] is DIR/comp.00, ['usr','bin'] DIR/comp.757372.62696e
// (see Path). The name is reversible and never a path, so a manifest cannot
// address a file outside the directory; an identifier whose name would
// exceed 200 bytes is refused (process.ErrComponent). Every change is safe against power
// loss: new content is written to a temporary file, synced, renamed over
// the component's file and the directory is synced; a swap is journaled and
// finished (or found complete) after a crash.
//
// The device lock (Lock) is an exclusive flock on the file .device.lock in
// the directory, so runs in different processes, and different DirStorage
// values in one process, exclude each other; the kernel releases it when
// its holder dies. Whoever takes it first finishes an interrupted swap and
// removes the staging files (.stage-*) an interrupted run left: while the
// lock is held nobody else writes any. Stage, Swap and Unlink do not take
// the lock themselves; callers other than the processor that change a
// directory other runs may use must hold it.
type DirStorage struct {
	dir string
}

// LockFile is the name of the device lock file in a DirStorage directory.
const LockFile = ".device.lock"

// OpenDirStorage opens (creating it if needed) a directory device's
// storage. When no run holds the device lock, it takes it briefly to
// finish an interrupted swap and remove staging files left by an
// interrupted write; when a run holds it, it leaves the directory alone
// (that run did the recovery, and its staging files are live).
func OpenDirStorage(dir string) (*DirStorage, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d := &DirStorage{dir: dir}
	unlock, err := lockfile.TryLock(d.lockPath())
	if errors.Is(err, lockfile.ErrHeld) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := d.recover(); err != nil {
		return nil, err
	}
	return d, nil
}

// Lock implements process.Storage: it takes the device lock, waiting as
// long as ctx allows, and then recovers from an interrupted run.
func (d *DirStorage) Lock(ctx context.Context) (func(), error) {
	if err := d.opened(); err != nil {
		return nil, err
	}
	unlock, err := lockfile.Lock(ctx, d.lockPath())
	if err != nil {
		return nil, err
	}
	if err := d.recover(); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

func (d *DirStorage) lockPath() string { return filepath.Join(d.dir, LockFile) }

// opened refuses a zero DirStorage, whose empty directory would silently
// mean the working directory.
func (d *DirStorage) opened() error {
	if d == nil || d.dir == "" {
		return errf(process.ErrOperation, "DirStorage not opened (use OpenDirStorage)")
	}
	return nil
}

// recover finishes an interrupted swap and removes stale staging files.
// The caller holds the device lock.
func (d *DirStorage) recover() error {
	if err := d.recoverSwap(); err != nil {
		return err
	}
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), stagePrefix) {
			if err := os.Remove(filepath.Join(d.dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// Dir returns the directory.
func (d *DirStorage) Dir() string { return d.dir }

// Path returns the file that holds a component.
func (d *DirStorage) Path(id [][]byte) (string, error) {
	if err := d.opened(); err != nil {
		return "", err
	}
	name, err := componentFileName(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(d.dir, name), nil
}

// Components lists the identifiers of the components that have content,
// sorted by file name.
func (d *DirStorage) Components() ([][][]byte, error) {
	if err := d.opened(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if _, ok := parseComponentFileName(e.Name()); ok && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	out := make([][][]byte, 0, len(names))
	for _, n := range names {
		id, _ := parseComponentFileName(n)
		out = append(out, id)
	}
	return out, nil
}

// Open implements Storage.
func (d *DirStorage) Open(id [][]byte) (process.Content, error) {
	p, err := d.Path(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, process.ErrNoContent
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, errf(process.ErrComponent, "%s is not a regular file", p)
	}
	return &fileContent{File: f, size: st.Size()}, nil
}

type fileContent struct {
	*os.File
	size int64
}

func (c *fileContent) Size() int64 { return c.size }

// Stage implements Storage.
func (d *DirStorage) Stage(id [][]byte) (process.Staging, error) {
	p, err := d.Path(id)
	if err != nil {
		return nil, err
	}
	f, err := atomicfile.Create(p, 0o600, &atomicfile.Options{TempPrefix: stagePrefix})
	if err != nil {
		return nil, err
	}
	return &fileStaging{f: f}, nil
}

type fileStaging struct {
	f    *atomicfile.File
	done bool
	// beforeCommit, when set, runs on the written temporary file just
	// before it replaces the component (StageWithMetadata).
	beforeCommit func() error
}

func (s *fileStaging) Write(p []byte) (int, error) {
	if s.done {
		return 0, errf(process.ErrOperation, "write after commit or discard")
	}
	return s.f.Write(p)
}

func (s *fileStaging) Commit() error {
	if s.done {
		return errf(process.ErrOperation, "commit after commit or discard")
	}
	s.done = true
	if s.beforeCommit != nil {
		if err := s.beforeCommit(); err != nil {
			s.f.Abort()
			return err
		}
	}
	return s.f.Commit()
}

func (s *fileStaging) Discard() error {
	if s.done {
		return nil
	}
	s.done = true
	return s.f.Abort()
}

// Unlink implements Storage.
func (d *DirStorage) Unlink(id [][]byte) error {
	p, err := d.Path(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return atomicfile.SyncDir(d.dir)
}

// Slot implements Storage: a directory device has one slot, 0.
func (d *DirStorage) Slot([][]byte) (uint64, error) { return 0, nil }

// swapState is the journal of a swap in progress: the two file names and
// the SHA-256 of a's content before the swap, which tells on recovery
// whether the final rename already happened.
type swapState struct {
	A      string `json:"a"`
	B      string `json:"b"`
	AHash  []byte `json:"a-sha256"`
	BHash  []byte `json:"b-sha256"`
	Marker string `json:"suitkit-swap"`
}

// Swap implements Storage. The journal is written atomically first; the
// three renames are then replayed or recognised as done by recoverSwap.
func (d *DirStorage) Swap(a, b [][]byte) error {
	pa, err := d.Path(a)
	if err != nil {
		return err
	}
	pb, err := d.Path(b)
	if err != nil {
		return err
	}
	if pa == pb {
		return nil
	}
	ha, err := hashFile(pa)
	if err != nil {
		return err
	}
	hb, err := hashFile(pb)
	if err != nil {
		return err
	}
	st := swapState{A: filepath.Base(pa), B: filepath.Base(pb), AHash: ha, BHash: hb, Marker: "v1"}
	js, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(d.dir, swapJournal), js, 0o644); err != nil {
		return err
	}
	return d.recoverSwap()
}

// recoverSwap finishes the swap recorded in the journal, if any.
func (d *DirStorage) recoverSwap() error {
	jp := filepath.Join(d.dir, swapJournal)
	js, err := os.ReadFile(jp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var st swapState
	if err := json.Unmarshal(js, &st); err != nil || st.Marker != "v1" {
		return errf(process.ErrOperation, "corrupt swap journal %s", jp)
	}
	if _, ok := parseComponentFileName(st.A); !ok {
		return errf(process.ErrOperation, "corrupt swap journal %s", jp)
	}
	if _, ok := parseComponentFileName(st.B); !ok {
		return errf(process.ErrOperation, "corrupt swap journal %s", jp)
	}
	pa, pb := filepath.Join(d.dir, st.A), filepath.Join(d.dir, st.B)
	pt := filepath.Join(d.dir, swapTempName)
	ea, eb, et := exists(pa), exists(pb), exists(pt)
	step := 0 // renames still to do: 3 = a->t, b->a, t->b; 0 = done
	switch {
	case ea && eb && !et:
		h, err := hashFile(pa)
		if err != nil {
			return err
		}
		if string(h) == string(st.AHash) && string(st.AHash) != string(st.BHash) {
			step = 3 // not started: a still holds its old content
		}
	case !ea && eb && et:
		step = 2
	case ea && !eb && et:
		step = 1
	default:
		return errf(process.ErrOperation, "swap journal %s does not match the files present", jp)
	}
	if step >= 3 {
		if err := os.Rename(pa, pt); err != nil {
			return err
		}
	}
	if step >= 2 {
		if err := os.Rename(pb, pa); err != nil {
			return err
		}
	}
	if step >= 1 {
		if err := os.Rename(pt, pb); err != nil {
			return err
		}
	}
	if err := atomicfile.SyncDir(d.dir); err != nil {
		return err
	}
	if err := os.Remove(jp); err != nil {
		return err
	}
	return atomicfile.SyncDir(d.dir)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func hashFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, process.ErrNoContent
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// writeFile writes data to path, mode perm, so that after a crash the file
// holds either its old content or all of data: temporary file, fsync,
// rename, fsync of the directory. The temporary file's name starts with
// ".stage-", so that OpenDirStorage removes one left by a crash.
func writeFile(path string, data []byte, perm fs.FileMode) error {
	f, err := atomicfile.Create(path, perm, &atomicfile.Options{TempPrefix: stagePrefix})
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// errf returns an error matching sentinel.
func errf(sentinel error, format string, a ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...))
}
