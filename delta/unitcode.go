package delta

import (
	"errors"
)

// Unit coding (layout bit6): the diff of a block is coded as little-endian
// arithmetic units that start wherever a diff byte is non-zero, whatever
// the alignment. At the first new-image byte p of an add run whose new
// and old bytes differ (after the previous unit), a unit of w =
// min(4, run end - p) bytes starts; its diff is d = LE(new[p:p+w]) -
// LE(old[p:p+w]) mod 2^(8w). When d >= 2^(8w-1) the unit is negative and
// codes the magnitude 2^(8w) - d, which the applier subtracts with
// borrows (a decrement is then 01, not FF FF FF FF); otherwise it codes d,
// which the applier adds with carries. The gaps stream has per unit a
// uvarint (zeros<<4 | negative<<3 | mask>>1), zeros being the count of
// add-run bytes since the previous unit's end (or the block's start) and
// mask the non-zero bytes of the coded value (bit 0, the first byte, is
// always set); the values stream has the non-zero bytes,
// grouped by their index in the unit (all first bytes, then second,
// third, fourth) or, with layout bit2, in position order. A displacement
// or pointer at any alignment (x86 rel32, Xtensa, Thumb) that moved then
// gives its change as one small number instead of a change plus borrow
// bytes.

// unitDiff decodes the unit coding. A unit may span the applier's chunks:
// its bytes are added one at a time with the carry kept between calls.
type unitDiff struct {
	gaps []byte
	laneValues
	zeros uint64 // add-run bytes before the pending unit
	mask  uint64 // pending or current unit's non-zero bytes (0: none left)
	width int    // bytes of the current unit (0: not started)
	k     int    // next byte of the current unit
	carry uint32 // carry (or borrow, when neg) into the next byte
	neg   bool   // the unit's value is subtracted
}

func newUnitDiff(gaps, values []byte, ordered bool) (*unitDiff, error) {
	var count [4]int
	for g := gaps; len(g) > 0; {
		v, err := nextUvarint(&g)
		if err != nil {
			return nil, errors.New("gap stream: " + err.Error())
		}
		m := v&7<<1 | 1
		for k := 0; k < 4; k++ {
			count[k] += int(m >> k & 1)
		}
	}
	lv, err := newLaneValues(values, count, ordered)
	if err != nil {
		return nil, err
	}
	d := &unitDiff{gaps: gaps, laneValues: lv}
	return d, d.next()
}

// next loads the next unit's zero count and mask (mask 0: no more units).
func (d *unitDiff) next() error {
	d.mask, d.width, d.k, d.carry, d.neg = 0, 0, 0, 0, false
	if len(d.gaps) == 0 {
		return nil
	}
	v, err := nextUvarint(&d.gaps)
	if err != nil {
		return errors.New("gap stream: " + err.Error())
	}
	d.zeros, d.neg, d.mask = v>>4, v>>3&1 != 0, v&7<<1|1
	return nil
}

func (d *unitDiff) apply(chunk []byte, pos, _, runEnd int64) error {
	n := uint64(len(chunk))
	i := uint64(0)
	for d.mask != 0 {
		if d.width == 0 {
			// Pending unit: skip its zeros, then start it.
			if d.zeros >= n-i {
				d.zeros -= n - i
				return nil
			}
			i += d.zeros
			d.zeros = 0
			d.width = int(min(4, runEnd-(pos+int64(i))))
			if d.mask>>d.width != 0 {
				return errors.New("diff unit reaches past its add run")
			}
		}
		for ; d.k < d.width; d.k++ {
			if i == n {
				return nil
			}
			var v byte
			if d.mask>>d.k&1 != 0 {
				var err error
				if v, err = d.value(d.k); err != nil {
					return err
				}
			}
			if d.neg {
				s := uint32(chunk[i]) - uint32(v) - d.carry
				chunk[i], d.carry = byte(s), s>>31
			} else {
				s := uint32(chunk[i]) + uint32(v) + d.carry
				chunk[i], d.carry = byte(s), s>>8
			}
			i++
		}
		if err := d.next(); err != nil {
			return err
		}
	}
	return nil
}

func (d *unitDiff) done() bool { return d.mask == 0 && len(d.gaps) == 0 }
