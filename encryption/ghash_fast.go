package encryption

import (
	"crypto/cipher"
	"encoding/binary"
)

// fastGHASH computes GHASH with the standard library's (hardware
// accelerated) GCM doing the bulk of the work. GHASH is linear: for blocks
// P followed by Q (q blocks), GHASH(P‖Q) = GHASH(P)·H^q ⊕ GHASH(Q). The
// standard library's Seal of an empty plaintext with additional data A and
// nonce N returns GHASH(A padded ‖ len(A)) ⊕ E(K, J0(N)); removing the
// known E(K, J0) and the length block (S = (Y ⊕ L)·H, so Y = S·H⁻¹ ⊕ L)
// leaves GHASH over A. The data is absorbed in chunks of fastChunk bytes,
// each costing one Seal and two field multiplications here.

const fastChunk = 32 << 10

type fastGHASH struct {
	aead   cipher.AEAD
	nonce  [12]byte
	ekj0   gfElem // E(K, nonce‖0³¹‖1)
	h      gfElem
	hinv   gfElem
	hChunk gfElem // H^(fastChunk/16)
	y      gfElem
	buf    []byte
	tag    [16]byte
}

// gfMul returns x·y (SP 800-38D algorithm 1).
func gfMul(x, y gfElem) gfElem {
	var z gfElem
	v := y
	for i := 0; i < 128; i++ {
		var bit uint64
		if i < 64 {
			bit = x.hi >> (63 - uint(i)) & 1
		} else {
			bit = x.lo >> (127 - uint(i)) & 1
		}
		if bit != 0 {
			z.hi ^= v.hi
			z.lo ^= v.lo
		}
		v = v.mulX()
	}
	return z
}

var gfOne = gfElem{hi: 1 << 63}

// gfPow returns x^n.
func gfPow(x gfElem, n uint64) gfElem {
	r := gfOne
	for n > 0 {
		if n&1 != 0 {
			r = gfMul(r, x)
		}
		x = gfMul(x, x)
		n >>= 1
	}
	return r
}

// gfInv returns x⁻¹ = x^(2¹²⁸−2) for x ≠ 0.
func gfInv(x gfElem) gfElem {
	r := gfOne
	for i := 0; i < 127; i++ { // the 127 one bits of 2^128-2, from the top
		r = gfMul(gfMul(r, r), x)
	}
	return gfMul(r, r) // the final zero bit
}

func elemOf(b []byte) gfElem {
	return gfElem{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

// newFastGHASH returns a GHASH for the key of blk, or nil when the
// standard library's GCM is unavailable or H is zero.
func newFastGHASH(blk cipher.Block, h [16]byte) *fastGHASH {
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil
	}
	g := &fastGHASH{aead: aead, h: elemOf(h[:]), buf: make([]byte, 0, fastChunk)}
	if g.h == (gfElem{}) {
		return nil
	}
	var j0 [16]byte
	j0[15] = 1
	blk.Encrypt(j0[:], j0[:])
	g.ekj0 = elemOf(j0[:])
	g.hinv = gfInv(g.h)
	g.hChunk = gfPow(g.h, fastChunk/16)
	return g
}

// absorb folds in one chunk (its last block zero-padded).
func (g *fastGHASH) absorb(a []byte, hm gfElem) {
	tag := g.aead.Seal(g.tag[:0], g.nonce[:], nil, a)
	s := elemOf(tag)
	s.hi ^= g.ekj0.hi
	s.lo ^= g.ekj0.lo
	ya := gfMul(s, g.hinv)
	ya.hi ^= uint64(len(a)) * 8 // the length block: len(A) in bits ‖ 0
	g.y = gfMul(g.y, hm)
	g.y.hi ^= ya.hi
	g.y.lo ^= ya.lo
}

func (g *fastGHASH) write(p []byte) {
	for len(p) > 0 {
		n := copy(g.buf[len(g.buf):fastChunk], p)
		g.buf = g.buf[:len(g.buf)+n]
		p = p[n:]
		if len(g.buf) == fastChunk {
			g.absorb(g.buf, g.hChunk)
			g.buf = g.buf[:0]
		}
	}
}

// pad absorbs what is buffered, zero-padded to a whole block.
func (g *fastGHASH) pad() {
	if len(g.buf) == 0 {
		return
	}
	g.absorb(g.buf, gfPow(g.h, uint64(len(g.buf)+15)/16))
	g.buf = g.buf[:0]
}

func (g *fastGHASH) sum(aadLen, ctLen uint64) [16]byte {
	g.pad()
	g.y.hi ^= aadLen * 8
	g.y.lo ^= ctLen * 8
	g.y = gfMul(g.y, g.h)
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], g.y.hi)
	binary.BigEndian.PutUint64(out[8:], g.y.lo)
	return out
}
