package format

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// isaTemplates are one instruction of each kind per instruction set, with
// a zero field.
var isaTemplates = map[uint8][][]byte{
	ISAThumb2: {{0x00, 0xF0, 0x00, 0xF8}, {0x00, 0xF0, 0x00, 0x90}},
	ISAARM32:  {{0, 0, 0, 0xEB}, {0, 0, 0, 0xEA}, {0, 0, 0, 0xFA}},
	ISAA64:    {{0, 0, 0, 0x94}, {0, 0, 0, 0x14}, {0, 0, 0, 0x54}, {0, 0, 0, 0xB4}, {0, 0, 0, 0x58}, {0, 0, 0, 0x90}, {0, 0, 0, 0x10}},
	ISAX86:    {{0xE8, 0, 0, 0, 0}, {0xE9, 0, 0, 0, 0}, {0x0F, 0x84, 0, 0, 0, 0}, {0xFF, 0x15, 0, 0, 0, 0}, {0x48, 0x8B, 0x05, 0, 0, 0, 0}, {0x8D, 0x0D, 0, 0, 0, 0}},
	ISAXtensa: {{0x25, 0, 0}, {0x05, 0, 0}, {0x06, 0, 0}, {0x01, 0, 0}},
}

// Every template is recognised with its size, and Field and Put are
// inverse: Put(Field(u)) leaves u as it is, Field(Put(f)) is f, and Put
// changes no bit outside the field.
func TestInsnFieldPutRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for isa, ts := range isaTemplates {
		for _, tmpl := range ts {
			in := MatchInsn(isa, tmpl)
			if in.Size != len(tmpl) {
				t.Fatalf("%s % x: size %d, want %d", ISAName(isa), tmpl, in.Size, len(tmpl))
			}
			for range 1000 {
				f := rng.Uint64() & (1<<in.Bits() - 1)
				u := bytes.Clone(tmpl)
				in.Put(u, f)
				if got := in.Field(u); got != f {
					t.Fatalf("%s % x: Field(Put(%#x)) = %#x", ISAName(isa), tmpl, f, got)
				}
				if m := MatchInsn(isa, u); m != in {
					t.Fatalf("%s: Put changed the instruction class of % x", ISAName(isa), u)
				}
				v := bytes.Clone(u)
				in.Put(v, in.Field(u))
				if !bytes.Equal(u, v) {
					t.Fatalf("%s: Put(Field(u)) changed % x to % x", ISAName(isa), u, v)
				}
				in.Put(v, in.Field(tmpl))
				if !bytes.Equal(v, tmpl) {
					t.Fatalf("%s: Put touched bits outside the field: % x vs template % x", ISAName(isa), v, tmpl)
				}
			}
		}
	}
}

// InsnNewField inverts InsnDiff in both forms, for any positions.
func TestInsnDiffInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for isa, ts := range isaTemplates {
		for _, tmpl := range ts {
			in := MatchInsn(isa, tmpl)
			mask := uint64(1)<<in.Bits() - 1
			for range 1000 {
				fo, fn := rng.Uint64()&mask, rng.Uint64()&mask
				pn, po := rng.Int64N(1<<30), rng.Int64N(1<<30)
				for _, abs := range []bool{false, true} {
					d := in.InsnDiff(fn, fo, pn, po, abs)
					if got := in.InsnNewField(fo, d, pn, po, abs); got != fn {
						t.Fatalf("%s abs=%v: new field %#x, want %#x", ISAName(isa), abs, got, fn)
					}
					if lim := int64(1) << (in.Bits() - 1); d < -lim || d >= lim {
						t.Fatalf("%s: diff %d outside the field width", ISAName(isa), d)
					}
				}
			}
		}
	}
}

// A Thumb-2 BL whose target moved by k codes k (in halfwords) whatever
// the encoding does with the bits: the field is S:I1:I2:imm10:imm11.
func TestThumbBLFieldIsTheOffset(t *testing.T) {
	in := MatchInsn(ISAThumb2, isaTemplates[ISAThumb2][0])
	for _, off := range []int64{0, 1, 0x7FF, 0x800, 0x3FFFFF, -1, -0x800, -0x400000} {
		u := bytes.Clone(isaTemplates[ISAThumb2][0])
		in.Put(u, uint64(off))
		// Decode as the architecture does (ARMv7-M BL, encoding T1).
		h1, h2 := int64(u[0])|int64(u[1])<<8, int64(u[2])|int64(u[3])<<8
		s, j1, j2 := h1>>10&1, h2>>13&1, h2>>11&1
		i1, i2 := 1^(j1^s), 1^(j2^s)
		imm := s<<23 | i1<<22 | i2<<21 | (h1&0x3FF)<<11 | h2&0x7FF
		imm = imm << 40 >> 40 // sign-extend 24 bits
		if imm != off {
			t.Fatalf("offset %d encoded as % x decodes to %d", off, u, imm)
		}
	}
}
