package delta

import (
	"github.com/suitkit/suitkit/delta/internal/format"

	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// The diff bytes of a block (new - old over its add runs, bytewise) are
// mostly zero. They are coded sparsely, in one of two ways, as the gap
// stream (positions) and the value stream (the non-zero bytes):
//
// Byte coding: for each non-zero byte, a uvarint count of the zero diff
// bytes before it (counting only bytes inside add runs, since the previous
// non-zero byte or the block start); values in order.
//
// Word coding: positions are taken in the new image, in 4-byte words
// (word = offset/4). For each word holding a non-zero diff byte, a uvarint
// (gap<<4 | mask), where gap is the number of words skipped since the
// previous such word (or since the word before the block's first output
// byte) and mask has bit k set when byte k of the word is non-zero. Values
// are either grouped by lane (all values of lane 0, i.e. byte 0 of a word,
// in word order, then lanes 1, 2 and 3) or, with the "ordered" flag, in
// position order. Fixed-width instruction sets (AArch64, RISC-V) change
// the same bytes of each instruction, so lanes have distinct statistics
// and masks repeat; Thumb and Xtensa code gains from the word positions
// but not from lanes.

// diffSource yields the diff bytes for consecutive add runs.
type diffSource interface {
	// apply adds the diff for the new-image bytes [pos, pos+len(chunk))
	// to chunk. The chunk belongs to the add run [runStart, runEnd); a
	// chunk that ends before runEnd ends at a multiple of 4.
	apply(chunk []byte, pos, runStart, runEnd int64) error
	// done reports whether every coded non-zero byte was used.
	done() bool
}

func newDiffSource(b *format.BlockHeader, gaps, values []byte, blockStart int64) (diffSource, error) {
	if b.Transform != 0 {
		return newInstrDiff(b.Transform, gaps, values)
	}
	if b.Units {
		return newUnitDiff(gaps, values, b.Ordered)
	}
	if b.Words {
		d, err := newWordDiff(gaps, values, blockStart, b.Ordered, b.Signed)
		if d != nil {
			d.arith, d.a64 = b.Arith, b.A64
		}
		return d, err
	}
	d := &byteDiff{gaps: gaps, values: values}
	return d, d.next()
}

// byteDiff decodes the byte coding.
type byteDiff struct {
	gaps, values []byte
	zeros        uint64 // zero bytes before the pending non-zero one
	pending      bool   // a non-zero value is pending
}

func (d *byteDiff) next() error {
	if len(d.gaps) == 0 {
		if len(d.values) != 0 {
			return errors.New("more diff values than gaps")
		}
		d.pending = false
		return nil
	}
	g, err := nextUvarint(&d.gaps)
	if err != nil {
		return fmt.Errorf("gap stream: %v", err)
	}
	if len(d.values) == 0 {
		return errors.New("more diff gaps than values")
	}
	d.zeros, d.pending = g, true
	return nil
}

func (d *byteDiff) apply(chunk []byte, _, _, _ int64) error {
	i := uint64(0)
	n := uint64(len(chunk))
	for d.pending {
		if d.zeros >= n-i {
			d.zeros -= n - i
			return nil
		}
		i += d.zeros
		if d.values[0] == 0 {
			return errors.New("zero byte in the diff value stream")
		}
		chunk[i] += d.values[0]
		d.values = d.values[1:]
		i++
		if err := d.next(); err != nil {
			return err
		}
	}
	return nil
}

func (d *byteDiff) done() bool { return !d.pending && len(d.values) == 0 }

// wordDiff decodes the word coding.
type wordDiff struct {
	gaps []byte
	laneValues
	word int64 // current word index
	mask uint64
	// arith: 0, or the width (2 or 4) of the little-endian units that are
	// added with carries when they lie wholly inside an add run
	arith int
	a64   bool // 32-bit units are added in AArch64 canonical form
	// signed (32-bit arithmetic only): gap entries carry a sign bit; a
	// negative word's magnitude is subtracted
	signed, neg bool
}

func newWordDiff(gaps, values []byte, blockStart int64, ordered, signed bool) (*wordDiff, error) {
	// Count the values of each lane to find where each lane starts.
	var count [4]int
	for g := gaps; len(g) > 0; {
		v, err := nextUvarint(&g)
		if err != nil {
			return nil, fmt.Errorf("gap stream: %v", err)
		}
		m := v & 15
		if m == 0 {
			return nil, errors.New("word with an empty byte mask")
		}
		for k := 0; k < 4; k++ {
			count[k] += int(m >> k & 1)
		}
	}
	lv, err := newLaneValues(values, count, ordered)
	if err != nil {
		return nil, err
	}
	d := &wordDiff{gaps: gaps, laneValues: lv, word: blockStart>>2 - 1, signed: signed}
	return d, d.next()
}

// next loads the next word's mask (mask 0 = no more words).
func (d *wordDiff) next() error {
	if d.neg {
		return errors.New("sign bit on a word that is not a whole arithmetic unit")
	}
	d.mask = 0
	if len(d.gaps) == 0 {
		return nil
	}
	v, err := nextUvarint(&d.gaps)
	if err != nil {
		return err
	}
	if d.signed {
		d.neg = v>>4&1 != 0
		v = v>>5<<4 | v&15
	}
	gap := int64(v >> 4)
	if gap < 0 || gap > (1<<62)-d.word {
		return errors.New("word gap out of range")
	}
	d.word += gap + 1
	d.mask = v & 15
	return nil
}

// laneValues holds a diff block's non-zero values, grouped by lane
// (position mod 4) or, with the "ordered" layout, in position order. Word
// and unit codings share it.
type laneValues struct {
	lanes   [4][]byte
	ordered []byte // values in position order (nil when grouped by lane)
}

// newLaneValues splits values into lanes of count[k] values each, or keeps
// them in position order; the counts come from the gap stream's masks and
// must add up to len(values).
func newLaneValues(values []byte, count [4]int, ordered bool) (laneValues, error) {
	var lv laneValues
	if count[0]+count[1]+count[2]+count[3] != len(values) {
		return lv, errors.New("value count differs from the masks' bit count")
	}
	if ordered {
		lv.ordered = values
		return lv, nil
	}
	for k := 0; k < 4; k++ {
		lv.lanes[k] = values[:count[k]]
		values = values[count[k]:]
	}
	return lv, nil
}

// value returns the next value for lane k.
func (l *laneValues) value(k int) (byte, error) {
	src := &l.lanes[k]
	if l.ordered != nil {
		src = &l.ordered
	}
	v := (*src)[0]
	if v == 0 {
		return 0, errors.New("zero byte in the diff value stream")
	}
	*src = (*src)[1:]
	return v, nil
}

func (d *wordDiff) apply(chunk []byte, pos, runStart, runEnd int64) error {
	end := pos + int64(len(chunk))
	for d.mask != 0 {
		k := bits.TrailingZeros64(d.mask)
		p := d.word<<2 + int64(k)
		if d.arith != 0 {
			// The arithmetic unit holding byte k.
			w := int64(d.arith)
			u0 := p &^ (w - 1)
			if u0 >= runStart && u0+w <= runEnd && u0 >= pos {
				if u0 >= end {
					return nil
				}
				if u0+w > end {
					return errors.New("arithmetic unit split across chunks") // the applier never does this
				}
				if err := d.addUnit(chunk[u0-pos:u0-pos+w], int(u0-d.word<<2)); err != nil {
					return err
				}
				if d.mask == 0 {
					if err := d.next(); err != nil {
						return err
					}
				}
				continue
			}
		}
		if p >= end {
			return nil
		}
		if p < pos {
			return errors.New("non-zero diff byte outside the add runs")
		}
		v, err := d.value(k)
		if err != nil {
			return err
		}
		chunk[p-pos] += v
		d.mask &^= 1 << k
		if d.mask == 0 {
			if err := d.next(); err != nil {
				return err
			}
		}
	}
	return nil
}

// addUnit adds the diff unit whose bytes are mask bits [first,
// first+len(dst)) to dst as a little-endian integer (with carries), and
// clears those mask bits.
func (d *wordDiff) addUnit(dst []byte, first int) error {
	var dw [4]byte
	for k := first; k < first+len(dst); k++ {
		if d.mask&(1<<k) == 0 {
			continue
		}
		v, err := d.value(k)
		if err != nil {
			return err
		}
		dw[k-first] = v
		d.mask &^= 1 << k
	}
	switch {
	case len(dst) == 4:
		v := binary.LittleEndian.Uint32(dw[:])
		if d.neg {
			v, d.neg = -v, false
		}
		w := binary.LittleEndian.Uint32(dst)
		if d.a64 {
			w = format.ADRPPlain(format.ADRPCanon(w) + v)
		} else {
			w += v
		}
		binary.LittleEndian.PutUint32(dst, w)
	default:
		binary.LittleEndian.PutUint16(dst, binary.LittleEndian.Uint16(dst)+binary.LittleEndian.Uint16(dw[:]))
	}
	return nil
}

func (d *wordDiff) done() bool { return d.mask == 0 && len(d.gaps) == 0 }
