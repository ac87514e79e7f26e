package delta

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// unitRuns makes add runs of old bytes and new bytes that differ by
// moved displacements at every alignment, up and down, carries and
// borrows included.
func unitRuns(r *rand.Rand, runs int) (olds, news [][]byte) {
	for range runs {
		n := 1 + r.IntN(300)
		od := make([]byte, n)
		for i := range od {
			od[i] = byte(r.IntN(256))
		}
		nw := bytes.Clone(od)
		for p := r.IntN(8); p < n; p += 1 + r.IntN(12) {
			v := uint32(r.IntN(1 << (8 * (1 + r.IntN(3)))))
			if r.IntN(2) == 0 {
				v = -v // decrements: negative units, borrows
			}
			for k := 0; k < 4 && p+k < n; k++ {
				s := uint32(nw[p+k]) + v&0xFF
				nw[p+k] = byte(s)
				v = v>>8 + s>>8
			}
		}
		olds, news = append(olds, od), append(news, nw)
	}
	return olds, news
}

// Units split across the applier's chunks at any point (the carry is kept
// between calls) still rebuild new exactly, in both value orders.
func TestUnitCodingSurvivesAnyChunking(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 50 {
		olds, news := unitRuns(r, 1+r.IntN(20))
		var enc format.UnitEncoder
		for i := range olds {
			enc.AddRun(news[i], olds[i])
		}
		gaps, lanes, ordered := enc.Finish()
		for _, ord := range []bool{false, true} {
			values := lanes
			if ord {
				values = ordered
			}
			d, err := newUnitDiff(gaps, values, ord)
			if err != nil {
				t.Fatal(err)
			}
			var pos int64
			for i := range olds {
				got := bytes.Clone(olds[i])
				runStart, runEnd := pos, pos+int64(len(got))
				for off := 0; off < len(got); {
					k := min(len(got)-off, 1+r.IntN(7))
					if err := d.apply(got[off:off+k], runStart+int64(off), runStart, runEnd); err != nil {
						t.Fatalf("trial %d run %d: %v", trial, i, err)
					}
					off += k
				}
				if !bytes.Equal(got, news[i]) {
					t.Fatalf("trial %d ordered=%v run %d: output differs", trial, ord, i)
				}
				pos = runEnd
			}
			if !d.done() {
				t.Fatalf("trial %d: unused units", trial)
			}
		}
	}
}

// A unit whose mask reaches past the end of its add run is malformed, not
// a write past the run.
func TestUnitMaskPastRunEndRejected(t *testing.T) {
	// One unit, zeros 0, mask 0b1111 (coded as mask>>1 = 7), four values;
	// the run has two bytes.
	d, err := newUnitDiff([]byte{7}, []byte{1, 2, 3, 4}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.apply(make([]byte, 2), 0, 0, 2); err == nil {
		t.Fatal("apply accepted a unit reaching past its run")
	}
}

// Value counts that disagree with the masks are rejected up front.
func TestUnitValueCountMismatchRejected(t *testing.T) {
	if _, err := newUnitDiff([]byte{7}, []byte{1, 2}, false); err == nil {
		t.Fatal("newUnitDiff accepted 2 values for a 4-byte mask")
	}
}
