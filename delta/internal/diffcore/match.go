package diffcore

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// control is one bsdiff-style control triple. Semantics are exactly
// bsdiff's: with n the position in new and o the position in old,
//
//	new[n:n+add] = old[o:o+add] + diff bytes (bytewise, mod 256); n += add; o += add
//	new[n:n+copy] = next copy bytes of the extra stream;           n += copy
//	o += seek (may be negative)
//
// computeControls may return a first triple with add == copy == 0 (only a
// seek); no later triple makes zero progress. The seek of the last triple
// is 0.
type control struct{ add, copy, seek int64 }

// seed is an exact match new[n:n+l] == old[o:o+l] that starts an alignment
// (old position - new position) chosen by the scan.
type seed struct{ n, o, l int }

// Tuning of the scan. See findSeeds.
const (
	// switchGain: a new alignment is taken only when its exact match is
	// longer than what the current alignment matches over the same bytes
	// by more than this many bytes (a control record costs a few bytes).
	// minSeedLen: shorter exact matches are never taken. (Both tuned on
	// the bench firmware: 4-6 and 10-16 were worse overall.)
	switchGain = 8
	minSeedLen = 8
	// extendMatch/extendMismatch weigh matching and mismatching bytes
	// when an alignment is extended past its exact seed: it is extended
	// while matches make up more than 5/11 of the bytes. A mismatch costs
	// a gap and a value in the diff streams, more than a literal extra
	// byte costs after compression, so extension pays off below bsdiff's
	// 1/2 (measured on the bench firmware: 6/5 beat 1/1, 2/1, 3/2, 4/3,
	// 5/3, 5/4, 8/7 and 3/1; libjvm -3.3% against 1/1).
	extendMatch    = 6
	extendMismatch = 5
	// aheadWindow/aheadNeed: after a mismatch, the current alignment is
	// kept without searching when at least aheadNeed of the next
	// aheadWindow bytes still match (a changed pointer or constant, not
	// the end of the alignment).
	aheadWindow = 16
	aheadNeed   = 15
)

// cancelCheck is how many positions of new the scan covers between two
// checks of the Diff call's context.
const cancelCheck = 64 << 10

// cancelled reports whether the Diff call that owns x was cancelled.
func (x *index) cancelled() bool {
	select {
	case <-x.done:
		return true
	default:
		return false
	}
}

// maxDiffInput is the largest old or new image Diff accepts: the suffix
// array uses int32 indices.
const maxDiffInput = math.MaxInt32 - 1

// computeControls computes bsdiff-style control triples that turn old into
// new (see control for their meaning). The diff and extra bytes follow from
// the triples: diff = new - old over each add run, extra = the copy runs.
func computeControls(ctx context.Context, old, new []byte, opt *Options) ([]control, error) {
	if err := checkDiffInput(old, new); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var seeds []seed
	if len(old) > 0 && len(new) > 0 {
		x := newIndex(old, len(old) >= opt.sparseIndexFrom())
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x.done = ctx.Done()
		seeds = findSeeds(x, new, opt.scanWorkers())
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return seedsToControls(old, new, seeds), nil
}

// ErrInputTooLarge: an image is larger than MaxInput bytes.
var ErrInputTooLarge = errors.New("delta: input too large to diff")

// MaxInput is the largest old or new image the differ accepts.
const MaxInput = maxDiffInput

// checkDiffInput rejects images too large for the differ.
func checkDiffInput(old, new []byte) error {
	if len(old) > maxDiffInput || len(new) > maxDiffInput {
		return fmt.Errorf("%w: input of %d/%d bytes exceeds the %d-byte diff limit", ErrInputTooLarge, len(old), len(new), maxDiffInput)
	}
	return nil
}

// findSeeds scans new once, left to right, keeping a current alignment.
// Exact runs along the alignment are skipped in one step; an isolated
// mismatch (the alignment still matches most of the next bytes) is
// absorbed as a diff byte. Only where the alignment breaks down is the
// suffix array searched, and a found match becomes a new alignment only
// when it beats the current alignment by more than switchGain bytes. An
// accepted match is skipped whole, so the scan does O(1) searches per
// mismatch cluster and never rescans a long match: time is near-linear
// even on repetitive input.
func findSeeds(x *index, new []byte, workers int) []seed {
	if w := workers; len(new) >= parallelScanMin && w >= 2 {
		return findSeedsSplit(x, new, w)
	}
	seeds, _ := x.scan(new, scanState{}, len(new), nil)
	return seeds
}

// scanState is the whole state of findSeeds' scan at a position: two
// scans that reach the same state continue identically.
type scanState struct {
	i         int // position in new
	off       int // old position - new position of the current alignment
	rejectEnd int // searches are skipped below this position
}

// scan runs findSeeds' scan from st while st.i < limit, appending the
// seeds it takes. after, when not nil, is called with each seed and the
// state right after it; the scan stops early when it returns false.
func (x *index) scan(new []byte, st scanState, limit int, after func(seed, scanState) bool) ([]seed, scanState) {
	old := x.old
	var seeds []seed
	i, off := st.i, st.off
	// A rejected candidate [i0, rejectEnd) stays rejected for every later
	// start inside it (its gain can only shrink), so no search is repeated
	// there: this keeps the scan linear where matches are long.
	rejectEnd := st.rejectEnd
	nextCheck := i + cancelCheck
	for i < limit {
		if i >= nextCheck {
			if x.cancelled() {
				break // computeControls reports the context's error
			}
			nextCheck = i + cancelCheck
		}
		o := i + off
		if o >= 0 && o < len(old) {
			if r := commonPrefix(new[i:], old[o:]); r > 0 {
				i += r
				continue
			}
			if aheadMatches(new, old, i+1, o+1) >= aheadNeed {
				i++
				continue
			}
		}
		if i < rejectEnd {
			i++
			continue
		}
		pos, l := x.longest(new[i:], o)
		if l > minSeedLen {
			if l-countMatches(new[i:i+l], old, o) > switchGain {
				s := seed{n: i, o: pos, l: l}
				seeds = append(seeds, s)
				off = pos - i
				i += l
				if after != nil && !after(s, scanState{i, off, rejectEnd}) {
					break
				}
				continue
			}
			rejectEnd = i + l
		}
		i++
	}
	return seeds, scanState{i, off, rejectEnd}
}

// aheadMatches counts matching bytes of new[i:] and old[o:] over the next
// aheadWindow positions.
func aheadMatches(new, old []byte, i, o int) int {
	c := 0
	for k := 0; k < aheadWindow && i+k < len(new) && o+k < len(old); k++ {
		if new[i+k] == old[o+k] {
			c++
		}
	}
	return c
}

// countMatches counts positions k where b[k] == old[o+k], treating
// positions outside old as mismatches.
func countMatches(b, old []byte, o int) int {
	c := 0
	for k := range b {
		if p := o + k; p >= 0 && p < len(old) && b[k] == old[p] {
			c++
		}
	}
	return c
}

// seedsToControls turns the chosen alignments into control triples. Each
// alignment is extended forwards from its seed and the next one backwards
// (approximately: the extension maximises a weighted score of matches and
// mismatches, so it stops where the alignment stops paying for itself); an overlap of the two
// is split where the total number of matching bytes is largest; what is
// left between them becomes extra (literal) bytes.
func seedsToControls(old, new []byte, seeds []seed) []control {
	var ctrl []control
	prev := seed{} // virtual start: alignment 0 at position 0
	for k := 0; k <= len(seeds); k++ {
		end := len(new)
		var next seed
		last := k == len(seeds)
		if !last {
			next = seeds[k]
			end = next.n
		}
		// Forward extension of prev over [prev.n, end).
		f, best, score := 0, 0, 0
		for p := prev.n; p < end && prev.o+(p-prev.n) < len(old); p++ {
			if new[p] == old[prev.o+(p-prev.n)] {
				score += extendMatch
			} else {
				score -= extendMismatch
			}
			if score > best || p-prev.n < prev.l {
				best, f = score, p-prev.n+1
			}
		}
		// Backward extension of next over (prev.n+prev.l, next.n].
		b := 0
		if !last {
			best, score = 0, 0
			for d := 1; next.n-d >= prev.n+prev.l && next.o-d >= 0; d++ {
				if new[next.n-d] == old[next.o-d] {
					score += extendMatch
				} else {
					score -= extendMismatch
				}
				if score > best {
					best, b = score, d
				}
			}
		}
		// Split an overlap at the point that keeps the most matches.
		if ov := prev.n + f - (next.n - b); !last && ov > 0 {
			lo := next.n - b
			gain, bestGain, split := 0, 0, lo
			for p := lo; p < prev.n+f; p++ {
				if new[p] == old[prev.o+(p-prev.n)] {
					gain++
				}
				if new[p] == old[next.o+(p-next.n)] {
					gain--
				}
				if gain > bestGain {
					bestGain, split = gain, p+1
				}
			}
			f = split - prev.n
			b = next.n - split
		}
		if last {
			ctrl = append(ctrl, control{add: int64(f), copy: int64(end - prev.n - f)})
			break
		}
		c := control{
			add:  int64(f),
			copy: int64((next.n - b) - (prev.n + f)),
			seek: int64((next.o - b) - (prev.o + f)),
		}
		if c.add == 0 && c.copy == 0 && len(ctrl) > 0 {
			ctrl[len(ctrl)-1].seek += c.seek
		} else {
			ctrl = append(ctrl, c)
		}
		prev = seed{n: next.n - b, o: next.o - b, l: next.l + b}
	}
	if n := len(ctrl); n > 0 && ctrl[n-1].add == 0 && ctrl[n-1].copy == 0 {
		ctrl = ctrl[:n-1]
	}
	return ctrl
}
