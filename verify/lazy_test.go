package verify

import (
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// TestVerifiedManifestOnDemand: Verify builds no command model; the first
// Manifest (or Envelope) call decodes it, once, to exactly what
// DecodeManifestForRun gives, and concurrent callers get the same
// manifest.
func TestVerifiedManifestOnDemand(t *testing.T) {
	data := testshared.Conformance(t, "example-2.suit")
	res, err := mustVerifier(t, []*Key{ietfKey(t)}, nil).Verify(data)
	if err != nil {
		t.Fatal(err)
	}
	if res.manifest != nil || res.envelope.Manifest != nil {
		t.Fatal("Verify decoded the command model")
	}
	env, err := suit.Parse(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := env.DecodeManifestForRun(nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]*suit.Manifest, 8)
	for i := range got {
		wg.Go(func() {
			if i%2 == 0 {
				got[i] = res.Manifest()
			} else {
				got[i] = res.Envelope().Manifest
			}
		})
	}
	wg.Wait()
	for _, m := range got {
		if m != got[0] {
			t.Fatal("callers got different manifests")
		}
	}
	if !reflect.DeepEqual(got[0], want) {
		t.Fatalf("lazily decoded manifest differs:\n%+v\nwant %+v", got[0], want)
	}
	if len(got[0].Install.Sequence.Commands) != 3 {
		t.Fatalf("install: %+v", got[0].Install.Sequence)
	}
	if (*Verified)(nil).Manifest() != nil || (&Verified{}).Manifest() != nil || (&Verified{}).Envelope() != nil {
		t.Fatal("a nil or zero Verified has a manifest")
	}
}

// TestOutlineIdentity: the identity Verify reads from the validated bytes
// is Identity of the decoded manifest, on every conformance envelope
// (vendor/class and manifest-component-id ones).
func TestOutlineIdentity(t *testing.T) {
	files := testshared.ConformanceFiles(t)
	own, _ := filepath.Glob(filepath.Join("..", "testdata", "*.suit"))
	n, withID := 0, 0
	for _, f := range append(files, own...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		env, err := suit.Parse(data, nil)
		if err != nil {
			continue
		}
		o, err := env.CheckManifest(nil)
		if err != nil {
			continue
		}
		m, err := env.DecodeManifestForRun(nil)
		if err != nil {
			t.Fatalf("%s: CheckManifest accepted, DecodeManifestForRun: %v", f, err)
		}
		if got, want := outlineIdentity(env, o), IdentityOf(m); got != want {
			t.Errorf("%s: identity %q, want %q", filepath.Base(f), got, want)
		}
		n++
		if o.ManifestComponentID() != nil {
			withID++
		}
	}
	cid := suit.ComponentID{[]byte("root"), {1}}
	m := &suit.Manifest{Version: 1, ManifestComponentID: &cid, Common: &suit.Common{Components: []suit.ComponentID{{{0}}}}}
	if got, want := outlineIdentity(&suit.Envelope{}, outlineOf(t, m)), IdentityOf(m); got != want || want != "component:[h'726f6f74', h'01']" {
		t.Errorf("manifest-component-id: identity %q, want %q", got, want)
	} else {
		withID++
	}
	if n < 10 || withID == 0 {
		t.Fatalf("only %d manifests (%d with a manifest-component-id)", n, withID)
	}
}

// TestVerifyAllocations guards the allocation count of Verify on example 2
// (issue 8 asks for at most 53; 34 before the validate-only path).
func TestVerifyAllocations(t *testing.T) {
	data := testshared.Conformance(t, "example-2.suit")
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: NewMemoryStore()})
	n := testing.AllocsPerRun(20, func() {
		if _, err := v.Verify(data); err != nil {
			t.Fatal(err)
		}
	})
	if n > 30 {
		t.Fatalf("Verify allocates %v times, want at most 30", n)
	}
	t.Logf("Verify of example 2: %v allocations", n)
}

func outlineIdentity(env *suit.Envelope, o suit.Outline) string {
	f := walkManifest(env, o)
	return f.identity(o)
}
