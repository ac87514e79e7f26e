package process

import (
	"bytes"
	"context"
	"sync"

	"github.com/suitkit/suitkit/internal/ctxlock"
)

// MemoryStorage is a Storage held in memory, for tests, simulators and
// devices that keep components in RAM. The zero value is empty and ready to
// use; it is safe for concurrent use.
type MemoryStorage struct {
	lock  ctxlock.Mutex
	mu    sync.Mutex
	data  map[string][]byte
	slots map[string]uint64
}

// Set stores content for id (a copy), as if an image were already installed.
func (m *MemoryStorage) Set(id [][]byte, content []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		m.data = map[string][]byte{}
	}
	m.data[idKey(id)] = bytes.Clone(content)
}

// Get returns a copy of id's content and whether it has any.
func (m *MemoryStorage) Get(id [][]byte) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.data[idKey(id)]
	return bytes.Clone(b), ok
}

// SetSlot sets the slot reported for id (default 0).
func (m *MemoryStorage) SetSlot(id [][]byte, slot uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.slots == nil {
		m.slots = map[string]uint64{}
	}
	m.slots[idKey(id)] = slot
}

// Lock implements Storage: one holder at a time among the users of m.
func (m *MemoryStorage) Lock(ctx context.Context) (func(), error) {
	return m.lock.Lock(ctx)
}

// Open implements Storage.
func (m *MemoryStorage) Open(id [][]byte) (Content, error) {
	b, ok := m.Get(id)
	if !ok {
		return nil, ErrNoContent
	}
	return memContent{bytes.NewReader(b)}, nil
}

// Stage implements Storage.
func (m *MemoryStorage) Stage(id [][]byte) (Staging, error) {
	return &memStaging{m: m, id: cloneID(id)}, nil
}

// Swap implements Storage.
func (m *MemoryStorage) Swap(a, b [][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ka, kb := idKey(a), idKey(b)
	da, oka := m.data[ka]
	db, okb := m.data[kb]
	if !oka || !okb {
		return ErrNoContent
	}
	m.data[ka], m.data[kb] = db, da
	return nil
}

// Unlink implements Storage.
func (m *MemoryStorage) Unlink(id [][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, idKey(id))
	return nil
}

// Slot implements Storage.
func (m *MemoryStorage) Slot(id [][]byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.slots[idKey(id)], nil
}

type memContent struct{ *bytes.Reader }

func (memContent) Close() error { return nil }

type memStaging struct {
	m    *MemoryStorage
	id   [][]byte
	buf  bytes.Buffer
	done bool
}

func (s *memStaging) Write(p []byte) (int, error) {
	if s.done {
		return 0, errf(ErrOperation, "write after commit or discard")
	}
	return s.buf.Write(p)
}

func (s *memStaging) Commit() error {
	if s.done {
		return errf(ErrOperation, "commit after commit or discard")
	}
	s.done = true
	s.m.Set(s.id, s.buf.Bytes())
	return nil
}

func (s *memStaging) Discard() error {
	s.done = true
	s.buf = bytes.Buffer{}
	return nil
}

// idKey is an injective string form of a component identifier, for maps.
func idKey(id [][]byte) string {
	var b []byte
	for _, s := range id {
		n := len(s)
		b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		b = append(b, s...)
	}
	return string(b)
}

func cloneID(id [][]byte) [][]byte {
	out := make([][]byte, len(id))
	for i, s := range id {
		out[i] = bytes.Clone(s)
	}
	return out
}
