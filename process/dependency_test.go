package process_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Components of the dependency tests: the vendor's radio image and the
// product maker's application.
var (
	compRadio = suit.ComponentID{[]byte("radio")}
	compApp   = suit.ComponentID{[]byte("app")}
)

// prefixKey is a test key whose trust anchor allows only components
// under prefixes (nil: every component).
func prefixKey(t testing.TB, prefixes ...suit.ComponentID) testKey {
	t.Helper()
	k, err := keys.GenerateKey(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.ForKey(k, keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	var b *verify.Binding
	if prefixes != nil {
		b = &verify.Binding{}
		for _, p := range prefixes {
			b.ComponentPrefixes = append(b.ComponentPrefixes, [][]byte(p))
		}
	}
	a, err := verify.NewKey(k.Public, b)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{signer: s, anchor: a}
}

// writer is a manifest with sequence number seqNo that writes content to
// component id in its install sequence.
func writer(seqNo uint64, id suit.ComponentID, content string) *suit.Manifest {
	return &suit.Manifest{
		Version: 1, SequenceNumber: seqNo,
		Common:  &suit.Common{Components: []suit.ComponentID{id}},
		Install: &suit.SeverableSequence{Sequence: seq(override(pContent([]byte(content))), cmd(suit.DirectiveWrite))},
	}
}

// manifestDigest is the SUIT_Digest a dependent declares for a dependency
// envelope: over its manifest bstr.
func manifestDigest(t testing.TB, env []byte) suit.Parameter {
	t.Helper()
	e, err := suit.Parse(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := suit.ParamDigest(suit.ParamImageDigest, e.Authentication.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dependent is a manifest that fetches dep (at uri) as dependency index 1,
// authenticates it with dependency-integrity (integrity) or only with
// image-match, processes it in install, then writes own to compApp.
func dependent(t testing.TB, seqNo uint64, dep []byte, uri string, integrity bool, own string) *suit.Manifest {
	t.Helper()
	d := manifestDigest(t, dep)
	install := []suit.Command{index(1), override(d)}
	if integrity {
		install = append(install, cmd(suit.ConditionDependencyIntegrity))
	}
	install = append(install, cmd(suit.DirectiveProcessDependency), index(0), override(pContent([]byte(own))), cmd(suit.DirectiveWrite))
	return &suit.Manifest{
		Version: 1, SequenceNumber: seqNo,
		Common: &suit.Common{Components: []suit.ComponentID{compApp},
			Dependencies: []suit.Dependency{{Index: 1}}},
		DependencyResolution: &suit.SeverableSequence{Sequence: seq(index(1), override(d, pSize(len(dep)), pURI(uri)),
			cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch), cmd(suit.DirectiveProcessDependency))},
		Install: &suit.SeverableSequence{Sequence: seq(install...)},
	}
}

type depDevice struct {
	storage *process.MemoryStorage
	store   *verify.MemoryStore
	ver     *verify.Verifier
	proc    *process.Processor
}

func newDepDevice(t testing.TB, files uriFiles, lim *process.Limits, anchors ...testKey) *depDevice {
	t.Helper()
	d := &depDevice{storage: &process.MemoryStorage{}, store: verify.NewMemoryStore()}
	var as []*verify.Key
	for _, k := range anchors {
		as = append(as, k.anchor)
	}
	var err error
	if d.ver, err = verify.New(as, &verify.Options{Store: d.store}); err != nil {
		t.Fatal(err)
	}
	if d.proc, err = process.New(process.Platform{Storage: d.storage, Fetcher: files, SkipCompatibilityCheckUnsafe: true}, lim); err != nil {
		t.Fatal(err)
	}
	d.storage.Set(compRadio, []byte("old radio"))
	d.storage.Set(compApp, []byte("old app"))
	return d
}

// unchanged fails t unless both components still hold their old content.
func (d *depDevice) unchanged(t *testing.T) {
	t.Helper()
	if b, _ := d.storage.Get(compRadio); string(b) != "old radio" {
		t.Errorf("radio = %q, want it unchanged", b)
	}
	if b, _ := d.storage.Get(compApp); string(b) != "old app" {
		t.Errorf("app = %q, want it unchanged", b)
	}
}

const depURI = "http://vendor.example/radio.suit"

// TestDependencyTwoSignersInstall is the positive case the negatives vary:
// the vendor signs the radio manifest (its key may touch only "radio"),
// the product maker signs the dependent (its key: only "app"); both
// authentication paths install both components and commit both floors.
func TestDependencyTwoSignersInstall(t *testing.T) {
	vendor, maker := prefixKey(t, compRadio), prefixKey(t, compApp)
	dep := seal(t, vendor, writer(3, compRadio, "radio v3"), nil)
	for _, integrity := range []bool{true, false} {
		d := newDepDevice(t, uriFiles{depURI: dep}, nil, vendor, maker)
		env := seal(t, maker, dependent(t, 7, dep, depURI, integrity, "app v7"), nil)
		rep, err := d.proc.Install(context.Background(), d.ver, env)
		if err != nil {
			t.Fatalf("install: %v\n%s", err, rep)
		}
		if b, _ := d.storage.Get(compRadio); string(b) != "radio v3" {
			t.Errorf("radio = %q", b)
		}
		if b, _ := d.storage.Get(compApp); string(b) != "app v7" {
			t.Errorf("app = %q", b)
		}
		fl := d.store.Floors()
		if fl[verify.ComponentFloorKey("", compRadio)].Sequence != 3 || fl[verify.ComponentFloorKey("", compApp)].Sequence != 7 {
			t.Errorf("floors %v, want radio 3 and app 7", fl)
		}
	}
}

// TestDependencyWrongDigestRefused: the fetched dependency is a validly
// signed manifest, but not the one the dependent declared.
func TestDependencyWrongDigestRefused(t *testing.T) {
	vendor, maker := prefixKey(t, compRadio), prefixKey(t, compApp)
	declared := seal(t, vendor, writer(3, compRadio, "radio v3"), nil)
	other := seal(t, vendor, writer(4, compRadio, "radio v4"), nil)
	for _, integrity := range []bool{true, false} {
		d := newDepDevice(t, uriFiles{depURI: other}, nil, vendor, maker)
		m := dependent(t, 7, declared, depURI, integrity, "app v7")
		// The size check would catch it first: declare the served size.
		m.DependencyResolution.Sequence.Commands[1] = override(manifestDigest(t, declared), pURI(depURI))
		rep, err := d.proc.Install(context.Background(), d.ver, seal(t, maker, m, nil))
		if !errors.Is(err, process.ErrDependency) || !errors.Is(err, suit.ErrDigestMismatch) {
			t.Fatalf("integrity %v: err = %v, want ErrDependency and ErrDigestMismatch\n%s", integrity, err, rep)
		}
		d.unchanged(t)
		if len(d.store.Floors()) != 0 {
			t.Errorf("floors committed: %v", d.store.Floors())
		}
	}
}

// TestDependencyUntrustedSignerRefused: dependency-integrity needs the
// dependency's own signature from a trusted key. (The product maker's key
// has no component limit, so the image-match in dependency-resolution,
// which runs the dependency with the maker's authority, passes.)
func TestDependencyUntrustedSignerRefused(t *testing.T) {
	stranger, maker := prefixKey(t), prefixKey(t)
	dep := seal(t, stranger, writer(3, compRadio, "radio v3"), nil)
	d := newDepDevice(t, uriFiles{depURI: dep}, nil, maker)
	rep, err := d.proc.Install(context.Background(), d.ver, seal(t, maker, dependent(t, 7, dep, depURI, true, "app v7"), nil))
	if !errors.Is(err, process.ErrDependency) || !errors.Is(err, verify.ErrUnauthenticated) {
		t.Fatalf("err = %v, want ErrDependency and ErrUnauthenticated\n%s", err, rep)
	}
	d.unchanged(t)
}

// TestDependencyOutsideItsPrefixRefused: a radio vendor's manifest that
// writes the application is refused although the dependent names it, and
// nothing of the tree is installed.
func TestDependencyOutsideItsPrefixRefused(t *testing.T) {
	vendor, maker := prefixKey(t, compRadio), prefixKey(t, compApp)
	dep := seal(t, vendor, writer(3, compApp, "vendor overwrites the app"), nil)
	d := newDepDevice(t, uriFiles{depURI: dep}, nil, vendor, maker)
	rep, err := d.proc.Install(context.Background(), d.ver, seal(t, maker, dependent(t, 7, dep, depURI, true, "app v7"), nil))
	if !errors.Is(err, process.ErrDependency) || !errors.Is(err, verify.ErrUnauthorizedComponent) {
		t.Fatalf("err = %v, want ErrDependency and ErrUnauthorizedComponent\n%s", err, rep)
	}
	d.unchanged(t)
}

// TestDependencyNotAuthenticatedRefused: process-dependency without a
// passed dependency-integrity or image-match aborts before the dependency
// runs.
func TestDependencyNotAuthenticatedRefused(t *testing.T) {
	vendor, maker := prefixKey(t, compRadio), prefixKey(t, compApp)
	dep := seal(t, vendor, writer(3, compRadio, "radio v3"), nil)
	d := newDepDevice(t, uriFiles{depURI: dep}, nil, vendor, maker)
	m := dependent(t, 7, dep, depURI, false, "app v7")
	// dependency-resolution fetches but does not check anything.
	m.DependencyResolution.Sequence.Commands = m.DependencyResolution.Sequence.Commands[:3]
	rep, err := d.proc.Install(context.Background(), d.ver, seal(t, maker, m, nil))
	if !errors.Is(err, process.ErrDependency) {
		t.Fatalf("err = %v, want ErrDependency\n%s", err, rep)
	}
	d.unchanged(t)
}

// TestDependencyRollbackRefused: the device runs radio v5; a new dependent
// that brings an old (validly signed) radio v3 manifest is refused, and
// the application it would install is not written either.
func TestDependencyRollbackRefused(t *testing.T) {
	vendor, maker := prefixKey(t, compRadio), prefixKey(t, compApp)
	v5 := seal(t, vendor, writer(5, compRadio, "radio v5"), nil)
	v3 := seal(t, vendor, writer(3, compRadio, "radio v3"), nil)
	files := uriFiles{depURI: v5}
	d := newDepDevice(t, files, nil, vendor, maker)
	if rep, err := d.proc.Install(context.Background(), d.ver, seal(t, maker, dependent(t, 7, v5, depURI, true, "app v7"), nil)); err != nil {
		t.Fatalf("v5: %v\n%s", err, rep)
	}
	files[depURI] = v3
	rep, err := d.proc.Install(context.Background(), d.ver, seal(t, maker, dependent(t, 8, v3, depURI, true, "app v8"), nil))
	if !errors.Is(err, process.ErrDependency) || !errors.Is(err, verify.ErrRollback) {
		t.Fatalf("err = %v, want ErrDependency and ErrRollback\n%s", err, rep)
	}
	if b, _ := d.storage.Get(compRadio); string(b) != "radio v5" {
		t.Errorf("radio = %q, want v5", b)
	}
	if b, _ := d.storage.Get(compApp); string(b) != "app v7" {
		t.Errorf("app = %q, want v7 (the tree failed)", b)
	}
	if f := d.store.Floors()[verify.ComponentFloorKey("", compApp)]; f.Sequence != 7 {
		t.Errorf("app floor %d, want 7 (nothing of the failed tree committed)", f.Sequence)
	}
}

// chain returns the envelope of a tree of n manifests: the last writes
// radio, each other one depends (by signature) on the next.
func chain(t *testing.T, k testKey, n int) []byte {
	env := seal(t, k, writer(1, compRadio, "leaf"), nil)
	for i := 1; i < n; i++ {
		uri := "#dep"
		m := dependent(t, 1, env, uri, true, "level")
		m.Common.Components = []suit.ComponentID{{[]byte("level"), {byte(i)}}}
		env = seal(t, k, m, map[string][]byte{uri: env})
	}
	return env
}

// TestDependencyTreeDepthBounded: a tree one level deeper than
// Limits.MaxDependencyDepth is refused before the deepest manifest runs.
func TestDependencyTreeDepthBounded(t *testing.T) {
	k := prefixKey(t)
	for _, c := range []struct {
		levels int
		ok     bool
	}{{3, true}, {4, false}} {
		d := newDepDevice(t, nil, &process.Limits{MaxDependencyDepth: 2}, k)
		rep, err := d.proc.Install(context.Background(), d.ver, chain(t, k, c.levels))
		if c.ok != (err == nil) || (!c.ok && !errors.Is(err, process.ErrLimit)) {
			t.Fatalf("%d manifests, depth limit 2: err = %v\n%s", c.levels, err, rep)
		}
		if b, _ := d.storage.Get(compRadio); c.ok != (string(b) == "leaf") {
			t.Errorf("%d manifests: radio = %q", c.levels, b)
		}
	}
	// The manifest count is bounded too.
	d := newDepDevice(t, nil, &process.Limits{MaxManifests: 2}, k)
	if _, err := d.proc.Install(context.Background(), d.ver, chain(t, k, 3)); !errors.Is(err, process.ErrLimit) {
		t.Fatalf("3 manifests, count limit 2: %v", err)
	}
}

// TestDependencyCycleRefused: a dependency that claims the
// manifest-component-id of a manifest that depends on it closes a cycle
// (a cycle of digests cannot be built: each would cover the other).
func TestDependencyCycleRefused(t *testing.T) {
	k := prefixKey(t)
	rootID := suit.ComponentID{[]byte("root.suit")}
	leaf := writer(1, compRadio, "leaf")
	leaf.ManifestComponentID = &rootID
	leafEnv := seal(t, k, leaf, nil)
	mid := dependent(t, 1, leafEnv, "#leaf", true, "mid")
	midEnv := seal(t, k, mid, map[string][]byte{"#leaf": leafEnv})
	root := dependent(t, 1, midEnv, "#mid", true, "root")
	root.ManifestComponentID = &rootID
	root.Common.Components = []suit.ComponentID{{[]byte("other")}}
	d := newDepDevice(t, nil, nil, k)
	rep, err := d.proc.Install(context.Background(), d.ver, seal(t, k, root, map[string][]byte{"#mid": midEnv}))
	if !errors.Is(err, process.ErrDependency) {
		t.Fatalf("err = %v, want ErrDependency (cycle)\n%s", err, rep)
	}
	d.unchanged(t)
}

// TestDependencyCommandsOnComponents: is-dependency tells dependencies
// from components (a failed condition on a component, so try-each can
// branch on it); dependency-integrity and process-dependency on a
// component abort.
func TestDependencyCommandsOnComponents(t *testing.T) {
	_, _, err := runInstall(t, process.Platform{}, tryEach(false, seq(cmd(suit.ConditionIsDependency), cmd(suit.ConditionAbort)),
		seq(override(pContent([]byte("component"))), cmd(suit.DirectiveWrite))))
	if err != nil {
		t.Fatalf("is-dependency on a component in try-each: %v", err)
	}
	for _, id := range []int64{suit.ConditionDependencyIntegrity, suit.DirectiveProcessDependency} {
		if _, _, err := runInstall(t, process.Platform{}, cmd(id)); !errors.Is(err, process.ErrComponent) {
			t.Errorf("%s on a component: %v, want ErrComponent", suit.CommandName(id), err)
		}
	}
}

// TestDependencyImageMatchInheritsDependentAuthority: with image-match
// only (the draft's example 2), a dependency whose own signature is not
// from a trusted key runs with its dependent's authority: the product
// maker's key, limited to "app", does not let it write "radio"; a maker key
// without limits does.
func TestDependencyImageMatchInheritsDependentAuthority(t *testing.T) {
	stranger := prefixKey(t)
	dep := seal(t, stranger, writer(3, compRadio, "radio v3"), nil)
	limited, unlimited := prefixKey(t, compApp), prefixKey(t)
	d := newDepDevice(t, uriFiles{depURI: dep}, nil, limited)
	rep, err := d.proc.Install(context.Background(), d.ver, seal(t, limited, dependent(t, 7, dep, depURI, false, "app v7"), nil))
	if !errors.Is(err, process.ErrDependency) || !errors.Is(err, verify.ErrUnauthorizedComponent) {
		t.Fatalf("err = %v, want ErrDependency and ErrUnauthorizedComponent\n%s", err, rep)
	}
	d.unchanged(t)
	d = newDepDevice(t, uriFiles{depURI: dep}, nil, unlimited)
	if rep, err := d.proc.Install(context.Background(), d.ver, seal(t, unlimited, dependent(t, 7, dep, depURI, false, "app v7"), nil)); err != nil {
		t.Fatalf("unlimited dependent: %v\n%s", err, rep)
	}
	if b, _ := d.storage.Get(compRadio); string(b) != "radio v3" {
		t.Errorf("radio = %q", b)
	}
	// With dependency-integrity the stranger's signature is required: refused.
	d = newDepDevice(t, uriFiles{depURI: dep}, nil, unlimited)
	if _, err := d.proc.Install(context.Background(), d.ver, seal(t, unlimited, dependent(t, 7, dep, depURI, true, "app v7"), nil)); !errors.Is(err, verify.ErrUnauthenticated) {
		t.Fatalf("dependency-integrity with an untrusted dependency signer: %v", err)
	}
	d.unchanged(t)
}

// TestInterruptedTwoManifestTreeAtEveryWrite: the power-loss sweep over a
// dependent (writes the application) and its dependency (writes the
// radio), after every write and with torn writes: each component holds its
// old or its new image, no floor is raised unless the whole tree is in
// place, and a re-run completes the update.
func TestInterruptedTwoManifestTreeAtEveryWrite(t *testing.T) {
	k := newTestKey(t)
	oldRadio, newRadio := firmware(1, 2*testdevice.PageSize+9), firmware(2, 3*testdevice.PageSize+1)
	oldApp, newApp := firmware(3, testdevice.PageSize+5), firmware(4, 2*testdevice.PageSize+3)
	dm := writer(5, compRadio, "")
	dm.Install.Sequence.Commands[0] = override(pContent(newRadio))
	dep := seal(t, k, dm, nil)
	root := dependent(t, 9, dep, "#radio.suit", true, "")
	root.Install.Sequence.Commands[len(root.Install.Sequence.Commands)-2] = override(pContent(newApp))
	env := seal(t, k, root, map[string][]byte{"#radio.suit": dep})
	radioKey, appKey := verify.ComponentFloorKey("", compRadio), verify.ComponentFloorKey("", compApp)
	for _, tear := range []bool{false, true} {
		t.Run(fmt.Sprintf("tear=%v", tear), func(t *testing.T) {
			setup := func() *testdevice.Flash {
				f := testdevice.New()
				f.Set(compRadio, oldRadio)
				f.Set(compApp, oldApp)
				if err := f.Raise([]string{radioKey, appKey}, verify.Floor{Sequence: 1}); err != nil {
					t.Fatal(err)
				}
				f.Reboot()
				return f
			}
			update := func(f *testdevice.Flash) error {
				_, err := newDevice(t, f, k, process.Platform{SkipCompatibilityCheckUnsafe: true}, nil).install(env)
				return err
			}
			state := func(t testing.TB, f *testdevice.Flash, n int) (radioNew, appNew bool) {
				r, _ := f.Get(compRadio)
				a, _ := f.Get(compApp)
				switch sum(r) {
				case sum(newRadio):
					radioNew = true
				case sum(oldRadio):
				default:
					t.Fatalf("fault at write %d: radio holds neither image", n)
				}
				switch sum(a) {
				case sum(newApp):
					appNew = true
				case sum(oldApp):
				default:
					t.Fatalf("fault at write %d: app holds neither image", n)
				}
				return radioNew, appNew
			}
			afterFault := func(t testing.TB, f *testdevice.Flash, n int) {
				radioNew, appNew := state(t, f, n)
				rc, _ := f.Counter(radioKey)
				ac, _ := f.Counter(appKey)
				if (rc == 5 || ac == 9) && !(radioNew && appNew) {
					t.Fatalf("fault at write %d: floors radio %d app %d raised before the whole tree was in place", n, rc, ac)
				}
				if ac == 9 && rc != 5 {
					t.Fatalf("fault at write %d: the dependent's floor was raised before its dependency's", n)
				}
			}
			afterResume := func(t testing.TB, f *testdevice.Flash, n int) {
				if radioNew, appNew := state(t, f, n); !radioNew || !appNew {
					t.Fatalf("fault at write %d: the re-run did not finish the tree", n)
				}
				rc, _ := f.Counter(radioKey)
				ac, _ := f.Counter(appKey)
				if rc != 5 || ac != 9 {
					t.Fatalf("fault at write %d: floors radio %d app %d after the re-run", n, rc, ac)
				}
			}
			n := testdevice.ForEachInterruption(t, tear, setup, update, afterFault, afterResume)
			// 4 radio pages + slot switch, 3 app pages + slot switch, and
			// the two floor commits.
			if n != 11 {
				t.Errorf("the update made %d writes, expected 11", n)
			}
			for seed := uint64(1); seed <= 3; seed++ {
				testdevice.RandomInterruptions(t, seed, 4, n, tear, setup, update, afterFault, afterResume)
			}
			t.Logf("tear=%v: %d writes swept", tear, n)
		})
	}
}

// TestDependencySetParametersAndUnlink: what the dependent sets with
// set-parameters on the dependency's index reaches the dependency's
// components (its own set-parameters does not override it), and unlink on
// the dependency's index runs the dependency's uninstall sequence.
func TestDependencySetParametersAndUnlink(t *testing.T) {
	k := prefixKey(t)
	dm := &suit.Manifest{
		Version: 1, SequenceNumber: 2,
		Common: &suit.Common{Components: []suit.ComponentID{compRadio}},
		// The dependency's default content; the dependent's wins.
		Install:   &suit.SeverableSequence{Sequence: seq(suit.Command{ID: suit.DirectiveSetParameters, Params: suit.Parameters{pContent([]byte("default"))}}, cmd(suit.DirectiveWrite))},
		Uninstall: seq(cmd(suit.DirectiveUnlink)),
	}
	dep := seal(t, k, dm, nil)
	root := dependent(t, 3, dep, depURI, true, "app")
	// Before process-dependency in install: set-parameters content on index 1.
	ins := root.Install.Sequence.Commands
	at := 3 // index(1), override(digest), dependency-integrity, | here | process-dependency
	root.Install.Sequence.Commands = append(append(append([]suit.Command{}, ins[:at]...),
		suit.Command{ID: suit.DirectiveSetParameters, Params: suit.Parameters{pContent([]byte("from the dependent"))}}), ins[at:]...)
	d := newDepDevice(t, uriFiles{depURI: dep}, nil, k)
	if rep, err := d.proc.Install(context.Background(), d.ver, seal(t, k, root, nil)); err != nil {
		t.Fatalf("install: %v\n%s", err, rep)
	}
	if b, _ := d.storage.Get(compRadio); string(b) != "from the dependent" {
		t.Fatalf("radio = %q, want the dependent's content", b)
	}
	// A later dependent unlinks the dependency: its uninstall removes radio.
	un := dependent(t, 4, dep, depURI, true, "app 4")
	un.Install.Sequence.Commands = []suit.Command{index(1), override(manifestDigest(t, dep)), cmd(suit.ConditionDependencyIntegrity), cmd(suit.DirectiveUnlink)}
	if rep, err := d.proc.Install(context.Background(), d.ver, seal(t, k, un, nil)); err != nil {
		t.Fatalf("unlink: %v\n%s", err, rep)
	}
	if b, ok := d.storage.Get(compRadio); ok {
		t.Fatalf("radio still holds %q after the dependency was unlinked", b)
	}
	// Unlink of a dependency that was not authenticated aborts.
	bad := dependent(t, 5, dep, depURI, false, "x")
	bad.DependencyResolution.Sequence.Commands = bad.DependencyResolution.Sequence.Commands[:3]
	bad.Install.Sequence.Commands = []suit.Command{index(1), cmd(suit.DirectiveUnlink)}
	if _, err := d.proc.Install(context.Background(), d.ver, seal(t, k, bad, nil)); !errors.Is(err, process.ErrDependency) {
		t.Fatalf("unlink without authentication: %v, want ErrDependency", err)
	}
}

// TestDependencySeesDependentParametersOfSharedComponent: a component both
// manifests name carries the dependent's parameters into the dependency
// (the encryption draft's dependency example writes with content the
// dependent sets); the dependency's own override still wins.
func TestDependencySeesDependentParametersOfSharedComponent(t *testing.T) {
	k := prefixKey(t)
	for _, c := range []struct {
		own  []suit.Command
		want string
	}{
		{[]suit.Command{cmd(suit.DirectiveWrite)}, "from the dependent"},
		{[]suit.Command{override(pContent([]byte("its own"))), cmd(suit.DirectiveWrite)}, "its own"},
	} {
		dm := &suit.Manifest{Version: 1, SequenceNumber: 1, Common: &suit.Common{Components: []suit.ComponentID{compApp}},
			Install: &suit.SeverableSequence{Sequence: seq(c.own...)}}
		dep := seal(t, k, dm, nil)
		root := dependent(t, 2, dep, depURI, true, "")
		d := manifestDigest(t, dep)
		root.Install.Sequence.Commands = []suit.Command{index(0), override(pContent([]byte("from the dependent"))),
			index(1), override(d), cmd(suit.ConditionDependencyIntegrity), cmd(suit.DirectiveProcessDependency)}
		dev := newDepDevice(t, uriFiles{depURI: dep}, nil, k)
		if rep, err := dev.proc.Install(context.Background(), dev.ver, seal(t, k, root, nil)); err != nil {
			t.Fatalf("install: %v\n%s", err, rep)
		}
		if b, _ := dev.storage.Get(compApp); string(b) != c.want {
			t.Errorf("app = %q, want %q", b, c.want)
		}
	}
}
