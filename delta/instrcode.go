package delta

import (
	"encoding/binary"
	"errors"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// instrDiff decodes the instruction unit coding (format version 2; see
// delta/internal/format/instr.go and isa.go). An item may straddle two
// chunks of the applier: it is computed whole, from the chunk's old bytes
// and the old bytes just after the chunk (ahead), and the bytes that
// belong to the next chunk are kept in carry.
type instrDiff struct {
	isa     uint8
	abs     bool
	align   int64
	gaps    []byte
	values  []byte
	zeros   uint64 // add-run bytes before the pending item
	pending bool   // an item is pending
	carry   []byte // new bytes of an item that started in the previous chunk
	buf     [format.MaxUnit]byte
}

func newInstrDiff(transform uint8, gaps, values []byte) (*instrDiff, error) {
	isa := transform &^ format.TransformAbs
	d := &instrDiff{isa: isa, abs: transform&format.TransformAbs != 0, align: format.ISAAlign(isa), gaps: gaps, values: values}
	return d, d.next()
}

func (d *instrDiff) next() error {
	d.pending = false
	if len(d.gaps) == 0 {
		return nil
	}
	v, err := nextUvarint(&d.gaps)
	if err != nil {
		return errors.New("gap stream: " + err.Error())
	}
	d.zeros, d.pending = v, true
	return nil
}

// apply is never called: the applier calls applyAt, which also needs the
// old position and the old bytes after the chunk.
func (d *instrDiff) apply(chunk []byte, pos, runStart, runEnd int64) error {
	return errors.New("instruction unit coding applied without old positions")
}

// applyAt adds the diff to chunk, the old bytes of new-image positions
// [pos, pos+len(chunk)) read from old position oldPos, inside the add run
// that ends at runEnd; ahead holds the old bytes after the chunk (up to
// MaxUnit-1, not past runEnd).
func (d *instrDiff) applyAt(chunk []byte, pos, runEnd, oldPos int64, ahead []byte) error {
	i := copy(chunk, d.carry)
	d.carry = d.carry[i:]
	if len(d.carry) > 0 {
		return nil
	}
	for d.pending {
		left := uint64(len(chunk) - i)
		if d.zeros >= left {
			d.zeros -= left
			return nil
		}
		i += int(d.zeros)
		d.zeros = 0
		q, oq := pos+int64(i), oldPos+int64(i)
		var ob [format.MaxUnit]byte
		n := copy(ob[:], chunk[i:])
		n += copy(ob[n:], ahead)
		n = int(min(int64(n), runEnd-q))
		var in format.Insn
		if oq%d.align == 0 {
			in = format.MatchInsn(d.isa, ob[:n])
		}
		v, err := nextUvarint(&d.values)
		if err != nil {
			return errors.New("value stream: " + err.Error())
		}
		nb := d.buf[:0]
		if in.Size > 0 {
			u := ob[:in.Size]
			f := in.InsnNewField(in.Field(u), format.Unzigzag(v>>1), q, oq, d.abs)
			nb = append(nb, u...)
			in.Put(nb, f)
			if v&1 != 0 {
				if len(d.values) < in.Size {
					return errors.New("value stream ends inside an instruction residual")
				}
				var any byte
				for k := range in.Size {
					nb[k] ^= d.values[k]
					any |= d.values[k]
				}
				if any == 0 {
					return errors.New("all-zero instruction residual")
				}
				d.values = d.values[in.Size:]
			}
		} else {
			w := min(4, n)
			dv := format.Unzigzag(v)
			lim := int64(1) << (8*w - 1)
			if dv == 0 || dv < -lim || dv >= lim {
				return errors.New("data unit difference zero or out of range")
			}
			var le [4]byte
			binary.LittleEndian.PutUint32(le[:], format.LEUint(ob[:w])+uint32(dv))
			nb = append(nb, le[:w]...)
		}
		k := copy(chunk[i:], nb)
		if k < len(nb) {
			d.carry = nb[k:]
		}
		i += len(nb)
		if err := d.next(); err != nil {
			return err
		}
		if i >= len(chunk) {
			return nil
		}
	}
	return nil
}

func (d *instrDiff) done() bool { return !d.pending && len(d.values) == 0 && len(d.carry) == 0 }
