package verify

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// ietfFloor is the floor key of the IETF examples' component [h'00'].
var ietfFloor = ComponentFloorKey("", suit.ComponentID{{0}})

// TestRollbackLowerSequence (threats R1; IETF README scenario): after
// example 1 (seq 1) is installed and committed, example 0 (seq 0) is
// rejected with a *RollbackError, and example 1 again is accepted.
//
// Example 0 writes no component (it only validates and invokes), so only
// the scope floor (Options.ScopeFloor) refuses it; without that option it
// passes, because it cannot overwrite anything.
func TestRollbackLowerSequence(t *testing.T) {
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store, ScopeFloor: true})
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
	if re.Stored != 1 || re.Got != 0 || re.Floor != ScopeFloorKey("") {
		t.Fatalf("detail %+v", re)
	}
	if _, err := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store}).Verify(testshared.Conformance(t, "example-0.suit")); err != nil {
		t.Fatalf("example 0 writes nothing, no scope floor: %v", err)
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
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store})
	ex2, err := v.Verify(testshared.Conformance(t, "example-2.suit"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Commit(ex2); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(testshared.Conformance(t, "example-2.suit")); err != nil {
		t.Fatalf("equal sequence, same manifest: %v", err)
	}
	if err := v.Commit(ex2); err != nil {
		t.Fatalf("committing the same manifest twice: %v", err)
	}
}

// TestEqualSequenceOtherManifestRefused: a different manifest with the
// number of the one that wrote a component must not overwrite it (on
// 9d84ca8 equal numbers always passed); a floor whose manifest is unknown
// (migrated) still accepts an equal number.
func TestEqualSequenceOtherManifestRefused(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{key}, &Options{Store: store})
	a, err := v.Verify(signedEnvelope(t, testManifest{seq: 7, installURI: "https://a.example/fw"}, s))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Commit(a); err != nil {
		t.Fatal(err)
	}
	var re *RollbackError
	_, err = v.Verify(signedEnvelope(t, testManifest{seq: 7, installURI: "https://b.example/fw"}, s))
	if !errors.As(err, &re) || re.Manifest != a.ID() || re.Got != 7 || re.Stored != 7 || re.Floor != ComponentFloorKey("", suit.ComponentID{{0}}) {
		t.Fatalf("another manifest with the same number: %v", err)
	}
	if err := store.Raise([]string{ComponentFloorKey("", suit.ComponentID{{0}})}, Floor{Sequence: 7, Manifest: "-16:00"}); !errors.Is(err, ErrRollback) {
		t.Fatalf("store raised an equal floor for another manifest: %v", err)
	}
	legacy := NewMemoryStore()
	legacy.Raise([]string{ComponentFloorKey("", suit.ComponentID{{0}})}, Floor{Sequence: 7})
	v2 := mustVerifier(t, []*Key{key}, &Options{Store: legacy})
	if _, err := v2.Verify(signedEnvelope(t, testManifest{seq: 7, installURI: "https://b.example/fw"}, s)); err != nil {
		t.Fatalf("equal number, floor of unknown manifest: %v", err)
	}
}

func TestEqualSequenceStrictRejected(t *testing.T) {
	store := NewMemoryStore()
	store.Raise([]string{ietfFloor}, Floor{Sequence: 2})
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
	store, err := OpenFileStore(filepath.Join(t.TempDir(), "seq"), nil)
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
	if f, _, _ := store.Floor(ietfFloor); f.Sequence != 3 {
		t.Fatalf("Verify changed the store to %d", f.Sequence)
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
	if err := store.Raise([]string{ietfFloor}, Floor{Sequence: 3}); !errors.Is(err, ErrRollback) {
		t.Fatalf("Commit lowered the number: %v", err)
	}
}

// TestMaxSequenceRefused (issue 9 item 11): 2^64-1 is refused by Verify
// and by every store, because committing it would lock the device out of
// every later update (on 9d84ca8 it was accepted and committed). The
// number below it is still a valid number, and once committed nothing
// wraps past it.
func TestMaxSequenceRefused(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{key}, &Options{Store: store})
	max := testManifest{seq: math.MaxUint64, installURI: "https://a.example/fw"}
	if res, err := v.Verify(signedEnvelope(t, max, s)); !errors.Is(err, ErrMaxSequence) || res != nil {
		t.Fatalf("max sequence: %v", err)
	}
	nv := mustVerifier(t, []*Key{key}, &Options{NoRollbackCheckUnsafe: true})
	if _, err := nv.Verify(signedEnvelope(t, max, s)); !errors.Is(err, ErrMaxSequence) {
		t.Fatalf("max sequence without a store: %v", err)
	}
	fs, err := OpenFileStore(filepath.Join(t.TempDir(), "state"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []Store{store, fs} {
		if err := st.Raise([]string{"k"}, Floor{Sequence: math.MaxUint64}); !errors.Is(err, ErrMaxSequence) {
			t.Fatalf("%T raised to 2^64-1: %v", st, err)
		}
	}
	top := testManifest{seq: math.MaxUint64 - 1, installURI: "https://a.example/fw"}
	res, err := v.Verify(signedEnvelope(t, top, s))
	if err != nil {
		t.Fatalf("2^64-2: %v", err)
	}
	if err := v.Commit(res); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []uint64{0, 1, math.MaxUint64 - 2} {
		if _, err := v.Verify(signedEnvelope(t, testManifest{seq: seq, installURI: "https://a.example/fw"}, s)); !errors.Is(err, ErrRollback) {
			t.Fatalf("seq %d after 2^64-2: %v", seq, err)
		}
	}
	if _, err := v.Verify(signedEnvelope(t, top, s)); err != nil {
		t.Fatalf("re-applying 2^64-2: %v", err)
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

// TestRollbackIgnoresManifestChosenFields (issue 9 item 8): the floor is
// the component's, decided by the device. An older manifest writing the
// same component is refused whatever identity it declares (another class,
// a manifest-component-id, no vendor/class); on 9d84ca8 each of them got
// a fresh counter and was accepted. Identity stays as information.
func TestRollbackIgnoresManifestChosenFields(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	store := NewMemoryStore()
	v := mustVerifier(t, []*Key{key}, &Options{Store: store})
	const uri = "https://a.example/fw"
	a, err := v.Verify(signedEnvelope(t, testManifest{seq: 10, installURI: uri}, s))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Commit(a); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]testManifest{
		"other class": {seq: 1, class: []byte("another class"), installURI: uri},
		"mcid":        {seq: 1, mcid: [][]byte{[]byte("root"), {0x01}}, installURI: uri},
		"no vendor":   {seq: 4, noVendor: true, installURI: uri},
	} {
		if _, err := v.Verify(signedEnvelope(t, m, s)); !errors.Is(err, ErrRollback) {
			t.Errorf("%s: %v, want ErrRollback", name, err)
		}
	}
	nv := mustVerifier(t, []*Key{key}, &Options{NoRollbackCheckUnsafe: true})
	c, err := nv.Verify(signedEnvelope(t, testManifest{seq: 1, mcid: [][]byte{[]byte("root"), {0x01}}}, s))
	if err != nil {
		t.Fatal(err)
	}
	if c.Identity() != "component:[h'726f6f74', h'01']" {
		t.Fatalf("identity %q", c.Identity())
	}
	none, err := nv.Verify(signedEnvelope(t, testManifest{seq: 4, noVendor: true}, s))
	if err != nil || none.Identity() != "" {
		t.Fatalf("no vendor/class: %q %v", none.Identity(), err)
	}
	// A manifest writing another component has its own floor.
	if _, err := v.Verify(signedEnvelope(t, testManifest{seq: 1, components: [][][]byte{{{0x01}}}, installURI: uri}, s)); err != nil {
		t.Fatalf("another component: %v", err)
	}
}

// TestCorruptStoreFailsClosed: a damaged state file makes Verify fail with
// ErrStoreCorrupt instead of treating the device as fresh.
func TestCorruptStoreFailsClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq")
	store, _ := OpenFileStore(path, nil)
	store.Raise([]string{ietfFloor}, Floor{Sequence: 4})
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
	c := suit.ComponentID{{0}}
	store.Raise([]string{ComponentFloorKey("", c)}, Floor{Sequence: 5})
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: store, MinSequence: 3})
	for seq, want := range map[uint64]bool{2: false, 4: false, 5: true, 6: true} {
		if err := v.CheckRollback(seq, "", c); (err == nil) != want {
			t.Errorf("seq %d: %v", seq, err)
		}
	}
	if err := v.CheckRollback(2, "", suit.ComponentID{{1}}); !errors.Is(err, ErrRollback) {
		t.Errorf("below minimum for a fresh component: %v", err)
	}
	if err := v.CheckRollback(3, "", suit.ComponentID{{1}}); err != nil {
		t.Errorf("at minimum for a fresh component: %v", err)
	}
	if err := v.CheckRollback(math.MaxUint64, ""); !errors.Is(err, ErrMaxSequence) {
		t.Errorf("2^64-1: %v", err)
	}
}

// TestKeyRotationScopesCounters (threats R4): a stolen key signs seq
// 2^64-2 (2^64-1 itself is refused), which blocks every later update under the same scope; after
// rotating to a new key under a new rollback scope, updates from the new
// key start afresh, and the old key is no longer trusted.
func TestKeyRotationScopesCounters(t *testing.T) {
	oldPriv, oldKey := newP256(t)
	newPriv, newKey := newP256(t)
	store := NewMemoryStore()
	v1 := mustVerifier(t, []*Key{oldKey}, &Options{Store: store, RollbackScope: "anchors-2025"})
	ff, err := v1.Verify(signedEnvelope(t, testManifest{seq: math.MaxUint64 - 1, installURI: "https://a.example/fw"}, signer{alg: int64(keys.ES256), ec: oldPriv}))
	if err != nil {
		t.Fatal(err)
	}
	v1.Commit(ff)
	if _, err := v1.Verify(signedEnvelope(t, testManifest{seq: 2, installURI: "https://a.example/fw"}, signer{alg: int64(keys.ES256), ec: oldPriv})); !errors.Is(err, ErrRollback) {
		t.Fatalf("same scope after fast-forward: %v", err)
	}
	v2 := mustVerifier(t, []*Key{newKey}, &Options{Store: store, RollbackScope: "anchors-2026"})
	res, err := v2.Verify(signedEnvelope(t, testManifest{seq: 2, installURI: "https://a.example/fw"}, signer{alg: int64(keys.ES256), ec: newPriv}))
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

// TestMinSequenceWithoutStoreIsAPolicy: a build service that knows only
// the oldest release it may ship sets MinSequence and no Store; New
// accepts that without NoRollbackCheckUnsafe, the minimum is enforced, and
// a verifier with no rollback policy at all is still refused.
func TestMinSequenceWithoutStoreIsAPolicy(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	v, err := New([]*Key{key}, &Options{MinSequence: 5})
	if err != nil {
		t.Fatalf("New with only MinSequence: %v", err)
	}
	var re *RollbackError
	if _, err := v.Verify(signedEnvelope(t, testManifest{seq: 4}, s)); !errors.As(err, &re) || !re.Minimum {
		t.Errorf("sequence 4 under minimum 5: %v", err)
	}
	for _, seq := range []uint64{5, 6} {
		if _, err := v.Verify(signedEnvelope(t, testManifest{seq: seq}, s)); err != nil {
			t.Errorf("sequence %d: %v", seq, err)
		}
	}
	if _, err := New([]*Key{key}, nil); err == nil || !strings.Contains(err.Error(), "MinSequence") {
		t.Errorf("no rollback policy: %v", err)
	}
}
