package delta

// parallelScanMin is the new-image size from which findSeeds scans the
// two halves of new on two goroutines (a variable so tests can exercise
// the split on small inputs).
var parallelScanMin = 1 << 20

// findSeedsSplit returns exactly the seeds of a single left-to-right scan
// (findSeeds), in about half the wall time on two cores.
//
// A second goroutine scans new from its middle, starting in the scan's
// initial state. Meanwhile the first scans from the start to the middle
// and then on, until it takes a seed that the second scan also took and
// is left in the same state as the second scan was after it (position,
// alignment and rejected range). From there both scans are the same
// function of the same state, so the second scan's later seeds are the
// first's: they are spliced on. The two scans usually meet a few seeds
// past the middle; if they never do, the first scan simply finishes the
// image, which is the sequential result.
func findSeedsSplit(x *index, new []byte) []seed {
	seeds, _ := scanSplit(x, new)
	return seeds
}

// scanSplit is findSeedsSplit; met reports whether the scans met (tests).
func scanSplit(x *index, new []byte) (seeds []seed, met bool) {
	mid := len(new) / 2
	var tail []seed
	var tailStates []scanState
	done := make(chan struct{})
	go func() {
		defer close(done)
		tail, _ = x.scan(new, scanState{i: mid}, len(new), func(_ seed, st scanState) bool {
			tailStates = append(tailStates, st)
			return true
		})
	}()
	head, st := x.scan(new, scanState{}, mid, nil)
	<-done
	j, meet := 0, -1
	more, _ := x.scan(new, st, len(new), func(s seed, st scanState) bool {
		for j < len(tail) && tail[j].n < s.n {
			j++
		}
		if j < len(tail) && tail[j] == s && sameScanState(st, tailStates[j]) {
			meet = j
			return false
		}
		return true
	})
	head = append(head, more...)
	if meet >= 0 {
		head = append(head, tail[meet+1:]...)
	}
	return head, meet >= 0
}

// sameScanState reports whether two scans in states a and b continue
// identically: same position and alignment, and a rejected range with the
// same effect (one that ends at or before the position has none).
func sameScanState(a, b scanState) bool {
	return a.i == b.i && a.off == b.off && max(a.rejectEnd, a.i) == max(b.rejectEnd, b.i)
}
