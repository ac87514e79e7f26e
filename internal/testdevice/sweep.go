package testdevice

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// ForEachInterruption is the every-write power-loss sweep (after MCUboot's
// perm_with_fails). It runs update once on setup() to count its write
// operations N, then for every n in 1..N: a fresh device from setup, a
// power loss at write n (torn when tear is set), Reboot, afterFault on what
// survived, update again on the same device (the resume or re-apply), and
// afterResume. update must fail with ErrPowerLoss when the fault hits. It
// returns N.
func ForEachInterruption(t testing.TB, tear bool, setup func() *Flash, update func(*Flash) error,
	afterFault, afterResume func(t testing.TB, f *Flash, n int)) int {
	t.Helper()
	clean := setup()
	if err := update(clean); err != nil {
		t.Fatalf("clean run: %v", err)
	}
	total := clean.Ops()
	if total == 0 {
		t.Fatal("clean run made no writes")
	}
	for n := 1; n <= total; n++ {
		f := setup()
		f.FailAt(n, tear)
		err := update(f)
		if !f.Faulted() {
			t.Fatalf("write %d/%d: the fault was never reached", n, total)
		}
		if !errors.Is(err, ErrPowerLoss) {
			t.Fatalf("write %d/%d: update returned %v, want ErrPowerLoss", n, total, err)
		}
		f.Reboot()
		afterFault(t, f, n)
		if err := update(f); err != nil {
			t.Fatalf("write %d/%d: re-run after reboot: %v", n, total, err)
		}
		afterResume(t, f, n)
	}
	return total
}

// RandomInterruptions interrupts one update several times in a row (after
// MCUboot's perm_with_random_fails): starting from setup(), it runs update
// with a power loss at a random write (seeded, so failures reproduce),
// reboots, calls afterFault, and repeats faults times; then it runs update
// without a fault and calls afterResume. maxOps bounds the random write
// number (use the clean run's count from ForEachInterruption).
func RandomInterruptions(t testing.TB, seed uint64, faults, maxOps int, tear bool, setup func() *Flash,
	update func(*Flash) error, afterFault, afterResume func(t testing.TB, f *Flash, n int)) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0))
	f := setup()
	for i := 0; i < faults; i++ {
		n := 1 + r.IntN(maxOps)
		f.FailAt(n, tear)
		err := update(f)
		if f.Faulted() && !errors.Is(err, ErrPowerLoss) {
			t.Fatalf("seed %d fault %d at write %d: update returned %v, want ErrPowerLoss", seed, i, n, err)
		}
		f.Reboot()
		afterFault(t, f, n)
	}
	if err := update(f); err != nil {
		t.Fatalf("seed %d: final run after %d interruptions: %v", seed, faults, err)
	}
	afterResume(t, f, 0)
}
