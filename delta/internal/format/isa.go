package format

import "encoding/binary"

// Instruction units (format version 2).
//
// A block whose transform byte names an instruction set codes its diff in
// "instruction unit" coding: each changed place of an add run is one item,
// either an instruction unit (a branch or address-forming instruction
// recognised in the OLD image at that place) or a data unit of up to four
// bytes coded as a little-endian difference, as in the unit coding. An
// instruction unit's diff is the difference of its offset field (the
// branch or address immediate, gathered from wherever the encoding splits
// it), plus the XOR of any other bits that changed: a call whose target
// moved by k then codes k, whatever the encoding does with the bits of k
// (Thumb-2 BL spreads them over two halfwords with J1/J2 flipped by the
// sign; AArch64 ADRP puts the low two bits above the other nineteen), and
// the rest of the instruction codes nothing. Recognition is done on the
// old image, which the applier has, so it needs no marker and is a
// bijection for any new bytes. With the absolute flag the field is taken
// as a target (field plus the instruction's position in its unit of
// displacement), so a call from moved code to a target that did not move
// codes 0.
//
// Detection, per instruction set (old bytes at the unit's start, which
// must lie at a multiple of the alignment in the old image and leave the
// whole unit inside the add run):
//
//	Thumb-2 (ISAThumb2, 2-byte aligned, 4 bytes): BL and B.W (encoding
//	  T4): first halfword 11110xxxxxxxxxxx, second halfword 11x1... (BL) or
//	  10x1... (B.W); field S:I1:I2:imm10:imm11 (24 bits), target = address
//	  + 4 + 2*field. (BLX to ARM state is not recognised: M-profile cores
//	  have no ARM state.)
//	ARM32 (ISAARM32, 4-byte aligned): B, BL, BLX (immediate):
//	  bits 27..25 = 101; field imm24, target = address + 8 + 4*field.
//	AArch64 (ISAA64, 4-byte aligned): B/BL (imm26), B.cond, CBZ/CBNZ and
//	  LDR (literal) (imm19 in bits 23..5), ADR (immhi:immlo, byte target)
//	  and ADRP (immhi:immlo, 4 KiB page target). The version-1 ADRP
//	  canonical form (layout bit5) is the same idea for ADRP alone.
//	x86-64 (ISAX86, any alignment): CALL/JMP rel32 (E8, E9), Jcc rel32
//	  (0F 80..8F), CALL/JMP [rip+disp32] (FF 15, FF 25), and RIP-relative
//	  MOV/LEA/CMP/ADD/SUB/XOR/TEST/MOVSXD (opcodes 8B 8D 89 3B 39 03 2B 33
//	  85 63, with or without a REX prefix, ModRM mod=00 r/m=101); field the
//	  32-bit displacement, target = end of instruction + field.
//	Xtensa (ISAXtensa, any alignment, 3 bytes, little-endian): CALL0 and
//	  CALL4/8/12 (op0 = 5; offset in bits 23..6, target = (address & ~3) +
//	  4 + 4*offset), J (op0 = 6, n = 0; offset bits 23..6, target = address
//	  + 4 + offset) and L32R (op0 = 1; imm16 in bits 23..8, literal at
//	  ((address + 3) & ~3) + 4*(imm16 - 65536)).
//
// Recognition can match bytes that are not instructions (data, or the
// middle of another instruction); the coding stays exact, only less
// compact there, and the differ keeps the coding only in blocks where it
// makes the patch smaller.

// Instruction sets of the transform byte (low four bits).
const (
	ISANone   = 0
	ISAThumb2 = 1
	ISAARM32  = 2
	ISAA64    = 3
	ISAX86    = 4
	ISAXtensa = 5
	NumISAs   = 6 // one more than the largest
)

// TransformAbs is the transform byte's flag for absolute (target) fields.
const TransformAbs = 1 << 4

// ISAName names an instruction set (for reports and the CLI).
func ISAName(isa uint8) string {
	switch isa {
	case ISANone:
		return "none"
	case ISAThumb2:
		return "thumb2"
	case ISAARM32:
		return "arm32"
	case ISAA64:
		return "aarch64"
	case ISAX86:
		return "x86-64"
	case ISAXtensa:
		return "xtensa"
	}
	return ""
}

// MaxUnit is the largest instruction unit, in bytes.
const MaxUnit = 7

// ISAAlign is the alignment (in the old image) of a unit's start.
func ISAAlign(isa uint8) int64 {
	switch isa {
	case ISAThumb2:
		return 2
	case ISAARM32, ISAA64:
		return 4
	}
	return 1
}

// Insn is a recognised instruction unit: its kind (which fields it has)
// and size in bytes. The zero Insn is no unit.
type Insn struct {
	isa, kind uint8
	Size      int
}

// MatchInsn recognises an instruction unit of isa at the start of old (at
// most the bytes left in the add run). Alignment is the caller's check.
func MatchInsn(isa uint8, old []byte) Insn {
	switch isa {
	case ISAThumb2:
		if len(old) >= 4 {
			h1, h2 := binary.LittleEndian.Uint16(old), binary.LittleEndian.Uint16(old[2:])
			if h1&0xF800 == 0xF000 && (h2&0xD000 == 0xD000 || h2&0xD000 == 0x9000) {
				return Insn{isa, 1, 4}
			}
		}
	case ISAARM32:
		if len(old) >= 4 && binary.LittleEndian.Uint32(old)>>25&7 == 5 {
			return Insn{isa, 1, 4}
		}
	case ISAA64:
		if len(old) >= 4 {
			w := binary.LittleEndian.Uint32(old)
			switch {
			case w&0x7C000000 == 0x14000000:
				return Insn{isa, 1, 4} // B, BL
			case w&0xFF000010 == 0x54000000, w&0x7E000000 == 0x34000000, w&0x3B000000 == 0x18000000:
				return Insn{isa, 2, 4} // B.cond, CBZ/CBNZ, LDR literal
			case w&0x9F000000 == 0x90000000:
				return Insn{isa, 3, 4} // ADRP
			case w&0x9F000000 == 0x10000000:
				return Insn{isa, 4, 4} // ADR
			}
		}
	case ISAX86:
		n := len(old)
		switch {
		case n >= 5 && (old[0] == 0xE8 || old[0] == 0xE9):
			return Insn{isa, 1, 5}
		case n >= 6 && old[0] == 0x0F && old[1]&0xF0 == 0x80:
			return Insn{isa, 2, 6}
		case n >= 6 && old[0] == 0xFF && (old[1] == 0x15 || old[1] == 0x25):
			return Insn{isa, 2, 6}
		case n >= 7 && old[0]&0xF0 == 0x40 && x86RIPOp(old[1]) && old[2]&0xC7 == 0x05:
			return Insn{isa, 3, 7}
		case n >= 6 && x86RIPOp(old[0]) && old[1]&0xC7 == 0x05:
			return Insn{isa, 2, 6}
		}
	case ISAXtensa:
		if len(old) >= 3 {
			switch {
			case old[0]&0x0F == 5:
				return Insn{isa, 1, 3} // CALL0, CALLn
			case old[0]&0x3F == 6:
				return Insn{isa, 2, 3} // J
			case old[0]&0x0F == 1:
				return Insn{isa, 3, 3} // L32R
			}
		}
	}
	return Insn{}
}

func x86RIPOp(op byte) bool {
	switch op {
	case 0x8B, 0x8D, 0x89, 0x3B, 0x39, 0x03, 0x2B, 0x33, 0x85, 0x63:
		return true
	}
	return false
}

// Bits is the width of the unit's field.
func (in Insn) Bits() uint {
	switch in.isa {
	case ISAThumb2, ISAARM32:
		return 24
	case ISAA64:
		switch in.kind {
		case 1:
			return 26
		case 2:
			return 19
		}
		return 21
	case ISAX86:
		return 32
	case ISAXtensa:
		if in.kind == 3 {
			return 16
		}
		return 18
	}
	return 0
}

// Field returns the unit's field (u holds in.Size bytes).
func (in Insn) Field(u []byte) uint64 {
	switch in.isa {
	case ISAThumb2:
		h1, h2 := uint64(binary.LittleEndian.Uint16(u)), uint64(binary.LittleEndian.Uint16(u[2:]))
		s := h1 >> 10 & 1
		i1 := ^(h2>>13 ^ s) & 1
		i2 := ^(h2>>11 ^ s) & 1
		return s<<23 | i1<<22 | i2<<21 | (h1&0x3FF)<<11 | h2&0x7FF
	case ISAARM32:
		return uint64(binary.LittleEndian.Uint32(u) & 0xFFFFFF)
	case ISAA64:
		w := uint64(binary.LittleEndian.Uint32(u))
		switch in.kind {
		case 1:
			return w & 0x3FFFFFF
		case 2:
			return w >> 5 & 0x7FFFF
		}
		return (w>>5&0x7FFFF)<<2 | w>>29&3
	case ISAX86:
		return uint64(binary.LittleEndian.Uint32(u[in.Size-4:]))
	case ISAXtensa:
		x := uint64(u[0]) | uint64(u[1])<<8 | uint64(u[2])<<16
		if in.kind == 3 {
			return x >> 8
		}
		return x >> 6
	}
	return 0
}

// Put stores field f (masked to Bits) into u, leaving the other bits.
func (in Insn) Put(u []byte, f uint64) {
	f &= 1<<in.Bits() - 1
	switch in.isa {
	case ISAThumb2:
		h1, h2 := binary.LittleEndian.Uint16(u), binary.LittleEndian.Uint16(u[2:])
		s := uint16(f >> 23 & 1)
		j1 := ^(uint16(f>>22) ^ s) & 1
		j2 := ^(uint16(f>>21) ^ s) & 1
		h1 = h1&^0x7FF | s<<10 | uint16(f>>11&0x3FF)
		h2 = h2&^0x2FFF | j1<<13 | j2<<11 | uint16(f&0x7FF)
		binary.LittleEndian.PutUint16(u, h1)
		binary.LittleEndian.PutUint16(u[2:], h2)
	case ISAARM32:
		w := binary.LittleEndian.Uint32(u)
		binary.LittleEndian.PutUint32(u, w&^0xFFFFFF|uint32(f))
	case ISAA64:
		w := binary.LittleEndian.Uint32(u)
		switch in.kind {
		case 1:
			w = w&^0x3FFFFFF | uint32(f)
		case 2:
			w = w&^(0x7FFFF<<5) | uint32(f)<<5
		default:
			w = w&^(0x7FFFF<<5|3<<29) | uint32(f>>2)<<5 | uint32(f&3)<<29
		}
		binary.LittleEndian.PutUint32(u, w)
	case ISAX86:
		binary.LittleEndian.PutUint32(u[in.Size-4:], uint32(f))
	case ISAXtensa:
		x := uint32(u[0]) | uint32(u[1])<<8 | uint32(u[2])<<16
		if in.kind == 3 {
			x = x&0xFF | uint32(f)<<8
		} else {
			x = x&0x3F | uint32(f)<<6
		}
		u[0], u[1], u[2] = byte(x), byte(x>>8), byte(x>>16)
	}
}

// Pos is the position term of the absolute form: the unit's address in
// the field's unit of displacement (its target is then Pos + field plus a
// constant of the kind).
func (in Insn) Pos(p int64) uint64 {
	switch in.isa {
	case ISAThumb2:
		return uint64(p >> 1)
	case ISAARM32:
		return uint64(p >> 2)
	case ISAA64:
		switch in.kind {
		case 3:
			return uint64(p >> 12)
		case 4:
			return uint64(p)
		}
		return uint64(p >> 2)
	case ISAXtensa:
		switch in.kind {
		case 1:
			return uint64(p >> 2)
		case 3:
			return uint64((p + 3) >> 2)
		}
	}
	return uint64(p)
}

// InsnDiff returns the coded field difference of a unit: new field minus
// old field (plus, with abs, new position term minus old), sign-extended
// from the field width.
func (in Insn) InsnDiff(fNew, fOld uint64, pNew, pOld int64, abs bool) int64 {
	d := fNew - fOld
	if abs {
		d += in.Pos(pNew) - in.Pos(pOld)
	}
	b := in.Bits()
	return int64(d<<(64-b)) >> (64 - b)
}

// InsnNewField is the inverse of InsnDiff: the new field from the old one.
func (in Insn) InsnNewField(fOld uint64, d int64, pNew, pOld int64, abs bool) uint64 {
	f := fOld + uint64(d)
	if abs {
		f += in.Pos(pOld) - in.Pos(pNew)
	}
	return f & (1<<in.Bits() - 1)
}
