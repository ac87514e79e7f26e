package build_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

type oneFile struct {
	uri  string
	data []byte
}

func (f *oneFile) Fetch(_ context.Context, uri string, max int64) (io.ReadCloser, error) {
	if uri != f.uri {
		return nil, errors.New("not found")
	}
	return io.NopCloser(io.LimitReader(bytes.NewReader(f.data), max+1)), nil
}

func signWith(t *testing.T, env *suit.Envelope) (*verify.Key, []byte) {
	t.Helper()
	k, err := keys.GenerateKey(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.ForKey(k, keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, s); err != nil {
		t.Fatal(err)
	}
	a, err := verify.NewKey(k.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return a, out
}

// TestDependentReferencesDependencyByManifestDigest: a dependent built
// from an unsigned dependency that is fetched by URI keeps working when
// the dependency is signed afterwards (the reference is the manifest
// digest, which signing does not change); each envelope is signed by its
// own key and the device installs both.
func TestDependentReferencesDependencyByManifestDigest(t *testing.T) {
	vendor, class := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com")), suit.NewUUID5(suit.NamespaceDNS, []byte("board"))
	db := build.New(2)
	if err := db.AddImage(build.Image{Component: suit.ComponentID{[]byte("radio")}, VendorID: vendor, ClassID: class, Data: []byte("radio"), Integrated: "#r"}); err != nil {
		t.Fatal(err)
	}
	depEnv, err := db.Build()
	if err != nil {
		t.Fatal(err)
	}
	unsigned, _ := depEnv.Encode()
	const uri = "https://vendor.example/radio.suit"
	mb := build.New(3)
	if err := mb.AddImage(build.Image{Component: suit.ComponentID{[]byte("app")}, VendorID: vendor, ClassID: class, Data: []byte("app"), Integrated: "#a"}); err != nil {
		t.Fatal(err)
	}
	if err := mb.AddDependency(build.Dependency{Envelope: unsigned, URI: uri, Prefix: suit.ComponentID{[]byte("vendor")}}); err != nil {
		t.Fatal(err)
	}
	dependent, err := mb.Build()
	if err != nil {
		t.Fatal(err)
	}
	if m := dependent.Manifest; len(m.Common.Dependencies) != 1 || m.Common.Dependencies[0].Index != 1 || m.DependencyResolution == nil {
		t.Fatalf("dependent manifest: %+v", m.Common)
	}
	vendorKey, signedDep := signWith(t, depEnv) // signed after the dependent was built
	makerKey, env := signWith(t, dependent)
	st := &process.MemoryStorage{}
	p, err := process.New(process.Platform{Storage: st, Fetcher: &oneFile{uri, signedDep},
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := verify.New([]*verify.Key{vendorKey, makerKey}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Install(context.Background(), ver, env)
	if err != nil {
		t.Fatalf("install: %v\n%s", err, rep)
	}
	for id, want := range map[string]string{"radio": "radio", "app": "app"} {
		if got, _ := st.Get(suit.ComponentID{[]byte(id)}); string(got) != want {
			t.Errorf("%s = %q", id, got)
		}
	}
	// The unsigned dependency is refused by dependency-integrity.
	p2, _ := process.New(process.Platform{Storage: &process.MemoryStorage{}, Fetcher: &oneFile{uri, unsigned},
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()}}, nil)
	if _, err := p2.Install(context.Background(), ver, env); !errors.Is(err, verify.ErrUnauthenticated) {
		t.Fatalf("unsigned dependency: %v, want ErrUnauthenticated", err)
	}
	// A bad dependency envelope is refused by the builder.
	if err := build.New(1).AddDependency(build.Dependency{Envelope: []byte{0xa0}}); !errors.Is(err, build.ErrInvalid) {
		t.Fatalf("bad dependency envelope: %v", err)
	}
}
