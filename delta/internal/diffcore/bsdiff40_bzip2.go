package diffcore

import (
	"errors"
	"io"
)

// A bzip2 compressor for the BSDIFF40 writer, written for this package
// from the published format (the stdlib only decompresses). The block
// pipeline is the classic one: run-length coding of 4+ equal bytes (RLE1),
// Burrows-Wheeler transform (rotations sorted with this package's SA-IS on
// the doubled block), move-to-front with RUNA/RUNB zero runs, then 2-6
// Huffman tables chosen per 50-symbol group and refined over four passes.
// The refinement is what makes bsdiff's sparse streams small; a compressor
// that assigns groups to tables round-robin loses 5-50% on them.

const (
	bzBlockMax    = 900_000 - 19 // RLE1 bytes per block at level 9, as bzip2 1.0
	bzGroupSize   = 50           // symbols per Huffman table selector
	bzMaxCodeLen  = 17           // longest code the encoder makes (format allows 20)
	bzRefinePass  = 4            // table refinement iterations
	bzBlockMagic  = 0x314159265359
	bzStreamMagic = 0x177245385090
)

var bzCRCTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&(1<<31) != 0 {
				c = c<<1 ^ 0x04c11db7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// bzWriter compresses to a bzip2 stream at level 9. Close writes the end of
// the stream; it does not close the underlying writer.
type bzWriter struct {
	bw        bzBits
	block     []byte // RLE1 output of the current block
	blockCRC  uint32 // running CRC (not yet inverted) of the block's input bytes
	streamCRC uint32
	runByte   byte
	runLen    int
	started   bool
	closed    bool
}

func newBZWriter(w io.Writer) *bzWriter {
	z := &bzWriter{bw: bzBits{w: w}, blockCRC: ^uint32(0)}
	return z
}

// Write implements io.Writer.
func (z *bzWriter) Write(p []byte) (int, error) {
	if z.closed {
		return 0, errors.New("bzip2: write after close")
	}
	for _, b := range p {
		if z.runLen > 0 && (b != z.runByte || z.runLen == 255) {
			z.flushRun()
		}
		z.runByte = b
		z.runLen++
	}
	return len(p), z.bw.err
}

// flushRun moves the pending run into the block (as 1-3 literal bytes, or 4
// bytes and a count), starting a new block first when it would not fit.
func (z *bzWriter) flushRun() {
	if len(z.block)+5 > bzBlockMax {
		z.encodeBlock()
	}
	if z.block == nil {
		z.block = make([]byte, 0, bzBlockMax)
	}
	for range z.runLen {
		z.blockCRC = z.blockCRC<<8 ^ bzCRCTable[byte(z.blockCRC>>24)^z.runByte]
	}
	if z.runLen < 4 {
		for range z.runLen {
			z.block = append(z.block, z.runByte)
		}
	} else {
		b := z.runByte
		z.block = append(z.block, b, b, b, b, byte(z.runLen-4))
	}
	z.runLen = 0
}

// Close flushes the last block and writes the stream trailer.
func (z *bzWriter) Close() error {
	if z.closed {
		return z.bw.err
	}
	z.closed = true
	if z.runLen > 0 {
		z.flushRun()
	}
	if len(z.block) > 0 {
		z.encodeBlock()
	}
	z.header()
	z.bw.write(48, bzStreamMagic)
	z.bw.write(32, uint64(z.streamCRC))
	z.bw.flush()
	return z.bw.err
}

func (z *bzWriter) header() {
	if !z.started {
		z.started = true
		z.bw.write(32, 'B'<<24|'Z'<<16|'h'<<8|'9')
	}
}

// encodeBlock compresses z.block and starts an empty one.
func (z *bzWriter) encodeBlock() {
	z.header()
	crc := ^z.blockCRC
	z.streamCRC = (z.streamCRC<<1 | z.streamCRC>>31) ^ crc
	block := z.block
	z.block, z.blockCRC = z.block[:0], ^uint32(0)

	last, origPtr := bwt(block)

	var used [256]bool
	for _, b := range block {
		used[b] = true
	}
	z.bw.write(48, bzBlockMagic)
	z.bw.write(32, uint64(crc))
	z.bw.write(1, 0) // not randomised
	z.bw.write(24, uint64(origPtr))
	var hi uint64
	for r := range 16 {
		for _, u := range used[r*16 : r*16+16] {
			if u {
				hi |= 1 << (15 - r)
				break
			}
		}
	}
	z.bw.write(16, hi)
	for r := range 16 {
		if hi&(1<<(15-r)) == 0 {
			continue
		}
		var lo uint64
		for i, u := range used[r*16 : r*16+16] {
			if u {
				lo |= 1 << (15 - i)
			}
		}
		z.bw.write(16, lo)
	}
	syms, alpha := mtfEncode(last, &used)
	z.encodeSymbols(syms, alpha)
}

// bwt returns the last column of the sorted rotations of b and the row of
// the rotation that starts at 0. Rotations are sorted as the suffixes of
// b+b that start in b: their first len(b) bytes are the rotation, and the
// order among equal rotations does not matter.
func bwt(b []byte) ([]byte, int) {
	n := len(b)
	dbl := make([]byte, 2*n)
	copy(dbl, b)
	copy(dbl[n:], b)
	sa := suffixArray(dbl)
	last := make([]byte, 0, n)
	origPtr := 0
	for _, p := range sa {
		if int(p) >= n {
			continue
		}
		if p == 0 {
			origPtr = len(last)
			last = append(last, b[n-1])
		} else {
			last = append(last, b[p-1])
		}
	}
	return last, origPtr
}

// mtfEncode maps the BWT output to bzip2 symbols: RUNA (0) / RUNB (1) for
// runs of the front symbol in bijective base 2, k+1 for a symbol at MTF
// position k >= 1, and the end-of-block symbol. It returns the symbols and
// the alphabet size.
func mtfEncode(last []byte, used *[256]bool) ([]uint16, int) {
	var order [256]byte
	var seq [256]byte
	nInUse := 0
	for i, u := range used {
		if u {
			seq[i] = byte(nInUse)
			order[nInUse] = byte(nInUse)
			nInUse++
		}
	}
	alpha := nInUse + 2
	syms := make([]uint16, 0, len(last)/2+16)
	run := 0
	flushRun := func() {
		for run > 0 {
			if run&1 == 1 {
				syms = append(syms, 0)
				run = (run - 1) / 2
			} else {
				syms = append(syms, 1)
				run = (run - 2) / 2
			}
		}
	}
	for _, b := range last {
		s := seq[b]
		if order[0] == s {
			run++
			continue
		}
		flushRun()
		k := 1
		for order[k] != s {
			k++
		}
		copy(order[1:k+1], order[:k])
		order[0] = s
		syms = append(syms, uint16(k+1))
	}
	flushRun()
	syms = append(syms, uint16(alpha-1))
	return syms, alpha
}

// encodeSymbols chooses the Huffman tables and selectors and writes them and
// the symbols.
func (z *bzWriter) encodeSymbols(syms []uint16, alpha int) {
	nGroups := 6
	for i, lim := range []int{200, 600, 1200, 2400} {
		if len(syms) < lim {
			nGroups = 2 + i
			break
		}
	}
	var freq [258]int
	for _, s := range syms {
		freq[s]++
	}
	// Seed tables: cut the alphabet into nGroups consecutive ranges holding
	// about equal shares of the symbols; table t is cheap (cost 1) for its
	// own range and dear (cost 15) elsewhere. The passes below refine them.
	lens := make([][]uint8, nGroups)
	lo, seen := 0, 0
	for t := range nGroups {
		hi, share := lo, len(syms)*(t+1)/nGroups
		for hi < alpha-1 && seen+freq[hi] <= share {
			seen += freq[hi]
			hi++
		}
		if t == nGroups-1 {
			hi = alpha
		}
		tab := make([]uint8, alpha)
		for v := range tab {
			tab[v] = 15
			if v >= lo && v < max(hi, lo+1) {
				tab[v] = 1
			}
		}
		lens[t] = tab
		lo = max(hi, lo+1)
		if lo >= alpha {
			lo = alpha - 1
		}
	}
	nSel := (len(syms) + bzGroupSize - 1) / bzGroupSize
	sel := make([]uint8, nSel)
	tfreq := make([][]int, nGroups)
	for t := range tfreq {
		tfreq[t] = make([]int, alpha)
	}
	for range bzRefinePass {
		for t := range tfreq {
			clear(tfreq[t])
		}
		for g := range nSel {
			grp := syms[g*bzGroupSize : min(len(syms), (g+1)*bzGroupSize)]
			best, bestCost := 0, int(^uint(0)>>1)
			for t := range nGroups {
				cost := 0
				for _, s := range grp {
					cost += int(lens[t][s])
				}
				if cost < bestCost {
					best, bestCost = t, cost
				}
			}
			sel[g] = uint8(best)
			for _, s := range grp {
				tfreq[best][s]++
			}
		}
		for t := range nGroups {
			lens[t] = huffmanLengths(tfreq[t], bzMaxCodeLen)
		}
	}
	lens, sel = dropUnusedTables(lens, sel)
	nGroups = len(lens)

	z.bw.write(3, uint64(nGroups))
	z.bw.write(15, uint64(nSel))
	var mtf [6]uint8
	for i := range mtf {
		mtf[i] = uint8(i)
	}
	for _, s := range sel {
		k := 0
		for mtf[k] != s {
			k++
		}
		copy(mtf[1:k+1], mtf[:k])
		mtf[0] = s
		for range k {
			z.bw.write(1, 1)
		}
		z.bw.write(1, 0)
	}
	codes := make([][]uint32, nGroups)
	for t := range nGroups {
		cur := int(lens[t][0])
		z.bw.write(5, uint64(cur))
		for _, l := range lens[t] {
			for cur < int(l) {
				z.bw.write(2, 2) // 10: increment
				cur++
			}
			for cur > int(l) {
				z.bw.write(2, 3) // 11: decrement
				cur--
			}
			z.bw.write(1, 0)
		}
		codes[t] = canonicalCodes(lens[t])
	}
	for g := range nSel {
		t := sel[g]
		for _, s := range syms[g*bzGroupSize : min(len(syms), (g+1)*bzGroupSize)] {
			z.bw.write(uint(lens[t][s]), uint64(codes[t][s]))
		}
	}
}

// dropUnusedTables removes tables no selector uses (keeping the format's
// minimum of two) and renumbers the selectors: an unused table costs bytes
// and would let bit flips in its lengths go unnoticed.
func dropUnusedTables(lens [][]uint8, sel []uint8) ([][]uint8, []uint8) {
	var used [6]bool
	for _, s := range sel {
		used[s] = true
	}
	var newIdx [6]uint8
	kept := make([][]uint8, 0, len(lens))
	for t := range lens {
		if used[t] || (len(kept) < 2 && len(lens)-t <= 2-len(kept)) {
			newIdx[t] = uint8(len(kept))
			kept = append(kept, lens[t])
		}
	}
	for i, s := range sel {
		sel[i] = newIdx[s]
	}
	return kept, sel
}
