package process_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// TestCopyAndCopyParams loads an image into a staging component, then
// copies it into component 0, taking component 0's digest and size from
// component 1 with copy-params (as example 4 does with explicit
// parameters).
func TestCopyAndCopyParams(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(3, 4000)
	m := &suit.Manifest{Version: 1, SequenceNumber: 1,
		Common: &suit.Common{Components: []suit.ComponentID{comp0, comp1}, SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...)},
		Install: &suit.SeverableSequence{Sequence: seq(
			index(1), override(pDigest(t, fw), pSize(len(fw)), pURI("#fw")), cmd(suit.DirectiveFetch),
			index(0),
			suit.Command{ID: suit.DirectiveCopyParams, Copy: []suit.CopyParams{{Source: 1, Keys: []int64{suit.ParamImageDigest, suit.ParamImageSize}}}},
			override(suit.ParamUint(suit.ParamSourceComponent, 1)),
			cmd(suit.DirectiveCopy), cmd(suit.ConditionImageMatch),
		)},
	}
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if rep, err := d.install(seal(t, k, m, map[string][]byte{"#fw": fw})); err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, fw) {
		t.Fatal("copy did not install the image")
	}
	// Copy from a component without content fails as a directive.
	m.SequenceNumber = 2
	m.Install.Sequence.Commands = seq(index(0), override(pDigest(t, fw), pSize(len(fw)), suit.ParamUint(suit.ParamSourceComponent, 1)),
		cmd(suit.DirectiveCopy)).Commands // no fetch into component 1
	flash2 := testdevice.New()
	d2 := newDevice(t, flash2, k, process.Platform{}, nil)
	if _, err := d2.install(seal(t, k, m, nil)); !errors.Is(err, process.ErrOperation) {
		t.Fatalf("copy from an empty component: %v, want ErrOperation", err)
	}
}

func TestSetParametersDoesNotOverride(t *testing.T) {
	set := suit.Command{ID: suit.DirectiveSetParameters, Params: suit.Parameters{pContent([]byte("second"))}}
	_, flash, err := runInstall(t, process.Platform{}, override(pContent([]byte("first"))), set, cmd(suit.DirectiveWrite))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := flash.Get(comp0); string(got) != "first" {
		t.Fatalf("set-parameters replaced a set value: %q", got)
	}
	_, flash, err = runInstall(t, process.Platform{}, set, cmd(suit.DirectiveWrite))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := flash.Get(comp0); string(got) != "second" {
		t.Fatalf("set-parameters did not set an unset value: %q", got)
	}
}

func TestImageMatchWithEveryDigestAlgorithm(t *testing.T) {
	for _, alg := range []int64{suit.AlgSHA256, suit.AlgSHA384, suit.AlgSHA512, suit.AlgSHAKE128, suit.AlgSHAKE256} {
		d, err := suit.ComputeDigest(alg, []byte("factory"))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := suit.ParamDigest(suit.ParamImageDigest, d)
		if _, _, err := runInstall(t, process.Platform{}, override(p), cmd(suit.ConditionImageMatch)); err != nil {
			t.Errorf("alg %d: %v", alg, err)
		}
		d.Value[0] ^= 1
		p, _ = suit.ParamDigest(suit.ParamImageDigest, d)
		if _, _, err := runInstall(t, process.Platform{}, override(p), cmd(suit.ConditionImageMatch)); !errors.Is(err, process.ErrConditionFailed) {
			t.Errorf("alg %d, wrong digest: %v", alg, err)
		}
	}
}

// TestBuilderMultiImageProcessedEndToEnd: envelopes from build.Builder with
// two images, signed by sign, verified by verify, run by the processor.
func TestBuilderMultiImageProcessedEndToEnd(t *testing.T) {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("two-cores"))
	app, radio := firmware(11, 3000), firmware(12, 2000)
	b := build.New(4)
	if err := b.AddImage(build.Image{Component: suit.ComponentID{[]byte("app")}, VendorID: vendor, ClassID: class, Data: app, Integrated: "#app"}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddImage(build.Image{Component: suit.ComponentID{[]byte("radio")}, VendorID: vendor, ClassID: class, Data: radio, Integrated: "#radio"}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := keys.GenerateKey(keys.Ed25519)
	s, _ := sign.ForKey(key, keys.Ed25519)
	if err := sign.Authenticate(env, s); err != nil {
		t.Fatal(err)
	}
	data, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	anchor, _ := verify.NewKey(key.Public, nil)
	dir := t.TempDir()
	st, err := host.OpenDirStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	ver, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	proc, _ := process.New(process.Platform{Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()}, Storage: st}, nil)
	rep, err := proc.Install(context.Background(), ver, data)
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	for id, want := range map[string][]byte{"app": app, "radio": radio} {
		c, err := st.Open([][]byte{[]byte(id)})
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, c.Size())
		c.ReadAt(got, 0)
		c.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("component %s not installed", id)
		}
	}
}

// TestCounterCommittedOnlyAfterSuccess (threats R3): running the update
// without committing leaves the old sequence number, so the device can
// still revert to the old release; once Install commits, the old one is a
// rollback.
func TestCounterCommittedOnlyAfterSuccess(t *testing.T) {
	k := newTestKey(t)
	v1, v2 := firmware(1, 1000), firmware(2, 1000)
	env1 := seal(t, k, fullImage(t, 1, v1), map[string][]byte{"#fw": v1})
	env2 := seal(t, k, fullImage(t, 2, v2), map[string][]byte{"#fw": v2})
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if _, err := d.install(env1); err != nil {
		t.Fatal(err)
	}
	ver2, err := d.ver.Verify(env2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.proc.Update(context.Background(), ver2); err != nil {
		t.Fatal(err)
	}
	// Not confirmed: the new image fails to boot and the device reverts.
	if _, err := d.install(env1); err != nil {
		t.Fatalf("revert to v1 before v2 was committed: %v", err)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, v1) {
		t.Fatal("revert did not reinstall v1")
	}
	if _, err := d.install(env2); err != nil {
		t.Fatal(err)
	}
	if _, err := d.install(env1); !errors.Is(err, verify.ErrRollback) {
		t.Fatalf("v1 after v2 was committed: %v, want ErrRollback", err)
	}
}

func TestInvokeArgsReachInvoker(t *testing.T) {
	inv := &argsInvoker{}
	_, _, err := runInstall(t, process.Platform{Invoker: inv}, override(suit.ParamBytes(suit.ParamInvokeArgs, []byte("--safe-mode"))), cmd(suit.DirectiveInvoke))
	if err != nil || string(inv.args) != "--safe-mode" {
		t.Fatalf("invoke: %v, args %q", err, inv.args)
	}
	if _, _, err := runInstall(t, process.Platform{}, cmd(suit.DirectiveInvoke)); !errors.Is(err, process.ErrOperation) {
		t.Fatalf("invoke without an invoker: %v", err)
	}
}

type argsInvoker struct{ args []byte }

func (a *argsInvoker) Invoke(_ context.Context, _ [][]byte, args []byte) error {
	a.args = args
	return nil
}

func TestUnknownComponentRejected(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 100)
	m := fullImage(t, 1, fw)
	m.Common.Components = []suit.ComponentID{{[]byte("bootloader")}}
	flash := testdevice.New()
	only := func(id [][]byte) bool { return suit.ComponentID(id).Equal(comp0) }
	rep, err := newDevice(t, flash, k, process.Platform{AcceptComponent: only}, nil).install(seal(t, k, m, map[string][]byte{"#fw": fw}))
	if !errors.Is(err, process.ErrComponent) || len(rep.Records) != 0 {
		t.Fatalf("err = %v, %d records", err, len(rep.Records))
	}
	if _, err := newDevice(t, flash, k, process.Platform{AcceptComponent: only}, nil).install(seal(t, k, fullImage(t, 2, fw), map[string][]byte{"#fw": fw})); err != nil {
		t.Fatalf("known component: %v", err)
	}
}
