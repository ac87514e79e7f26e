package format

import "encoding/binary"

// Instruction unit coding (transform byte non-zero, format version 2).
//
// The gaps stream has one uvarint per item: the number of add-run bytes
// since the previous item's end (or the block's start). An item starts at
// the first byte where new and old differ, moved back to the start of an
// instruction unit of the block's instruction set that covers it and
// starts after the previous item (the earliest such start); the applier
// finds the same unit from the old bytes, as both sides test the same
// places. The values stream has, per item:
//
//	instruction unit: uvarint(Zigzag(d) << 1 | r), d the field difference
//	  (InsnDiff), then, when r is 1, the unit's bytes XOR those of the old
//	  unit with the new field put in (the bits outside the field that
//	  changed; never all zero);
//	data unit (no instruction unit covers the byte): w = min(4, bytes
//	  left in the add run) bytes from the item's start, uvarint(Zigzag(d))
//	  with d = LE(new) - LE(old) taken as a signed w-byte integer (never 0).

// InstrEncoder builds the instruction unit coding of a block.
type InstrEncoder struct {
	ISA    uint8
	Abs    bool
	gaps   []byte
	values []byte
	zeros  uint64
}

// Transform returns the transform byte of the encoder's coding.
func (e *InstrEncoder) Transform() uint8 {
	if e.Abs {
		return e.ISA | TransformAbs
	}
	return e.ISA
}

// FindItem returns where the item covering the first differing byte i of
// an add run starts, and its instruction unit (zero for a data unit): the
// earliest unit start in [max(from, i-MaxUnit+1), i] that covers i, lies
// at a multiple of the alignment in the old image (old position of the
// run's first byte: oldPos) and fits in the run; od is the run's old bytes.
func FindItem(isa uint8, od []byte, oldPos int64, from, i int) (int, Insn) {
	align := ISAAlign(isa)
	for c := max(from, i-MaxUnit+1); c <= i; c++ {
		if (oldPos+int64(c))%align != 0 {
			continue
		}
		if in := MatchInsn(isa, od[c:]); in.Size > 0 && c+in.Size > i {
			return c, in
		}
	}
	return i, Insn{}
}

// AddRun codes one add run: new and old bytes of equal length, at new
// offset newPos and old offset oldPos.
func (e *InstrEncoder) AddRun(nw, od []byte, newPos, oldPos int64) {
	prevEnd, i := 0, 0
	for i < len(nw) {
		if r := CommonPrefix(nw[i:], od[i:]); r > 0 {
			i += r
			continue
		}
		q, in := FindItem(e.ISA, od, oldPos, prevEnd, i)
		e.gaps = binary.AppendUvarint(e.gaps, e.zeros+uint64(q-prevEnd))
		e.zeros = 0
		if in.Size > 0 {
			u, n := od[q:q+in.Size], nw[q:q+in.Size]
			fn := in.Field(n)
			d := in.InsnDiff(fn, in.Field(u), newPos+int64(q), oldPos+int64(q), e.Abs)
			var t [MaxUnit]byte
			copy(t[:], u)
			in.Put(t[:in.Size], fn)
			var r uint64
			for k := range in.Size {
				t[k] ^= n[k]
				if t[k] != 0 {
					r = 1
				}
			}
			e.values = binary.AppendUvarint(e.values, Zigzag(d)<<1|r)
			if r != 0 {
				e.values = append(e.values, t[:in.Size]...)
			}
			prevEnd = q + in.Size
		} else {
			w := min(4, len(nw)-q)
			e.values = binary.AppendUvarint(e.values, Zigzag(DataUnitDiff(nw[q:q+w], od[q:q+w])))
			prevEnd = q + w
		}
		i = prevEnd
	}
	e.zeros += uint64(len(nw) - prevEnd)
}

// Finish returns the gaps and values streams (values twice: the coding has
// no lane grouping).
func (e *InstrEncoder) Finish() (gaps, values, ordered []byte) {
	return e.gaps, e.values, e.values
}

// DataUnitDiff is LE(nw) - LE(od) as a signed len(nw)-byte integer.
func DataUnitDiff(nw, od []byte) int64 {
	b := uint(8 * len(nw))
	d := uint64(LEUint(nw)) - uint64(LEUint(od))
	return int64(d<<(64-b)) >> (64 - b)
}

// LEUint reads 1 to 4 bytes as a little-endian integer.
func LEUint(b []byte) uint32 {
	var v uint32
	for k := len(b) - 1; k >= 0; k-- {
		v = v<<8 | uint32(b[k])
	}
	return v
}

// Zigzag maps a signed integer to an unsigned one as encoding/binary's signed
// varints do (0, -1, 1, -2, ... to 0, 1, 2, 3, ...).
func Zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// Unzigzag is the inverse of the zigzag mapping of encoding/binary's
// signed varints.
func Unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
