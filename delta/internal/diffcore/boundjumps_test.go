package diffcore

import (
	"slices"
	"testing"
)

// boundJumps turns add runs shorter than format.MinJumpAdd that jump into
// literals, keeping every other record's old positions; the differ's
// patches then always pass the applier's rule.
func TestDiffBoundsShortJumps(t *testing.T) {
	recs := []record{
		{seek: 0, add: 3, copy: 1},   // starts where the (empty) previous run ended: kept
		{seek: 100, add: 5, copy: 2}, // jumps, short: becomes literals
		{seek: -50, add: 9},          // jumps, long enough: kept, its seek absorbs the 5
		{seek: 0, add: 2, copy: 4},   // continues: kept
		{seek: 7, add: 7},            // short jump: literals
	}
	positions := func(rs []record) (starts []int64, out int64) {
		var o int64
		for _, r := range rs {
			o += r.seek
			if r.add > 0 {
				starts = append(starts, o)
			}
			o += r.add
			out += r.add + r.copy
		}
		return starts, out
	}
	_, wantOut := positions(recs)
	got := boundJumps(append([]record(nil), recs...))
	want := []record{{0, 3, 1}, {100, 0, 7}, {-45, 9, 0}, {0, 2, 4}, {7, 0, 7}}
	if !slices.Equal(got, want) {
		t.Fatalf("boundJumps = %v, want %v", got, want)
	}
	if starts, out := positions(got); out != wantOut || !slices.Equal(starts, []int64{0, 58, 67}) {
		t.Fatalf("add runs start at %v, output %d (want %d)", starts, out, wantOut)
	}
}
