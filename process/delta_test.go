package process_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

// mutate returns a copy of img with firmware-like edits: a few changed
// words, an insertion and a deletion.
func mutate(img []byte, seed uint64) []byte {
	out := bytes.Clone(img)
	for i := 100; i+4 < len(out); i += 997 {
		out[i] ^= byte(seed)
		out[i+3]++
	}
	mid := len(out) / 2
	ins := firmware(seed+100, 300)
	out = append(out[:mid], append(ins, out[mid:]...)...)
	if len(out) > 2000 {
		out = append(out[:1000], out[1200:]...)
	}
	return out
}

func deltaEnvelope(t testing.TB, k testKey, seqNo uint64, oldImg, newImg []byte) ([]byte, *suit.Manifest, []byte) {
	t.Helper()
	u := &build.DeltaUpdate{Sequence: seqNo}
	copy(u.VendorID[:], testVendor)
	copy(u.ClassID[:], testClass)
	env, patch, err := u.Build(oldImg, newImg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, k.signer); err != nil {
		t.Fatal(err)
	}
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b, env.Manifest, patch
}

func patchComponent() suit.ComponentID {
	return suit.ComponentID{{0x00}, []byte("suitkit-patch")}
}

func TestDeltaUpdateEndToEnd(t *testing.T) {
	k := newTestKey(t)
	v1 := firmware(7, 40000)
	v2 := mutate(v1, 3)
	env, _, patch := deltaEnvelope(t, k, 2, v1, v2)
	if len(patch) >= len(v2)/4 {
		t.Errorf("patch is %d bytes for a %d-byte image; expected a small delta", len(patch), len(v2))
	}
	flash := testdevice.New()
	flash.Set(comp0, v1)
	d := newDevice(t, flash, k, process.Platform{}, nil)
	rep, err := d.install(env)
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, v2) {
		t.Fatal("device does not hold v2")
	}
	if _, ok := flash.Get(patchComponent()); ok {
		t.Fatal("the temporary patch component was not removed")
	}
	applied := false
	for _, r := range rep.Records {
		if r.Command == suit.DirectiveApplyDelta && r.Outcome == process.OK {
			applied = true
		}
	}
	if !applied {
		t.Fatalf("no successful apply-delta record:\n%s", rep)
	}
	// Re-running the same envelope finds v2 in place and changes nothing.
	if rep, err := d.install(env); err != nil {
		t.Fatalf("re-run: %v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, v2) {
		t.Fatal("re-run changed the image")
	}
}

// TestWrongPrecursorImage: the device's image differs by one byte from the
// precursor the patch was made for. The authenticated precursor digest
// fails before the patch is fetched or applied.
func TestWrongPrecursorImage(t *testing.T) {
	k := newTestKey(t)
	v1 := firmware(7, 20000)
	v2 := mutate(v1, 3)
	env, _, _ := deltaEnvelope(t, k, 2, v1, v2)
	wrong := bytes.Clone(v1)
	wrong[12345] ^= 1
	flash := testdevice.New()
	flash.Set(comp0, wrong)
	d := newDevice(t, flash, k, process.Platform{}, nil)
	rep, err := d.install(env)
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("err = %v, want ErrConditionFailed", err)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, wrong) {
		t.Fatal("image changed")
	}
	if _, ok := flash.Get(patchComponent()); ok {
		t.Fatal("the patch was fetched although the precursor did not match")
	}
	for _, r := range rep.Records {
		if r.Command == suit.DirectiveFetch || r.Command == suit.DirectiveApplyDelta {
			t.Fatalf("%s ran:\n%s", suit.CommandName(r.Command), rep)
		}
	}
	if _, ok := flash.Counter(comp0Floor); ok {
		t.Fatal("counter committed")
	}
}

// TestDeltaPatchTamperedInEnvelope replaces the integrated patch with
// another valid patch (for a different target): the patch digest stops it
// before it is applied.
func TestDeltaPatchTamperedInEnvelope(t *testing.T) {
	k := newTestKey(t)
	v1 := firmware(7, 20000)
	v2, v3 := mutate(v1, 3), mutate(v1, 4)
	env, _, _ := deltaEnvelope(t, k, 2, v1, v2)
	_, _, otherPatch := deltaEnvelope(t, k, 2, v1, v3)
	e, err := suit.Parse(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Integrated[build.DefaultPatchURI] = otherPatch
	tampered, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	flash := testdevice.New()
	flash.Set(comp0, v1)
	_, err = newDevice(t, flash, k, process.Platform{}, nil).install(tampered)
	if !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("err = %v, want ErrPayloadMismatch", err)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, v1) {
		t.Fatal("image changed")
	}
}

func TestInterruptedDeltaInstallAtEveryWrite(t *testing.T) {
	k := newTestKey(t)
	v1 := firmware(9, 8*testdevice.PageSize)
	v2 := mutate(v1, 5)
	env, m, _ := deltaEnvelope(t, k, 3, v1, v2)
	for _, tear := range []bool{false, true} {
		t.Run(fmt.Sprintf("tear=%v", tear), func(t *testing.T) {
			n := sweepUpdate(t, tear, k, env, m, v1, v2, 2)
			if n < 10 {
				t.Errorf("only %d writes swept", n)
			}
		})
	}
}
