package format

import "encoding/binary"

// WordEncoder builds the word coding incrementally, as the differ finds
// non-zero diff bytes in increasing new-image positions.
type WordEncoder struct {
	gaps    []byte
	lanes   [4][]byte
	ordered []byte
	last    int64 // last word written to gaps
	cur     int64 // word being collected
	mask    uint64
	// Signed: entries are (gap<<5 | sign<<4 | mask), sign set when the
	// word's 32-bit diff is negative and its magnitude is coded
	Signed bool
	sign   uint64
}

// Reset starts a block whose first byte is at new-image offset blockStart.
func (w *WordEncoder) Reset(blockStart int64) {
	w.gaps = w.gaps[:0]
	w.ordered = w.ordered[:0]
	for k := range w.lanes {
		w.lanes[k] = w.lanes[k][:0]
	}
	w.last = blockStart>>2 - 1
	w.mask, w.sign = 0, 0
}

// Add records the non-zero diff byte v at new-image offset pos (offsets
// must increase).
func (w *WordEncoder) Add(pos int64, v byte) {
	if wd := pos >> 2; wd != w.cur || w.mask == 0 {
		w.flushWord()
		w.cur = wd
	}
	w.mask |= 1 << (pos & 3)
	w.lanes[pos&3] = append(w.lanes[pos&3], v)
	w.ordered = append(w.ordered, v)
}

func (w *WordEncoder) flushWord() {
	if w.mask != 0 {
		gap := uint64(w.cur - w.last - 1)
		if w.Signed {
			gap = gap<<1 | w.sign
		}
		w.gaps = binary.AppendUvarint(w.gaps, gap<<4|w.mask)
		w.sign = 0
		w.last = w.cur
		w.mask = 0
	}
}

// Finish returns the gap stream and the lane-grouped and position-ordered
// value streams of the block.
func (w *WordEncoder) Finish() (gaps, values, ordered []byte) {
	w.flushWord()
	n := 0
	for _, l := range w.lanes {
		n += len(l)
	}
	values = make([]byte, 0, n)
	for _, l := range w.lanes {
		values = append(values, l...)
	}
	return w.gaps, values, w.ordered
}

// UnitEncoder builds the unit coding of a block.
type UnitEncoder struct {
	gaps    []byte
	lanes   [4][]byte
	ordered []byte
	zeros   uint64
}

// AddRun codes one whole add run (new and old bytes of equal length).
func (u *UnitEncoder) AddRun(nw, od []byte) {
	i := 0
	for i < len(nw) {
		if r := CommonPrefix(nw[i:], od[i:]); r > 0 {
			u.zeros += uint64(r)
			i += r
			continue
		}
		w := min(4, len(nw)-i)
		lim := uint64(1) << (8 * w)
		d := (uint64(LEUint(nw[i:i+w])) - uint64(LEUint(od[i:i+w]))) & (lim - 1)
		var sign uint64
		if d >= lim/2 {
			// Negative: code the magnitude, which the applier subtracts.
			d, sign = lim-d, 1
		}
		var mask uint64
		for k := 0; k < w; k++ {
			if v := byte(d >> (8 * k)); v != 0 {
				mask |= 1 << k
				u.lanes[k] = append(u.lanes[k], v)
				u.ordered = append(u.ordered, v)
			}
		}
		u.gaps = binary.AppendUvarint(u.gaps, u.zeros<<4|sign<<3|mask>>1)
		u.zeros = 0
		i += w
	}
}

// Finish returns the gaps stream and the lane-grouped and ordered values.
func (u *UnitEncoder) Finish() (gaps, values, ordered []byte) {
	n := 0
	for _, l := range u.lanes {
		n += len(l)
	}
	values = make([]byte, 0, n)
	for _, l := range u.lanes {
		values = append(values, l...)
	}
	return u.gaps, values, u.ordered
}
