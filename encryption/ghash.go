package encryption

import "encoding/binary"

// GHASH (NIST SP 800-38D section 6.4) for streaming AES-GCM decryption:
// the standard library's GCM only opens a whole message at once, which
// would need the whole image in memory. fastGHASH (ghash_fast.go) is used
// when it can be; this table implementation is the reference it is tested
// against and the fallback. Field elements are held as two
// big-endian 64-bit halves; in GCM's bit order the first bit (the most
// significant of hi) is the coefficient of x^0, so multiplying by x is a
// right shift, with x^128 = x^7 + x^2 + x + 1 folded back in as 0xe1 at
// the top. The multiplication by H uses a table of the 16 multiples of H
// by a 4-bit polynomial and processes the other operand a nibble at a time
// (Horner's rule with steps of x^4).

type gfElem struct{ hi, lo uint64 }

// mulX returns v·x.
func (v gfElem) mulX() gfElem {
	carry := v.lo & 1
	v.lo = v.lo>>1 | v.hi<<63
	v.hi >>= 1
	if carry != 0 {
		v.hi ^= 0xe1 << 56
	}
	return v
}

// reduce4 is what shifting four bits out of the low end adds at the high
// end (indexed by those four bits).
var reduce4 = func() (t [16]uint64) {
	for i := range t {
		v := gfElem{0, uint64(i)}
		for range 4 {
			v = v.mulX()
		}
		t[i] = v.hi
	}
	return t
}()

type ghash struct {
	table [16]gfElem // table[n] = n(x)·H, n's most significant bit the x^0 coefficient
	y     gfElem
	buf   [16]byte
	nbuf  int
}

func newGHASH(h [16]byte) *ghash {
	g := &ghash{}
	hx := gfElem{binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:])}
	var pow [4]gfElem // H, H·x, H·x², H·x³
	pow[0] = hx
	for i := 1; i < 4; i++ {
		pow[i] = pow[i-1].mulX()
	}
	for n := 1; n < 16; n++ {
		var v gfElem
		for b := 0; b < 4; b++ {
			if n&(8>>b) != 0 {
				v.hi ^= pow[b].hi
				v.lo ^= pow[b].lo
			}
		}
		g.table[n] = v
	}
	return g
}

// mulH sets g.y = g.y·H.
func (g *ghash) mulH() {
	var z gfElem
	x := g.y
	for i := 31; i >= 0; i-- {
		var nib uint64
		if i < 16 {
			nib = (x.hi >> (60 - 4*uint(i))) & 0xf
		} else {
			nib = (x.lo >> (60 - 4*uint(i-16))) & 0xf
		}
		// z = z·x^4 + nib·H
		rem := z.lo & 0xf
		z.lo = z.lo>>4 | z.hi<<60
		z.hi = z.hi>>4 ^ reduce4[rem]
		z.hi ^= g.table[nib].hi
		z.lo ^= g.table[nib].lo
	}
	g.y = z
}

func (g *ghash) block(b []byte) {
	g.y.hi ^= binary.BigEndian.Uint64(b[:8])
	g.y.lo ^= binary.BigEndian.Uint64(b[8:16])
	g.mulH()
}

// write absorbs data (the ciphertext, in pieces of any length).
func (g *ghash) write(p []byte) {
	if g.nbuf > 0 {
		n := copy(g.buf[g.nbuf:], p)
		g.nbuf += n
		p = p[n:]
		if g.nbuf < 16 {
			return
		}
		g.block(g.buf[:])
		g.nbuf = 0
	}
	for len(p) >= 16 {
		g.block(p[:16])
		p = p[16:]
	}
	g.nbuf = copy(g.buf[:], p)
}

// pad completes a partial block with zeros (between AAD and ciphertext).
func (g *ghash) pad() {
	if g.nbuf > 0 {
		clear(g.buf[g.nbuf:])
		g.block(g.buf[:])
		g.nbuf = 0
	}
}

// sum pads, absorbs the length block (bit lengths of AAD and ciphertext)
// and returns GHASH.
func (g *ghash) sum(aadLen, ctLen uint64) [16]byte {
	g.pad()
	var lb [16]byte
	binary.BigEndian.PutUint64(lb[:8], aadLen*8)
	binary.BigEndian.PutUint64(lb[8:], ctLen*8)
	g.block(lb[:])
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], g.y.hi)
	binary.BigEndian.PutUint64(out[8:], g.y.lo)
	return out
}
