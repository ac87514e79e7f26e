package process_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// oldWithComponentID is the first bypass of issue 9 item 8: an old,
// validly signed manifest that declares a manifest-component-id, which on
// 9d84ca8 gave it a rollback counter of its own.
func oldWithComponentID(t *testing.T, seqNo uint64, fw []byte) *suit.Manifest {
	m := fullImage(t, seqNo, fw)
	m.ManifestComponentID = &suit.ComponentID{[]byte("fresh"), {0x01}}
	return m
}

// oldWithTryEachIdentity is the second bypass: vendor and class are set
// inside a try-each of the shared sequence, not at its top level, so on
// 9d84ca8 the manifest's identity was "" and its counter fresh.
func oldWithTryEachIdentity(t *testing.T, seqNo uint64, fw []byte) *suit.Manifest {
	m := fullImage(t, seqNo, fw)
	alt := seq(compat(testClass, pDigest(t, fw), pSize(len(fw)))...)
	m.Common.SharedSequence = seq(tryEach(false, alt, alt))
	return m
}

// TestRollbackBypassesRefused is issue 9 item 8 through the library on a
// directory device with a state file: after sequence 10 is installed,
// neither old manifest (sequence 3) installs, whatever identity it
// declares; the device keeps image 10 and its state. On 9d84ca8 both
// installed (the state file gained a second line).
func TestRollbackBypassesRefused(t *testing.T) {
	for name, build := range map[string]func(*testing.T, uint64, []byte) *suit.Manifest{
		"manifest-component-id": oldWithComponentID,
		"try-each vendor/class": oldWithTryEachIdentity,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			k := newTestKey(t)
			img10, img3 := firmware(10, 4096), firmware(3, 4096)
			d := newDirRun(t, dir, k, nil)
			if _, err := d.proc.Install(t.Context(), d.ver, seal(t, k, fullImage(t, 10, img10), map[string][]byte{"#fw": img10})); err != nil {
				t.Fatal(err)
			}
			state, _ := os.ReadFile(filepath.Join(dir, "rollback.state"))
			rep, err := d.proc.Install(t.Context(), d.ver, seal(t, k, build(t, 3, img3), map[string][]byte{"#fw": img3}))
			if !errors.Is(err, verify.ErrRollback) || rep == nil || rep.Committed {
				t.Fatalf("old manifest: %v, want ErrRollback", err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "comp.00")); !bytes.Equal(got, img10) {
				t.Fatal("the old manifest replaced image 10")
			}
			if after, _ := os.ReadFile(filepath.Join(dir, "rollback.state")); !bytes.Equal(after, state) {
				t.Fatalf("the state changed:\n%s\nwas\n%s", after, state)
			}
			// Verified before image 10 was committed, the same manifest is
			// stopped by the check under the lock, before the component
			// is written.
			fresh := t.TempDir()
			f := newDirRun(t, fresh, k, nil)
			stale, err := f.ver.Verify(seal(t, k, build(t, 3, img3), map[string][]byte{"#fw": img3}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.proc.Install(t.Context(), f.ver, seal(t, k, fullImage(t, 10, img10), map[string][]byte{"#fw": img10})); err != nil {
				t.Fatal(err)
			}
			if _, err := f.proc.Update(t.Context(), stale); !errors.Is(err, process.ErrSuperseded) || !errors.Is(err, verify.ErrRollback) {
				t.Fatalf("stale old manifest: %v, want ErrSuperseded", err)
			}
			if got, _ := os.ReadFile(filepath.Join(fresh, "comp.00")); !bytes.Equal(got, img10) {
				t.Fatal("the stale old manifest replaced image 10")
			}
		})
	}
}

// twoSlots is a manifest over comp0 and comp1 that installs fw into the
// first of them whose image does not match yet, chosen by a try-each.
func twoSlots(t *testing.T, seqNo uint64, fw []byte) *suit.Manifest {
	install := func(i uint64) *suit.CommandSequence {
		return seq(index(i), override(pDigest(t, fw), pSize(len(fw))), cmd(suit.ConditionImageNotMatch),
			override(pURI("#fw")), cmd(suit.DirectiveFetch))
	}
	return &suit.Manifest{
		Version:        1,
		SequenceNumber: seqNo,
		Common: &suit.Common{
			Components:     []suit.ComponentID{comp0, comp1},
			SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...),
		},
		Install: &suit.SeverableSequence{Sequence: seq(index(0), tryEach(false, install(0), install(1)))},
	}
}

// TestRollbackTryEachChosenComponent: a component a try-each may choose
// counts as written. Sequence 10 installs its image into comp0 (comp1 is
// raised too: the manifest could have written it); an older manifest is
// refused whichever slot it would choose, and writes neither.
func TestRollbackTryEachChosenComponent(t *testing.T) {
	k := newTestKey(t)
	img10, img3 := firmware(10, 1000), firmware(3, 1000)
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if rep, err := d.install(seal(t, k, twoSlots(t, 10, img10), map[string][]byte{"#fw": img10})); err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	for _, c := range []suit.ComponentID{comp0, comp1} {
		if n, ok := flash.Counter(verify.ComponentFloorKey("", c)); !ok || n != 10 {
			t.Fatalf("floor of %s = %d %v, want 10", c, n, ok)
		}
	}
	if _, err := d.install(seal(t, k, twoSlots(t, 3, img3), map[string][]byte{"#fw": img3})); !errors.Is(err, verify.ErrRollback) {
		t.Fatalf("old manifest choosing a slot: %v", err)
	}
	if _, ok := flash.Get(comp1); ok {
		t.Fatal("the old manifest wrote comp1")
	}
}

// copyFrom1 copies comp1 into comp0: comp1 is only read.
func copyFrom1(t *testing.T, seqNo uint64, fw []byte) *suit.Manifest {
	return &suit.Manifest{
		Version:        1,
		SequenceNumber: seqNo,
		Common: &suit.Common{
			Components:     []suit.ComponentID{comp0, comp1},
			SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...),
		},
		Install: &suit.SeverableSequence{Sequence: seq(index(0),
			override(pDigest(t, fw), pSize(len(fw)), suit.ParamUint(suit.ParamSourceComponent, 1)),
			cmd(suit.DirectiveCopy), cmd(suit.ConditionImageMatch))},
	}
}

// TestRollbackReadOnlySourceNotFloored: a component a manifest only
// reads (the source of a copy) is neither checked nor raised, so another
// series may read what a newer one wrote; the component written is.
func TestRollbackReadOnlySourceNotFloored(t *testing.T) {
	k := newTestKey(t)
	img := firmware(20, 800)
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	one := fullImage(t, 20, img)
	one.Common.Components = []suit.ComponentID{comp1}
	if _, err := d.install(seal(t, k, one, map[string][]byte{"#fw": img})); err != nil {
		t.Fatal(err)
	}
	rep, err := d.install(seal(t, k, copyFrom1(t, 5, img), nil))
	if err != nil {
		t.Fatalf("copy from a component with a higher floor: %v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, img) {
		t.Fatal("comp0 does not hold the copy")
	}
	if n, _ := flash.Counter(verify.ComponentFloorKey("", comp1)); n != 20 {
		t.Fatalf("floor of the source = %d, want 20", n)
	}
	if n, _ := flash.Counter(verify.ComponentFloorKey("", comp0)); n != 5 {
		t.Fatalf("floor of the copy = %d, want 5", n)
	}
}

// TestRollbackEqualSequence: re-installing the manifest that set a floor
// is allowed (an idempotent retry), another manifest with the same
// sequence number is not (on 9d84ca8 it overwrote the component).
func TestRollbackEqualSequence(t *testing.T) {
	k := newTestKey(t)
	a, b := firmware(1, 700), firmware(2, 700)
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	envA := seal(t, k, fullImage(t, 8, a), map[string][]byte{"#fw": a})
	for range 2 {
		if rep, err := d.install(envA); err != nil || !rep.Committed {
			t.Fatalf("install (again): %v", err)
		}
	}
	_, err := d.install(seal(t, k, fullImage(t, 8, b), map[string][]byte{"#fw": b}))
	var re *verify.RollbackError
	if !errors.As(err, &re) || re.Manifest == "" {
		t.Fatalf("another manifest with sequence 8: %v", err)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, a) {
		t.Fatal("the other manifest overwrote the component")
	}
}
