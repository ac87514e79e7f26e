package verify

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/suitkit/suitkit/suit"
)

// Floor is one anti-rollback floor: the sequence number of the newest
// manifest committed under a floor key, and that manifest's
// [Verified.ID]. Manifest is empty for a floor whose manifest is unknown
// (one migrated from a version 1 state file).
type Floor struct {
	Sequence uint64
	Manifest string
}

// Store keeps the device's anti-rollback floors. The device decides the
// keys, never the manifest (see [ComponentFloorKey] and [ScopeFloorKey]):
// one floor per component a committed manifest wrote, and optionally one
// for the whole scope (Options.ScopeFloor). Implementations:
// [MemoryStore] (tests) and [FileStore].
//
// Checking and raising are separate on purpose (threats R3): a device
// checks a new manifest with [Verifier.Verify] (and again under its update
// lock before each component is committed, [Verified.CheckWrite]), installs,
// confirms that the new image works, and only then raises the floors
// ([Verifier.Commit], [Verifier.CommitWritten]). Raising earlier would
// make the old image look "rolled back" if the new one fails to boot and
// the device reverts.
type Store interface {
	// Floor returns the floor stored under key; ok is false when nothing
	// is stored for it. err is non-nil when the state cannot be read or
	// is corrupt (it then matches [ErrStoreCorrupt]).
	Floor(key string) (f Floor, ok bool, err error)
	// Raise sets the floor of every key in keys to f, all or nothing, in
	// one atomic step. It refuses, with a *[RollbackError] and without
	// changing anything, when a stored floor is higher than f.Sequence, or
	// equal and set by another manifest (both Manifest values non-empty
	// and different); a floor equal and from the same manifest is left as
	// it is. Raise refuses the sequence number 2^64-1 ([ErrMaxSequence]).
	Raise(keys []string, f Floor) error
}

// ComponentFloorKey returns the floor key of component id under scope
// (Options.RollbackScope): "component:" followed by the identifier in
// diagnostic form, prefixed with scope and "|" when scope is not empty.
// Distinct identifiers have distinct keys. The processor raises the
// floor of every component it wrote; Storage implementations must
// therefore never store two distinct identifiers in one place.
func ComponentFloorKey(scope string, id suit.ComponentID) string {
	// The same text as scope + "|" + "component:" + id.String(), built
	// with one allocation: Verify makes one per component.
	n := len(scope) + len("|component:[]")
	for i, e := range id {
		if i > 0 {
			n += len(", ")
		}
		n += 3 + 2*len(e)
	}
	var b strings.Builder
	b.Grow(n)
	if scope != "" {
		b.WriteString(scope)
		b.WriteByte('|')
	}
	b.WriteString("component:[")
	const digits = "0123456789abcdef"
	for i, e := range id {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("h'")
		for _, c := range e {
			b.WriteByte(digits[c>>4])
			b.WriteByte(digits[c&15])
		}
		b.WriteByte('\'')
	}
	b.WriteByte(']')
	return b.String()
}

// ScopeFloorKey returns the key of the floor kept for the whole scope
// when Options.ScopeFloor is set: "scope", prefixed with scope and "|"
// when scope is not empty.
func ScopeFloorKey(scope string) string { return scopePrefix(scope) + "scope" }

// legacyFloorKey holds the highest number of a version 1 state file
// (counters keyed by manifest-chosen identities). It applies to every
// key: a migrated device refuses anything older than what it had.
const legacyFloorKey = "legacy:v1"

func scopePrefix(scope string) string {
	if scope == "" {
		return ""
	}
	return scope + "|"
}

// CheckFloor reports whether a manifest with sequence number seq and
// [Verified.ID] manifest may write under the floor key in s. It fails
// with a *[RollbackError] (matching [ErrRollback]) when the floor is
// higher, when it is equal and was set by another manifest (two manifests
// with one number must not overwrite each other's content), or, with
// strict, when it is equal at all. Re-installing the manifest that set the
// floor passes (an idempotent retry, or resuming after power loss).
// CheckFloor never changes s.
func CheckFloor(s Store, key string, seq uint64, manifest string, strict bool) error {
	f, ok, err := s.Floor(key)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	return compareFloor(key, f, seq, manifest, strict)
}

func compareFloor(key string, f Floor, seq uint64, manifest string, strict bool) error {
	switch {
	case seq < f.Sequence:
	case seq > f.Sequence:
		return nil
	case strict:
		return &RollbackError{Floor: key, Stored: f.Sequence, Got: seq, Strict: true}
	case f.Manifest == "" || manifest == "" || f.Manifest == manifest:
		return nil
	default:
		return &RollbackError{Floor: key, Stored: f.Sequence, Got: seq, Manifest: f.Manifest}
	}
	return &RollbackError{Floor: key, Stored: f.Sequence, Got: seq, Manifest: f.Manifest}
}

// raiseFloors applies Raise's rule to the floors in m (a copy the caller
// owns): it returns false, nil when nothing changes.
func raiseFloors(m map[string]Floor, keys []string, f Floor) (bool, error) {
	if f.Sequence == math.MaxUint64 {
		return false, maxSequenceError(f.Sequence)
	}
	changed := false
	for _, k := range keys {
		old, ok := lookupFloor(m, k)
		if ok {
			if err := compareFloor(k, old, f.Sequence, f.Manifest, false); err != nil {
				return false, err
			}
			if cur, here := m[k]; here && cur == f {
				continue
			}
		}
		m[k] = f
		changed = true
	}
	return changed, nil
}

// lookupFloor returns the floor of key in m, or the migrated version 1
// floor when that is higher.
func lookupFloor(m map[string]Floor, key string) (Floor, bool) {
	f, ok := m[key]
	if l, lok := m[legacyFloorKey]; lok && (!ok || l.Sequence > f.Sequence) {
		return l, true
	}
	return f, ok
}

// MemoryStore is an in-memory [Store], safe for concurrent use. It is meant
// for tests and for callers that persist the floors elsewhere.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]Floor
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]Floor{}} }

// Floor implements [Store].
func (s *MemoryStore) Floor(key string) (Floor, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := lookupFloor(s.m, key)
	return f, ok, nil
}

// Raise implements [Store].
func (s *MemoryStore) Raise(keys []string, f Floor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[string]Floor, len(s.m)+len(keys))
	for k, v := range s.m {
		next[k] = v
	}
	changed, err := raiseFloors(next, keys, f)
	if err != nil || !changed {
		return err
	}
	s.m = next
	return nil
}

// Floors returns a copy of every stored floor by key.
func (s *MemoryStore) Floors() map[string]Floor {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Floor, len(s.m))
	for k, v := range s.m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]Floor) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
