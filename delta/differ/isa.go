package differ

import (
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// ISA names an instruction set whose branch and address transforms Diff
// can use (patch format version 2; see package delta for what each one
// recognises). Diff tries them per block and keeps one only where it makes
// the block smaller, so a patch never grows for them.
type ISA uint8

// Instruction sets.
const (
	Thumb2  ISA = 1 // ARM Thumb-2: BL, B.W
	ARM32   ISA = 2 // ARM (A32): B, BL, BLX
	AArch64 ISA = 3 // B/BL, B.cond, CBZ/CBNZ, LDR literal, ADR, ADRP
	X86_64  ISA = 4 // rel32 CALL/JMP/Jcc, RIP-relative operands
	Xtensa  ISA = 5 // CALL0/CALLn, J, L32R
)

// AllISAs returns every instruction set, in the order of their constants.
func AllISAs() []ISA { return []ISA{Thumb2, ARM32, AArch64, X86_64, Xtensa} }

// String returns the instruction set's name as ParseISA reads it.
func (i ISA) String() string {
	if i > 0 && int(i) < format.NumISAs {
		return format.ISAName(uint8(i))
	}
	return fmt.Sprintf("ISA(%d)", uint8(i))
}

// ParseISA returns the instruction set named s (thumb2, arm32, aarch64,
// x86-64, xtensa; case-insensitive).
func ParseISA(s string) (ISA, error) {
	for _, i := range AllISAs() {
		if strings.EqualFold(s, i.String()) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown instruction set %q (want one of thumb2, arm32, aarch64, x86-64, xtensa)", s)
}
