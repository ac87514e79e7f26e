package verify

import (
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
)

// TestRollbackLowerSequence (threats R1; IETF README scenario): after
// example 1 (seq 1) is installed and committed, example 0 (seq 0) is
// rejected with a *RollbackError, and example 1 again is accepted.
func TestRollbackLowerSequence(t *testing.T) {
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store})
	ex1, err := v.Verify(testshared.Conformance(t, "example-1.suit"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Commit(ex1); err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(testshared.Conformance(t, "example-0.suit"))
	var re *RollbackError
	if !errors.As(err, &re) || !errors.Is(err, ErrRollback) || res != nil {
		t.Fatalf("got %v, want *RollbackError", err)
	}
	if re.Stored != 1 || re.Got != 0 || re.Identity != ietfIdentity {
		t.Fatalf("detail %+v", re)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-1.suit")); err != nil {
		t.Fatalf("re-presenting seq 1: %v", err)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-5.suit")); err != nil {
		t.Fatalf("newer seq 5: %v", err)
	}
}

// TestEqualSequenceDefaultAccepted / TestEqualSequenceStrictRejected
// (threats R2): equal numbers pass by default (resume or re-apply) and fail
// under WithStrictSequence.
func TestEqualSequenceDefaultAccepted(t *testing.T) {
	store := NewMemoryStore()
	store.Commit(ietfIdentity, 2)
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store})
	if _, err := v.Verify(testshared.Conformance(t, "example-2.suit")); err != nil {
		t.Fatalf("equal sequence: %v", err)
	}
}

func TestEqualSequenceStrictRejected(t *testing.T) {
	store := NewMemoryStore()
	store.Commit(ietfIdentity, 2)
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store, StrictSequence: true})
	var re *RollbackError
	if _, err := v.Verify(testshared.Conformance(t, "example-2.suit")); !errors.As(err, &re) || re.Got != 2 || re.Stored != 2 {
		t.Fatalf("equal sequence, strict: %v", err)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-3.suit")); err != nil {
		t.Fatalf("higher sequence, strict: %v", err)
	}
}

// TestCommitOnlyAfterInstall (threats R3): Verify never writes the store;
// an update verified but not committed (failed boot) leaves the old one
// acceptable; after Commit the old one is rejected.
func TestCommitOnlyAfterInstall(t *testing.T) {
	store, err := OpenFileStore(filepath.Join(t.TempDir(), "seq"))
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store})
	old, err := v.Verify(testshared.Conformance(t, "example-3.suit"))
	if err != nil {
		t.Fatal(err)
	}
	v.Commit(old)
	if _, err := v.Verify(testshared.Conformance(t, "example-4.suit")); err != nil { // N+1, installed, boot fails
		t.Fatal(err)
	}
	if seq, _, _ := store.Sequence(ietfIdentity); seq != 3 {
		t.Fatalf("Verify changed the store to %d", seq)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-3.suit")); err != nil { // revert to N
		t.Fatalf("revert to the committed version: %v", err)
	}
	newer, _ := v.Verify(testshared.Conformance(t, "example-4.suit"))
	if err := v.Commit(newer); err != nil { // confirmed this time
		t.Fatal(err)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-3.suit")); !errors.Is(err, ErrRollback) {
		t.Fatalf("after commit, N accepted: %v", err)
	}
	if err := store.Commit(ietfIdentity, 3); !errors.Is(err, ErrRollback) {
		t.Fatalf("Commit lowered the number: %v", err)
	}
}

// TestMaxSequenceNoWrap (threats R4): 2^64-1 is a valid number; once
// committed nothing wraps past it, and only the same number (re-apply)
// still passes.
func TestMaxSequenceNoWrap(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{key}, &Options{Store: store})
	res, err := v.Verify(signedEnvelope(t, testManifest{seq: math.MaxUint64}, s))
	if err != nil || res.Sequence() != math.MaxUint64 {
		t.Fatalf("max sequence: %v", err)
	}
	v.Commit(res)
	for _, seq := range []uint64{0, 1, math.MaxUint64 - 1} {
		if _, err := v.Verify(signedEnvelope(t, testManifest{seq: seq}, s)); !errors.Is(err, ErrRollback) {
			t.Fatalf("seq %d after max: %v", seq, err)
		}
	}
}

// TestMinSequence: WithMinSequence rejects lower numbers even without a
// store.
func TestMinSequence(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{NoRollbackCheckUnsafe: true, MinSequence: 3})
	var re *RollbackError
	if _, err := v.Verify(testshared.Conformance(t, "example-2.suit")); !errors.As(err, &re) || !re.Minimum || re.Stored != 3 {
		t.Fatalf("below minimum: %v", err)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-3.suit")); err != nil {
		t.Fatalf("at minimum: %v", err)
	}
}

// TestRollbackScopedByIdentity: numbers are kept per manifest identity
// (vendor/class, or manifest-component-id).
func TestRollbackScopedByIdentity(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{key}, &Options{Store: store})
	a, err := v.Verify(signedEnvelope(t, testManifest{seq: 10}, s))
	if err != nil {
		t.Fatal(err)
	}
	v.Commit(a)
	other := testManifest{seq: 1, class: []byte("another class")}
	b, err := v.Verify(signedEnvelope(t, other, s))
	if err != nil {
		t.Fatalf("other class, lower number: %v", err)
	}
	if b.Identity() == a.Identity() {
		t.Fatal("same identity for different classes")
	}
	mc := testManifest{seq: 1, mcid: [][]byte{[]byte("root"), {0x01}}}
	c, err := v.Verify(signedEnvelope(t, mc, s))
	if err != nil {
		t.Fatal(err)
	}
	if c.Identity() != "component:[h'726f6f74', h'01']" {
		t.Fatalf("identity %q", c.Identity())
	}
	none, err := v.Verify(signedEnvelope(t, testManifest{seq: 4, noVendor: true}, s))
	if err != nil || none.Identity() != "" {
		t.Fatalf("no vendor/class: %q %v", none.Identity(), err)
	}
}

// TestCorruptStoreFailsClosed: a damaged state file makes Verify fail with
// ErrStoreCorrupt instead of treating the device as fresh.
func TestCorruptStoreFailsClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq")
	store, _ := OpenFileStore(path)
	store.Commit(ietfIdentity, 4)
	if err := writeFileAtomic(path, []byte(stateMagic+"6161 1\nsha256 00\n")); err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store})
	if _, err := v.Verify(testshared.Conformance(t, "example-5.suit")); !errors.Is(err, ErrStoreCorrupt) {
		t.Fatalf("got %v, want ErrStoreCorrupt", err)
	}
}

func TestNewRequiresRollbackDecision(t *testing.T) {
	if _, err := New([]*Key{ietfKey(t)}, nil); err == nil {
		t.Fatal("New without a store or WithoutRollbackCheckUnsafe succeeded")
	}
	if _, err := New(nil, &Options{NoRollbackCheckUnsafe: true}); err == nil {
		t.Fatal("New without keys succeeded")
	}
}

func TestVerifierCheckRollback(t *testing.T) {
	store := NewMemoryStore()
	store.Commit("id", 5)
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store, MinSequence: 3})
	for seq, want := range map[uint64]bool{2: false, 4: false, 5: true, 6: true} {
		if err := v.CheckRollback("id", seq); (err == nil) != want {
			t.Errorf("seq %d: %v", seq, err)
		}
	}
	if err := v.CheckRollback("other", 2); !errors.Is(err, ErrRollback) {
		t.Errorf("below minimum for a fresh identity: %v", err)
	}
	if err := v.CheckRollback("other", 3); err != nil {
		t.Errorf("at minimum for a fresh identity: %v", err)
	}
}

// TestKeyRotationScopesCounters (threats R4): a stolen key signs seq
// 2^64-1, which blocks every later update under the same scope; after
// rotating to a new key under a new rollback scope, updates from the new
// key start afresh, and the old key is no longer trusted.
func TestKeyRotationScopesCounters(t *testing.T) {
	oldPriv, oldKey := newP256(t)
	newPriv, newKey := newP256(t)
	store := NewMemoryStore()
	v1 := mustVerifier(t, []*Key{oldKey}, &Options{Store: store, RollbackScope: "anchors-2025"})
	ff, err := v1.Verify(signedEnvelope(t, testManifest{seq: math.MaxUint64}, signer{alg: int64(keys.ES256), ec: oldPriv}))
	if err != nil {
		t.Fatal(err)
	}
	v1.Commit(ff)
	if _, err := v1.Verify(signedEnvelope(t, testManifest{seq: 2}, signer{alg: int64(keys.ES256), ec: oldPriv})); !errors.Is(err, ErrRollback) {
		t.Fatalf("same scope after fast-forward: %v", err)
	}
	v2 := mustVerifier(t, []*Key{newKey}, &Options{Store: store, RollbackScope: "anchors-2026"})
	res, err := v2.Verify(signedEnvelope(t, testManifest{seq: 2}, signer{alg: int64(keys.ES256), ec: newPriv}))
	if err != nil {
		t.Fatalf("new scope: %v", err)
	}
	if res.Identity() != "anchors-2026|"+ff.Identity()[len("anchors-2025|"):] {
		t.Fatalf("identity %q", res.Identity())
	}
	if _, err := v2.Verify(signedEnvelope(t, testManifest{seq: math.MaxUint64}, signer{alg: int64(keys.ES256), ec: oldPriv})); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("old key after rotation: %v", err)
	}
}
