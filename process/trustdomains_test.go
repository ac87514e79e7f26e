package process_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// uriFiles serves fixed content per URI; any other URI fails.
type uriFiles map[string][]byte

func (f uriFiles) Fetch(_ context.Context, uri string, max int64) (io.ReadCloser, error) {
	b, ok := f[uri]
	if !ok {
		return nil, fmt.Errorf("%w: no %s", process.ErrOperation, uri)
	}
	return io.NopCloser(io.LimitReader(bytes.NewReader(b), max+1)), nil
}

// Components of the trust-domains examples: text bstrs, not h'00'.
var (
	td00 = suit.ComponentID{[]byte("00")}
	td10 = suit.ComponentID{[]byte("10")}
)

type tdVectors struct {
	dir              string
	dep, proc, integ []byte
	anchor           *verify.Key
}

func loadTrustDomains(t *testing.T) *tdVectors {
	t.Helper()
	dir := testshared.Dir(t, "conformance/trust-domains")
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pk, err := keys.ParsePublicKey(read("public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := verify.NewKey(pk.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &tdVectors{dir: dir, dep: read("example0_dependent.suit"), proc: read("example1_process.suit"),
		integ: read("example2_integrated.suit"), anchor: k}
}

type tdDevice struct {
	storage *process.MemoryStorage
	store   *verify.MemoryStore
	ver     *verify.Verifier
	proc    *process.Processor
	inv     *tdInvoker
}

type tdInvoker struct{ calls []string }

func (a *tdInvoker) Invoke(_ context.Context, id [][]byte, args []byte) error {
	a.calls = append(a.calls, fmt.Sprintf("%s %q", suit.ComponentID(id), args))
	return nil
}

func newTDDevice(t *testing.T, anchors []*verify.Key, f process.Fetcher, lim *process.Limits) *tdDevice {
	t.Helper()
	d := &tdDevice{storage: &process.MemoryStorage{}, store: verify.NewMemoryStore(), inv: &tdInvoker{}}
	var err error
	if d.ver, err = verify.New(anchors, &verify.Options{Store: d.store}); err != nil {
		t.Fatal(err)
	}
	// The examples have no vendor or class condition (README quirk 5).
	d.proc, err = process.New(process.Platform{Storage: d.storage, Fetcher: f, Invoker: d.inv, SkipCompatibilityCheckUnsafe: true}, lim)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *tdDevice) content(id suit.ComponentID) string {
	b, ok := d.storage.Get(id)
	if !ok {
		return "<none>"
	}
	return string(b)
}

// TestTrustDomainsExamplesProcessed runs the update procedure of the
// draft's three examples end to end: example 1 fetches its dependency from
// http://example.com/dependent.suit, example 2 carries it integrated, and
// example 0 (the dependency) runs alone. The README's outcome: ['00'] =
// "hello world" (written by the dependency, under its own signature), and
// ['10'] = " in multiple trust domains" (written by the dependent); the
// floors of both manifests are committed.
func TestTrustDomainsExamplesProcessed(t *testing.T) {
	v := loadTrustDomains(t)
	fetch := uriFiles{"http://example.com/dependent.suit": v.dep}
	for _, c := range []struct {
		name   string
		env    []byte
		want00 string
		want10 string
		deps   int
		how    string
	}{
		{"example1_process", v.proc, "hello world", " in multiple trust domains", 1, "dependency-integrity"},
		{"example2_integrated", v.integ, "hello world", " in multiple trust domains", 1, "image-match"},
		{"example0_dependent", v.dep, "hello world", "<none>", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newTDDevice(t, []*verify.Key{v.anchor}, fetch, nil)
			rep, err := d.proc.Install(context.Background(), d.ver, c.env)
			if err != nil {
				t.Fatalf("install: %v\n%s", err, rep)
			}
			if got := d.content(td00); got != c.want00 {
				t.Errorf("['00'] = %q, want %q", got, c.want00)
			}
			if got := d.content(td10); got != c.want10 {
				t.Errorf("['10'] = %q, want %q", got, c.want10)
			}
			if !rep.Committed || len(rep.Dependencies) != c.deps {
				t.Fatalf("committed %v, %d dependencies, want %d", rep.Committed, len(rep.Dependencies), c.deps)
			}
			// The dependency's commands are recorded under its index.
			if c.deps > 0 {
				found := false
				for _, r := range rep.Records {
					if len(r.Manifest) == 1 && r.Manifest[0] == 1 && r.Command == suit.DirectiveWrite && r.Outcome == process.OK {
						found = true
					}
				}
				if !found {
					t.Errorf("no record of the dependency's write:\n%s", rep)
				}
			}
			// Both manifests' floors are committed: each component's floor is
			// held by the manifest that wrote it.
			floors := d.store.Floors()
			if f, ok := floors[verify.ComponentFloorKey("", td00)]; !ok || f.Manifest != "-16:0f02caf6d3e61920d36bf3cea7f862a13bb8fb1f09c3f4c29b121feab78ef3d8" {
				t.Errorf("floor of ['00'] = %+v, %v; want the dependency's", f, ok)
			}
			if c.want10 != "<none>" {
				if _, ok := floors[verify.ComponentFloorKey("", td10)]; !ok {
					t.Errorf("no floor for ['10']")
				}
			}
			// Installing again is a resume: allowed, same result.
			if rep, err := d.proc.Install(context.Background(), d.ver, c.env); err != nil {
				t.Fatalf("second install: %v\n%s", err, rep)
			}
		})
	}
}

// TestTrustDomainsInvoke: the dependent's invoke runs ['10'] with its
// arguments; the dependency's own invoke is not run, because the
// dependent's invoke does not process it.
func TestTrustDomainsInvoke(t *testing.T) {
	v := loadTrustDomains(t)
	d := newTDDevice(t, []*verify.Key{v.anchor}, uriFiles{"http://example.com/dependent.suit": v.dep}, nil)
	if _, err := d.proc.Install(context.Background(), d.ver, v.proc); err != nil {
		t.Fatal(err)
	}
	vd, err := d.ver.Verify(v.proc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.proc.Invoke(context.Background(), vd)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, rep)
	}
	if len(d.inv.calls) != 1 || d.inv.calls[0] != `[h'3130'] "cat 00 10"` {
		t.Errorf("invoked %q", d.inv.calls)
	}
}
