package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/internal/lockfile"
)

// File format of a [FileStore] (text, one record per line, "\n" endings):
//
//	suitkit-rollback-state 1
//	<hex of identity> <decimal sequence number>     (sorted by identity, unique)
//	...
//	sha256 <hex SHA-256 of every byte before this line>
//
// The trailing checksum makes a damaged file detectable: reading it then
// fails with a *StoreError matching ErrStoreCorrupt. The store is never reset
// to zero silently; an operator has to restore or remove the file.
const (
	stateMagic   = "suitkit-rollback-state 1\n"
	maxStateSize = 1 << 20 // a state file larger than this is refused as corrupt
)

// FileStore is a [Store] backed by one file. Every Commit rewrites the file
// atomically: it writes a temporary file (mode 0600) in the same directory,
// fsyncs it, renames it over the state file and fsyncs the directory, so
// after a crash or power loss the file holds either the old or the new
// numbers, never a mix. Writers in several processes are serialised with an
// advisory lock on PATH.lock (flock on Unix; elsewhere there is a single
// writer per file, and the caller must ensure it). Readers need no lock.
//
// A missing file is an empty store (nothing committed yet).
type FileStore struct {
	path string
}

// OpenFileStore returns a store for path. The file need not exist; if it
// does, it is read and checked, and a damaged file gives an error matching
// [ErrStoreCorrupt].
func OpenFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path}
	if _, err := s.All(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the state file's path.
func (s *FileStore) Path() string { return s.path }

// All returns every stored identity and its sequence number.
func (s *FileStore) All() (map[string]uint64, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]uint64{}, nil
	}
	if err != nil {
		return nil, &StoreError{Path: s.path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateSize+1))
	if err != nil {
		return nil, &StoreError{Path: s.path, Err: err}
	}
	m, err := parseState(data)
	if err != nil {
		return nil, &StoreError{Path: s.path, Err: err, Corrupt: true}
	}
	return m, nil
}

// Sequence implements [Store].
func (s *FileStore) Sequence(id string) (uint64, bool, error) {
	m, err := s.All()
	if err != nil {
		return 0, false, err
	}
	seq, ok := m[id]
	return seq, ok, nil
}

// Commit implements [Store]. It holds the writer lock while it reads,
// updates and atomically replaces the file. A corrupt file is not
// overwritten: Commit fails with an error matching [ErrStoreCorrupt].
func (s *FileStore) Commit(id string, seq uint64) error {
	unlock, err := lockfile.Lock(context.Background(), s.path+".lock")
	if err != nil {
		return &StoreError{Path: s.path, Err: err}
	}
	defer unlock()
	m, err := s.All()
	if err != nil {
		return err
	}
	if stored, ok := m[id]; ok {
		if seq < stored {
			return &RollbackError{Identity: id, Stored: stored, Got: seq}
		}
		if seq == stored {
			return nil
		}
	}
	m[id] = seq
	data := formatState(m)
	if len(data) > maxStateSize {
		return &StoreError{Path: s.path, Err: errors.New("too many identities for one state file")}
	}
	if err := writeFileAtomic(s.path, data); err != nil {
		return &StoreError{Path: s.path, Err: err}
	}
	return nil
}

func formatState(m map[string]uint64) []byte {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b bytes.Buffer
	b.WriteString(stateMagic)
	for _, id := range ids {
		b.WriteString(hex.EncodeToString([]byte(id)))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(m[id], 10))
		b.WriteByte('\n')
	}
	sum := sha256.Sum256(b.Bytes())
	b.WriteString("sha256 ")
	b.WriteString(hex.EncodeToString(sum[:]))
	b.WriteByte('\n')
	return b.Bytes()
}

func parseState(data []byte) (map[string]uint64, error) {
	if len(data) > maxStateSize {
		return nil, errors.New("larger than 1 MiB")
	}
	if !bytes.HasPrefix(data, []byte(stateMagic)) {
		return nil, errors.New("bad header line")
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, errors.New("truncated (no final newline)")
	}
	body := data[:len(data)-1]
	i := bytes.LastIndexByte(body, '\n')
	last := string(body[i+1:])
	hexSum, ok := strings.CutPrefix(last, "sha256 ")
	if !ok {
		return nil, errors.New("no checksum line")
	}
	want, err := hex.DecodeString(hexSum)
	if err != nil || len(want) != sha256.Size {
		return nil, errors.New("bad checksum line")
	}
	got := sha256.Sum256(data[:i+1])
	if !bytes.Equal(want, got[:]) {
		return nil, errors.New("checksum mismatch")
	}
	m := map[string]uint64{}
	lines := strings.Split(string(data[len(stateMagic):i+1]), "\n")
	prev := ""
	for n, line := range lines[:len(lines)-1] {
		hexID, num, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: no separator", n+2)
		}
		id, err := hex.DecodeString(hexID)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad identity", n+2)
		}
		seq, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad sequence number", n+2)
		}
		if n > 0 && string(id) <= prev {
			return nil, fmt.Errorf("line %d: identities not sorted or duplicated", n+2)
		}
		prev = string(id)
		m[string(id)] = seq
	}
	return m, nil
}

// writeFileAtomic replaces path with data (mode 0600) atomically, after
// removing temporary files an earlier, killed writer left behind.
func writeFileAtomic(path string, data []byte) error {
	removeStaleTemps(path)
	return atomicfile.WriteFile(path, data, 0o600)
}

// removeStaleTemps deletes temporary files left by a writer that was killed
// between creating and renaming them. It runs under the writer lock.
func removeStaleTemps(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := atomicfile.TempPrefix(path)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
