package diffcore

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// TestDiffRepetitiveInputsFinishInLinearTime runs the inputs that make
// bsdiff's scan quadratic (long runs, identical images, unrelated data)
// at 4 MiB and requires each to finish well inside a bound that a
// quadratic algorithm could not meet (4 MiB^2 byte comparisons would take
// hours), generous enough for a loaded 2-core machine. The bound is on the
// process's CPU time where it can be measured (wall time on a shared
// machine measured the neighbours: unrelated-random took 20 s of CPU and
// up to 2m40s of wall time under a load of 15), else on wall time.
func TestDiffRepetitiveInputsFinishInLinearTime(t *testing.T) {
	const n = 4 << 20
	size := n
	bound := 60 * time.Second
	if testing.Short() {
		size = 1 << 20
		bound = 30 * time.Second
	}
	rng := rand.New(rand.NewPCG(21, 22))
	random := coreRandom(rng, size)
	zeros := make([]byte, size)
	ffs := bytes.Repeat([]byte{0xff}, size)
	zerosOne := bytes.Clone(zeros)
	zerosOne[size/2] = '1'
	sparse := bytes.Clone(zeros)
	for i := 0; i < size; i += 997 {
		sparse[i] = byte(rng.IntN(255) + 1)
	}
	periodic := make([]byte, size)
	for i := range periodic {
		periodic[i] = "0123456789"[i%10]
	}
	periodicEdited := bytes.Clone(periodic)
	periodicEdited[size/3] = 'x'
	cases := []struct {
		name     string
		old, new []byte
	}{
		{"all-zeros", zeros, zeros},
		{"all-ff", ffs, ffs},
		{"zeros-to-ff", zeros, ffs},
		{"zeros-one-changed", zeros, zerosOne},
		{"zeros-to-sparse", zeros, sparse},
		{"old-equals-new-random", random, random},
		{"unrelated-random", random, coreRandom(rng, size)},
		{"periodic-one-edit", periodic, periodicEdited},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, cpu := time.Now(), processCPU()
			ctrl, err := computeControls(context.Background(), c.old, c.new, nil)
			if err != nil {
				t.Fatal(err)
			}
			el := time.Since(start)
			if used := processCPU() - cpu; cpu > 0 {
				el = time.Duration(used)
			}
			if el > bound {
				t.Fatalf("matching took %v (bound %v)", el, bound)
			}
			checkControls(t, c.old, c.new, ctrl)
			t.Logf("%d bytes: %d controls in %v", len(c.new), len(ctrl), el)
		})
	}
}
