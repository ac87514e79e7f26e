package diffcore

import (
	"sync"
)

// parallelScanMin is the new-image size from which findSeeds splits the
// scan of new into chunks scanned on several goroutines (tests call
// findSeedsSplit and scanSplit directly to exercise it on small inputs).
const parallelScanMin = 1 << 20

// scanChunks is how many chunks findSeedsSplit cuts new into: more than
// the goroutines, so chunks that scan slowly do not leave a core idle.
const scanChunks = 8

// findSeedsSplit returns exactly the seeds of a single left-to-right scan
// (findSeeds), in about 1/workers of the wall time.
func findSeedsSplit(x *index, new []byte, workers int) []seed {
	seeds, _ := scanSplit(x, new, scanChunks, workers)
	return seeds
}

// chunkScan is the speculative scan of one chunk.
type chunkScan struct {
	seeds  []seed
	states []scanState // the state after each seed
	end    scanState   // the state where the scan left the chunk
}

// scanSplit cuts new into chunks and scans each from its start in the
// scan's initial state, on up to workers goroutines. Only the first
// chunk's scan is the sequential one; the others are speculative. They are
// then joined in order: from the sequential state at a chunk's start, the
// scan runs on until it takes a seed that the chunk's scan also took and
// is left in the same state as the chunk's scan was after it (position,
// alignment and rejected range). From there both are the same function of
// the same state, so the chunk's later seeds and its end state are the
// sequential scan's. The scans usually meet a few seeds into the chunk;
// if they do not, the joining scan covers the chunk itself. met counts
// the chunks joined by meeting (tests).
func scanSplit(x *index, new []byte, chunks, workers int) (seeds []seed, met int) {
	size := (len(new) + chunks - 1) / chunks
	scans := make([]chunkScan, chunks)
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	for range min(workers, chunks) {
		wg.Go(func() {
			for c := range next {
				cs := &scans[c]
				start := min(c*size, len(new))
				cs.seeds, cs.end = x.scan(new, scanState{i: start}, min(start+size, len(new)), func(_ seed, st scanState) bool {
					cs.states = append(cs.states, st)
					return true
				})
			}
		})
	}
	wg.Wait()
	seeds, st := scans[0].seeds, scans[0].end
	for c := 1; c < chunks; c++ {
		cs := &scans[c]
		limit := min((c+1)*size, len(new))
		j, meet := 0, -1
		more, end := x.scan(new, st, limit, func(s seed, after scanState) bool {
			for j < len(cs.seeds) && cs.seeds[j].n < s.n {
				j++
			}
			if j < len(cs.seeds) && cs.seeds[j] == s && sameScanState(after, cs.states[j]) {
				meet = j
				return false
			}
			return true
		})
		seeds = append(seeds, more...)
		if meet >= 0 {
			seeds = append(seeds, cs.seeds[meet+1:]...)
			st = cs.end
			met++
		} else {
			st = end
		}
	}
	return seeds, met
}

// sameScanState reports whether two scans in states a and b continue
// identically: same position and alignment, and a rejected range with the
// same effect (one that ends at or before the position has none).
func sameScanState(a, b scanState) bool {
	return a.i == b.i && a.off == b.off && max(a.rejectEnd, a.i) == max(b.rejectEnd, b.i)
}
