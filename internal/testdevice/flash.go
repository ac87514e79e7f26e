// Package testdevice is a fake flash device for tests of the SUIT processor:
// component storage with an anti-rollback counter, where every write can be
// made to fail as a simulated power loss (optionally tearing the write so
// that only a prefix of it lands), then "rebooted" to run again on what
// survived.
//
// Writes are counted: each page of staged data written, each commit of staged content,
// each swap, unlink and counter commit is one operation. FailAt(n) makes
// operation n fail; from then on every call returns ErrPowerLoss until
// Reboot. Staged content lives in RAM-like scratch and is lost on Reboot;
// only committed content survives, as on an A/B device whose slot switch is
// a single atomic record.
package testdevice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/suitkit/suitkit/internal/ctxlock"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/verify"
)

// PageSize is the flash page: a staged write of n bytes is ceil(n/PageSize)
// write operations.
const PageSize = 1024

// ErrPowerLoss is returned by the operation that hit the injected fault and
// by every operation after it until Reboot.
var ErrPowerLoss = errors.New("testdevice: simulated power loss")

// Flash is the fake device. The zero value is not usable; call New.
type Flash struct {
	lock      ctxlock.Mutex
	mu        sync.Mutex
	content   map[string][]byte
	slots     map[string]uint64
	ops       int
	failAt    int
	tear      bool
	dead      bool
	boots     int
	floors    *verify.MemoryStore
	inPlace   bool
	faultedOp int
}

// New returns an empty device.
func New() *Flash {
	return &Flash{content: map[string][]byte{}, slots: map[string]uint64{}, floors: verify.NewMemoryStore()}
}

// Lock implements process.Storage: one run at a time. Taking the lock is
// not a flash operation (it cannot fail by power loss).
func (f *Flash) Lock(ctx context.Context) (func(), error) { return f.lock.Lock(ctx) }

// Set installs content for id without counting an operation (factory
// programming).
func (f *Flash) Set(id [][]byte, content []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.content[key(id)] = bytes.Clone(content)
}

// Get returns the committed content of id.
func (f *Flash) Get(id [][]byte) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.content[key(id)]
	return bytes.Clone(b), ok
}

// SetSlot sets the slot Storage.Slot reports for id.
func (f *Flash) SetSlot(id [][]byte, slot uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slots[key(id)] = slot
}

// FailAt makes write operation n (counting from 1 after the last Reboot or
// New) fail. With tear, a failing data write first stores a prefix of its
// buffer. n <= 0 disables the fault.
func (f *Flash) FailAt(n int, tear bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt, f.tear = n, tear
}

// InPlaceUnsafe makes staged writes go straight to the component's
// committed content, as a naive updater that overwrites the image in place
// would. It exists so that tests can show the fault sweep detects the
// corruption this causes.
func (f *Flash) InPlaceUnsafe() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inPlace = true
}

// Ops returns the number of write operations since New or the last Reboot.
func (f *Flash) Ops() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// Faulted reports whether the injected fault has happened.
func (f *Flash) Faulted() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faultedOp != 0
}

// Reboot restores power: operations work again, the fault is disarmed and
// the operation count restarts. Committed content and the counter survive;
// staged content does not.
func (f *Flash) Reboot() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead = false
	f.failAt = 0
	f.ops = 0
	f.faultedOp = 0
	f.boots++
}

// Boots returns how many times the device was rebooted.
func (f *Flash) Boots() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.boots
}

// op accounts one write operation; it reports whether the operation is the
// faulted one (and then the caller must apply its torn effect, if any, and
// fail) or returns ErrPowerLoss when the device is already dead.
func (f *Flash) op() (fault bool, err error) {
	if f.dead {
		return false, ErrPowerLoss
	}
	f.ops++
	if f.failAt > 0 && f.ops == f.failAt {
		f.dead = true
		f.faultedOp = f.ops
		return true, nil
	}
	return false, nil
}

func (f *Flash) alive() error {
	if f.dead {
		return ErrPowerLoss
	}
	return nil
}

// Open implements process.Storage.
func (f *Flash) Open(id [][]byte) (process.Content, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.alive(); err != nil {
		return nil, err
	}
	b, ok := f.content[key(id)]
	if !ok {
		return nil, process.ErrNoContent
	}
	return &content{Reader: bytes.NewReader(bytes.Clone(b)), f: f}, nil
}

type content struct {
	*bytes.Reader
	f *Flash
}

func (c *content) ReadAt(p []byte, off int64) (int, error) {
	c.f.mu.Lock()
	dead := c.f.dead
	c.f.mu.Unlock()
	if dead {
		return 0, ErrPowerLoss
	}
	return c.Reader.ReadAt(p, off)
}

func (c *content) Close() error { return nil }

// Stage implements process.Storage.
func (f *Flash) Stage(id [][]byte) (process.Staging, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.alive(); err != nil {
		return nil, err
	}
	s := &staging{f: f, k: key(id)}
	if f.inPlace {
		f.content[s.k] = nil
	}
	return s, nil
}

type staging struct {
	f    *Flash
	k    string
	buf  []byte
	done bool
}

func (s *staging) Write(p []byte) (int, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if s.done {
		return 0, errors.New("testdevice: write after commit")
	}
	// Flash is programmed a page at a time: one operation per page.
	written := 0
	for len(p) > 0 {
		page := p[:min(len(p), PageSize)]
		fault, err := s.f.op()
		if err != nil {
			return written, err
		}
		if fault {
			if s.f.tear {
				s.land(page[:len(page)/2])
			}
			return written, ErrPowerLoss
		}
		s.land(page)
		written += len(page)
		p = p[len(page):]
	}
	return written, nil
}

func (s *staging) land(p []byte) {
	if s.f.inPlace {
		s.f.content[s.k] = append(s.f.content[s.k], p...)
		return
	}
	s.buf = append(s.buf, p...)
}

func (s *staging) Commit() error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if s.done {
		return errors.New("testdevice: double commit")
	}
	fault, err := s.f.op()
	if err != nil {
		return err
	}
	if fault {
		// The slot-switch record is one atomic write with a checksum: a
		// torn record is invalid, so the switch did not happen.
		return ErrPowerLoss
	}
	s.done = true
	if !s.f.inPlace {
		s.f.content[s.k] = s.buf
	}
	s.buf = nil
	return nil
}

func (s *staging) Discard() error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.done = true
	s.buf = nil
	return nil
}

// Swap implements process.Storage as one journaled, atomic operation.
func (f *Flash) Swap(a, b [][]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ka, kb := key(a), key(b)
	da, oka := f.content[ka]
	db, okb := f.content[kb]
	if !oka || !okb {
		if err := f.alive(); err != nil {
			return err
		}
		return process.ErrNoContent
	}
	fault, err := f.op()
	if err != nil {
		return err
	}
	if fault {
		return ErrPowerLoss
	}
	f.content[ka], f.content[kb] = db, da
	return nil
}

// Unlink implements process.Storage.
func (f *Flash) Unlink(id [][]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fault, err := f.op()
	if err != nil {
		return err
	}
	if fault {
		return ErrPowerLoss
	}
	delete(f.content, key(id))
	return nil
}

// Slot implements process.Storage.
func (f *Flash) Slot(id [][]byte) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.alive(); err != nil {
		return 0, err
	}
	return f.slots[key(id)], nil
}

// Floor implements verify.Store: the committed anti-rollback floor
// under a device-chosen key.
func (f *Flash) Floor(key string) (verify.Floor, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.alive(); err != nil {
		return verify.Floor{}, false, err
	}
	fl, ok, err := f.floors.Floor(key)
	return fl, ok, err
}

// Raise implements verify.Store. It is one atomic write operation (two
// copies with a checksum on a real device: a torn write leaves the old
// floors); the rules are verify.MemoryStore's.
func (f *Flash) Raise(keys []string, fl verify.Floor) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fault, err := f.op()
	if err != nil {
		return err
	}
	if fault {
		return ErrPowerLoss
	}
	return f.floors.Raise(keys, fl)
}

// Counter returns the committed anti-rollback floor under key, for
// assertions.
func (f *Flash) Counter(key string) (uint64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok, _ := f.floors.Floor(key)
	return fl.Sequence, ok
}

func key(id [][]byte) string {
	var b []byte
	for _, s := range id {
		b = fmt.Appendf(b, "%d:", len(s))
		b = append(b, s...)
	}
	return string(b)
}
