package verify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/internal/lockfile"
	"github.com/suitkit/suitkit/keys"
)

// File format of a [FileStore] (text, one record per line, "\n" endings):
//
//	suitkit-rollback-state 2
//	<hex of floor key> <decimal sequence number> <manifest ID, or "-">   (sorted by key, unique)
//	...
//	sha256 <hex SHA-256 of every byte before this line>
//
// or, when the store is bound to a device secret (FileStoreOptions.Key),
// a last line "hmac-sha256 <hex HMAC-SHA256 of every byte before it>".
//
// The checksum makes a damaged file detectable: reading it then fails
// with a *StoreError matching ErrStoreCorrupt. It is not a protection
// against anyone who can write the file: they can write any floors with a
// matching checksum. Only the HMAC, with a key the writer does not have,
// detects that (ErrStoreTampered). The store is never reset to zero
// silently; an operator has to restore or remove the file.
//
// Version 1 files ("suitkit-rollback-state 1", one counter per identity
// the manifest chose) are read, unkeyed only, as one floor for every key:
// the highest number they hold. That is conservative (nothing older than
// what the device had is accepted anywhere); the next Raise writes
// version 2.
const (
	stateMagic   = "suitkit-rollback-state 2\n"
	stateMagicV1 = "suitkit-rollback-state 1\n"
	maxStateSize = 1 << 20 // a state file larger than this is refused as corrupt
	macDomain    = "suitkit rollback state HMAC-SHA256\x00"
)

// FileStoreOptions configures a [FileStore]. The zero value (and nil) is
// an unkeyed store.
type FileStoreOptions struct {
	// Key binds the state to a device secret: the file carries an
	// HMAC-SHA256 under Key instead of a plain checksum, and a file whose
	// MAC does not verify, or that carries no MAC, is refused with an
	// error matching [ErrStoreTampered]. Without a key nothing protects
	// the floors against someone who can write the file. Key must be a
	// raw secret of at least 32 bytes (keys.CheckMACSecret); keep it where
	// the file's writers cannot read it (a secure element, a TEE, a
	// root-only file). A device that adopts a key must start from no
	// state file or from one written with that key.
	Key []byte
}

// FileStore is a [Store] backed by one file. Every Raise rewrites the file
// atomically: it writes a temporary file (mode 0600) in the same directory,
// fsyncs it, renames it over the state file and fsyncs the directory, so
// after a crash or power loss the file holds either the old or the new
// floors, never a mix. Writers in several processes are serialised with an
// advisory lock on PATH.lock (flock on Unix; elsewhere there is a single
// writer per file, and the caller must ensure it). Readers need no lock.
//
// A missing file is an empty store (nothing committed yet).
type FileStore struct {
	path string
	key  []byte
}

// OpenFileStore returns a store for path configured by opts (nil: no
// key). The file need not exist; if it does, it is read and checked, and
// a damaged file gives an error matching [ErrStoreCorrupt] (and
// [ErrStoreTampered] when its MAC fails).
func OpenFileStore(path string, opts *FileStoreOptions) (*FileStore, error) {
	s := &FileStore{path: path}
	if opts != nil && opts.Key != nil {
		if err := keys.CheckMACSecret(opts.Key); err != nil {
			return nil, fmt.Errorf("verify: state key: %w", err)
		}
		s.key = bytes.Clone(opts.Key)
	}
	if _, err := s.Floors(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the state file's path.
func (s *FileStore) Path() string { return s.path }

// Floors returns every stored floor by key. A migrated version 1 file
// holds one floor under the key "legacy:v1", which applies to every key.
func (s *FileStore) Floors() (map[string]Floor, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Floor{}, nil
	}
	if err != nil {
		return nil, &StoreError{Path: s.path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateSize+1))
	if err != nil {
		return nil, &StoreError{Path: s.path, Err: err}
	}
	m, err := parseState(data, s.key)
	if err != nil {
		se := &StoreError{Path: s.path, Err: err, Corrupt: true}
		if errors.Is(err, errNotAuthentic) {
			se.Corrupt, se.Tampered = false, true
		}
		return nil, se
	}
	return m, nil
}

// Floor implements [Store].
func (s *FileStore) Floor(key string) (Floor, bool, error) {
	m, err := s.Floors()
	if err != nil {
		return Floor{}, false, err
	}
	f, ok := lookupFloor(m, key)
	return f, ok, nil
}

// Raise implements [Store]. It holds the writer lock while it reads,
// updates and atomically replaces the file. A corrupt or tampered file is
// not overwritten: Raise fails with an error matching [ErrStoreCorrupt].
func (s *FileStore) Raise(keys []string, f Floor) error {
	unlock, err := lockfile.Lock(context.Background(), s.path+".lock")
	if err != nil {
		return &StoreError{Path: s.path, Err: err}
	}
	defer unlock()
	m, err := s.Floors()
	if err != nil {
		return err
	}
	changed, err := raiseFloors(m, keys, f)
	if err != nil || !changed {
		return err
	}
	data := formatState(m, s.key)
	if len(data) > maxStateSize {
		return &StoreError{Path: s.path, Err: errors.New("too many floors for one state file")}
	}
	if err := writeFileAtomic(s.path, data); err != nil {
		return &StoreError{Path: s.path, Err: err}
	}
	return nil
}

// errNotAuthentic marks a state whose MAC is missing or wrong.
var errNotAuthentic = errors.New("MAC does not verify")

func stateMAC(key, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(macDomain))
	h.Write(body)
	return h.Sum(nil)
}

func formatState(m map[string]Floor, key []byte) []byte {
	var b bytes.Buffer
	b.WriteString(stateMagic)
	for _, k := range sortedKeys(m) {
		f := m[k]
		b.WriteString(hex.EncodeToString([]byte(k)))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(f.Sequence, 10))
		b.WriteByte(' ')
		if f.Manifest == "" {
			b.WriteByte('-')
		} else {
			b.WriteString(f.Manifest)
		}
		b.WriteByte('\n')
	}
	if key != nil {
		mac := stateMAC(key, b.Bytes())
		b.WriteString("hmac-sha256 ")
		b.WriteString(hex.EncodeToString(mac))
	} else {
		sum := sha256.Sum256(b.Bytes())
		b.WriteString("sha256 ")
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func parseState(data, key []byte) (map[string]Floor, error) {
	if len(data) > maxStateSize {
		return nil, errors.New("larger than 1 MiB")
	}
	v1 := bytes.HasPrefix(data, []byte(stateMagicV1))
	if !v1 && !bytes.HasPrefix(data, []byte(stateMagic)) {
		return nil, errors.New("bad header line")
	}
	if data[len(data)-1] != '\n' {
		return nil, errors.New("truncated (no final newline)")
	}
	body := data[:len(data)-1]
	i := bytes.LastIndexByte(body, '\n')
	last := string(body[i+1:])
	signed := data[:i+1]
	if hexMAC, ok := strings.CutPrefix(last, "hmac-sha256 "); ok && !v1 {
		if key == nil {
			return nil, errors.New("the state is bound to a device key (HMAC) and no key was given")
		}
		got, err := hex.DecodeString(hexMAC)
		if err != nil || !hmac.Equal(got, stateMAC(key, signed)) {
			return nil, errNotAuthentic
		}
	} else {
		hexSum, ok := strings.CutPrefix(last, "sha256 ")
		if !ok {
			return nil, errors.New("no checksum line")
		}
		want, err := hex.DecodeString(hexSum)
		if err != nil || len(want) != sha256.Size {
			return nil, errors.New("bad checksum line")
		}
		got := sha256.Sum256(signed)
		if !bytes.Equal(want, got[:]) {
			return nil, errors.New("checksum mismatch")
		}
		if key != nil {
			return nil, fmt.Errorf("%w: the state carries a plain checksum, not the device key's MAC", errNotAuthentic)
		}
	}
	if v1 {
		return parseStateV1(string(data[len(stateMagicV1) : i+1]))
	}
	m := map[string]Floor{}
	lines := strings.Split(string(data[len(stateMagic):i+1]), "\n")
	prev := ""
	for n, line := range lines[:len(lines)-1] {
		fields := strings.Split(line, " ")
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want 3 fields", n+2)
		}
		k, err := hex.DecodeString(fields[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: bad key", n+2)
		}
		seq, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad sequence number", n+2)
		}
		f := Floor{Sequence: seq, Manifest: fields[2]}
		if f.Manifest == "-" {
			f.Manifest = ""
		}
		if n > 0 && string(k) <= prev {
			return nil, fmt.Errorf("line %d: keys not sorted or duplicated", n+2)
		}
		prev = string(k)
		m[string(k)] = f
	}
	return m, nil
}

// parseStateV1 reads the records of a version 1 file (counters keyed by
// manifest-chosen identities) into one floor for every key: the highest.
func parseStateV1(records string) (map[string]Floor, error) {
	lines := strings.Split(records, "\n")
	m := map[string]Floor{}
	for n, line := range lines[:len(lines)-1] {
		hexID, num, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: no separator", n+2)
		}
		if _, err := hex.DecodeString(hexID); err != nil {
			return nil, fmt.Errorf("line %d: bad identity", n+2)
		}
		seq, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad sequence number", n+2)
		}
		if f, ok := m[legacyFloorKey]; !ok || seq > f.Sequence {
			m[legacyFloorKey] = Floor{Sequence: seq}
		}
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
