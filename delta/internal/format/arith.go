package format

import "encoding/binary"

// AppendArith adds the unit-arithmetic diff of one add run (new-image
// offset at) to a word coding: each w-byte unit (w = 4 or 2, aligned in
// the new image) that lies wholly inside the run is coded as LE(new) -
// LE(old) mod 2^(8w), other bytes bytewise. A code pointer or offset that
// moved by a constant then gives the same small diff unit wherever it
// occurs, without the borrow noise of bytewise subtraction. With a64, the
// 32-bit words are taken in AArch64 canonical form (ADRPCanon). A signed
// encoder (w = 4 only) codes negative word diffs as magnitudes.
func AppendArith(enc *WordEncoder, w int, a64 bool, nw, od []byte, at int64) {
	i := 0
	for i < len(nw) {
		p := at + int64(i)
		if p&int64(w-1) == 0 && i+w <= len(nw) {
			if r := CommonPrefix(nw[i:], od[i:]); r >= w {
				i += r &^ (w - 1) // skip whole equal units
				continue
			}
			var d uint32
			switch {
			case a64:
				d = ADRPCanon(binary.LittleEndian.Uint32(nw[i:])) - ADRPCanon(binary.LittleEndian.Uint32(od[i:]))
			case w == 4:
				d = binary.LittleEndian.Uint32(nw[i:]) - binary.LittleEndian.Uint32(od[i:])
			default:
				d = uint32(binary.LittleEndian.Uint16(nw[i:]) - binary.LittleEndian.Uint16(od[i:]))
			}
			neg := false
			if enc.Signed && d >= 1<<31 {
				// Negative word: code the magnitude (layout bit7).
				d, neg = -d, true
			}
			for k := 0; k < w; k++ {
				if v := byte(d >> (8 * k)); v != 0 {
					enc.Add(p+int64(k), v)
				}
			}
			if neg {
				enc.sign = 1
			}
			i += w
			continue
		}
		if v := nw[i] - od[i]; v != 0 {
			enc.Add(p, v)
		}
		i++
	}
}
