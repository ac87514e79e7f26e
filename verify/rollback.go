package verify

import "sync"

// Store keeps, per manifest identity, the sequence number of the last update
// that was installed. Implementations: [MemoryStore] (tests) and [FileStore].
//
// Checking and committing are separate on purpose (threats R3): a device
// checks a new manifest's number with [CheckRollback] (or [Verifier.Verify]
// does), installs, confirms that the new image works, and only then calls
// Commit. Committing earlier would make the old image look "rolled back" if
// the new one fails to boot and the device reverts.
type Store interface {
	// Sequence returns the committed sequence number for id; ok is false
	// when nothing is stored for id. err is non-nil when the state cannot
	// be read or is corrupt (it then matches [ErrStoreCorrupt]).
	Sequence(id string) (seq uint64, ok bool, err error)
	// Commit records seq for id, atomically. It must be called only after
	// the update was installed successfully. A number lower than the stored
	// one is refused with a *[RollbackError]; an equal number is a no-op.
	Commit(id string, seq uint64) error
}

// CheckRollback reports whether a manifest with identity id and sequence
// number seq may be installed given the numbers in s. A lower number than
// the stored one is rejected with a *[RollbackError] (matching
// [ErrRollback]); an equal number is accepted unless strict is set (the
// draft forbids only "lower than"; equal numbers allow re-applying or
// resuming after power loss). CheckRollback never changes s.
func CheckRollback(s Store, id string, seq uint64, strict bool) error {
	stored, ok, err := s.Sequence(id)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	if seq < stored || (strict && seq == stored) {
		return &RollbackError{Identity: id, Stored: stored, Got: seq, Strict: strict}
	}
	return nil
}

// MemoryStore is an in-memory [Store], safe for concurrent use. It is meant
// for tests and for callers that persist the numbers elsewhere.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]uint64
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]uint64{}} }

// Sequence implements [Store].
func (s *MemoryStore) Sequence(id string) (uint64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, ok := s.m[id]
	return seq, ok, nil
}

// Commit implements [Store].
func (s *MemoryStore) Commit(id string, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]uint64{}
	}
	if stored, ok := s.m[id]; ok && seq < stored {
		return &RollbackError{Identity: id, Stored: stored, Got: seq}
	}
	s.m[id] = seq
	return nil
}
