package format

// AArch64 ADRP canonical form (layout bit5, with 32-bit word arithmetic).
//
// ADRP Xd, label holds a 21-bit page offset split in two fields: immlo in
// bits 30..29 and immhi in bits 23..5. When the data a function refers to
// moves by k pages relative to the code, every such ADRP's offset grows by
// k; but because the low two bits of the offset sit above the high
// nineteen, the 32-bit word difference takes up to four values (with and
// without a carry from immlo into immhi), and LZMA sees noise. In the
// canonical form the offset is one contiguous little-endian field (low 19
// bits in bits 23..5, high 2 bits in bits 30..29), so the same page shift
// gives the same diff word everywhere. The form only permutes bits of
// words in the ADRP encoding class (bit 31 set, bits 28..24 = 10000),
// leaving the class bits and the register in place, so it is a bijection
// on all 32-bit words and maps the ADRP class onto itself.

const (
	ADRPClassMask = 0x9F000000
	ADRPClass     = 0x90000000
	adrpImmLo     = 3 << 29
	adrpImmHi     = 0x7FFFF << 5
)

// ADRPCanon returns w in canonical form (w itself unless it is an ADRP).
func ADRPCanon(w uint32) uint32 {
	if w&ADRPClassMask != ADRPClass {
		return w
	}
	imm := (w>>5&0x7FFFF)<<2 | w>>29&3
	return w&^(adrpImmLo|adrpImmHi) | (imm&0x7FFFF)<<5 | (imm>>19)<<29
}

// ADRPPlain is the inverse of ADRPCanon.
func ADRPPlain(x uint32) uint32 {
	if x&ADRPClassMask != ADRPClass {
		return x
	}
	imm := x>>5&0x7FFFF | (x>>29&3)<<19
	return x&^(adrpImmLo|adrpImmHi) | (imm&3)<<29 | (imm>>2)<<5
}
