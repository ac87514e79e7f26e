package process_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// sweepUpdate runs the every-write power-loss sweep for one envelope that
// takes component 0 from oldImg to newImg with sequence number newSeq.
// After every fault the component must hold the old or the new image (never
// anything else), the counter must not claim the new sequence number
// unless the new image is in place, and a re-run must finish the update.
func sweepUpdate(t *testing.T, tear bool, k testKey, env []byte, m *suit.Manifest, oldImg, newImg []byte, oldSeq uint64) int {
	t.Helper()
	id := verify.ComponentFloorKey("", comp0)
	oldSum, newSum := sum(oldImg), sum(newImg)
	setup := func() *testdevice.Flash {
		f := testdevice.New()
		f.Set(comp0, oldImg)
		if err := f.Raise([]string{id}, verify.Floor{Sequence: oldSeq}); err != nil {
			t.Fatal(err)
		}
		f.Reboot() // restart the operation count after factory setup
		return f
	}
	update := func(f *testdevice.Flash) error {
		_, err := newDevice(t, f, k, process.Platform{}, nil).install(env)
		return err
	}
	afterFault := func(t testing.TB, f *testdevice.Flash, n int) {
		img, ok := f.Get(comp0)
		s := sum(img)
		if !ok || (s != oldSum && s != newSum) {
			t.Fatalf("fault at write %d: component holds neither the old nor the new image (%d bytes)", n, len(img))
		}
		if c, _ := f.Counter(id); c == m.SequenceNumber && s != newSum {
			t.Fatalf("fault at write %d: sequence number %d committed but the new image is not in place", n, c)
		}
	}
	afterResume := func(t testing.TB, f *testdevice.Flash, n int) {
		img, _ := f.Get(comp0)
		if !bytes.Equal(img, newImg) {
			t.Fatalf("fault at write %d: after the re-run the component does not hold the new image", n)
		}
		if c, _ := f.Counter(id); c != m.SequenceNumber {
			t.Fatalf("fault at write %d: counter %d after the re-run, want %d", n, c, m.SequenceNumber)
		}
	}
	n := testdevice.ForEachInterruption(t, tear, setup, update, afterFault, afterResume)
	// Several interruptions in a row (perm_with_random_fails).
	for seed := uint64(1); seed <= 5; seed++ {
		testdevice.RandomInterruptions(t, seed, 5, n, tear, setup, update, afterFault, afterResume)
	}
	return n
}

func TestInterruptedInstallAtEveryWrite(t *testing.T) {
	k := newTestKey(t)
	v1, v2 := firmware(1, 5*testdevice.PageSize+100), firmware(2, 6*testdevice.PageSize+7)
	m := fullImage(t, 2, v2)
	env := seal(t, k, m, map[string][]byte{"#fw": v2})
	for _, tear := range []bool{false, true} {
		t.Run(fmt.Sprintf("tear=%v", tear), func(t *testing.T) {
			n := sweepUpdate(t, tear, k, env, m, v1, v2, 1)
			// 7 pages, the slot switch and the counter commit.
			if n != 9 {
				t.Errorf("the update made %d writes, expected 9", n)
			}
		})
	}
}

// TestInterruptedInPlaceInstallIsDetected is the control for the sweep: a
// device that overwrites the image in place (no staging) is corrupted by a
// power loss, and the same checks catch it.
func TestInterruptedInPlaceInstallIsDetected(t *testing.T) {
	k := newTestKey(t)
	v1, v2 := firmware(1, 3*testdevice.PageSize), firmware(2, 3*testdevice.PageSize)
	m := fullImage(t, 2, v2)
	env := seal(t, k, m, map[string][]byte{"#fw": v2})
	corrupt := 0
	for n := 1; n <= 3; n++ {
		f := testdevice.New()
		f.Set(comp0, v1)
		f.InPlaceUnsafe()
		f.FailAt(n, true)
		_, err := newDevice(t, f, k, process.Platform{}, nil).install(env)
		if !errors.Is(err, testdevice.ErrPowerLoss) {
			t.Fatalf("write %d: %v", n, err)
		}
		f.Reboot()
		img, _ := f.Get(comp0)
		if s := sum(img); s != sum(v1) && s != sum(v2) {
			corrupt++
		}
	}
	if corrupt != 3 {
		t.Fatalf("in-place writes left a corrupt image after %d of 3 faults, want all 3", corrupt)
	}
}
