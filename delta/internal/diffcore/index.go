package diffcore

import (
	"encoding/binary"
	"math/bits"
)

// maxSearchLen caps how many bytes one suffix-array search compares. A
// longer match is extended afterwards by a direct comparison, so the cap
// only bounds the cost of searches on repetitive input.
const maxSearchLen = 1 << 12

// neighbourScan is how many suffix-array neighbours of a found match are
// checked for an equally long match closer to the preferred old offset.
const neighbourScan = 16

// maxNeighbourLen bounds the match length for which neighbours are
// checked, so the check costs O(1) per search on repetitive input.
const maxNeighbourLen = 256

// index is a suffix array of the old image with a table of the suffix
// array range of every two-byte prefix, which saves the first ~16 steps of
// each binary search.
//
// For large images (sparseIndexMin) the index is sparse: it holds only
// the suffixes at even old positions, sorted as suffixes of the text of
// big-endian byte pairs (the order of the byte suffixes truncated to an
// even length, keys). That halves the suffix array (2 bytes per old byte
// instead of 4), the largest allocation of Diff. longest still finds
// matches at odd positions: one byte before an even-position match of the
// pattern's tail.
type index struct {
	old    []byte
	keys   []byte // the text the suffix array sorts: old, or old[:len&^1] when sparse
	sa     []int32
	sparse bool
	// lo2[k], hi2[k]: suffix array range [lo, hi) of the suffixes that
	// start with the two bytes k>>8, k&0xff.
	lo2, hi2 []int32
	// done is the Diff call's ctx.Done() (nil: never cancelled); the
	// scan stops early once it is closed.
	done <-chan struct{}
}

// sparseIndexMin is the old-image size from which the index is sparse
// (Options.SparseFrom lowers it in tests).
const sparseIndexMin = 8 << 20

// newIndex indexes old, sparsely when sparse is set.
func newIndex(old []byte, sparse bool) *index {
	x := &index{old: old, keys: old}
	if sparse {
		x.sparse = true
		x.keys = old[:len(old)&^1]
	}
	// The two-byte ranges follow from counting the prefixes in text
	// order (sequential reads), on a second goroutine while the suffix
	// array is built.
	done := make(chan struct{})
	go func() {
		defer close(done)
		x.lo2, x.hi2 = prefixRanges(x.keys, x.sparse)
	}()
	if x.sparse {
		x.sa = sparseSuffixArray(x.keys)
	} else {
		x.sa = suffixArray(old)
	}
	<-done
	return x
}

// prefixRanges returns, for every two-byte prefix k, the suffix array
// range [lo[k], hi[k]) of the suffixes of keys that start with it (both 0
// when there is none). The suffix array holds every position of keys, or
// only the even ones when sparse; it sorts the one-byte suffix (the last
// position, not sparse) before all longer ones with the same first byte.
func prefixRanges(keys []byte, sparse bool) (lo, hi []int32) {
	lo, hi = make([]int32, 1<<16), make([]int32, 1<<16)
	n, step := len(keys), 1
	if sparse {
		step = 2
	}
	count := hi // counts first, then overwritten by the ends
	for s := 0; s+1 < n; s += step {
		count[int(keys[s])<<8|int(keys[s+1])]++
	}
	lastByte := -1 // first byte of the one-byte suffix held, if any
	if !sparse && n > 0 {
		lastByte = int(keys[n-1])
	}
	var rank int32
	for k := range count {
		if k&0xff == 0 && k>>8 == lastByte {
			rank++
		}
		c := count[k]
		if c == 0 {
			continue
		}
		lo[k] = rank
		rank += c
		hi[k] = rank
	}
	return lo, hi
}

// commonPrefix returns the length of the common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n {
		x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:])
		if x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// sparseSuffixArray returns the even positions of keys (even length)
// sorted by their suffixes: the suffix array of the text of big-endian
// byte pairs, times two. Memory: the pair text (1 byte per key byte,
// released on return) and the array (2 bytes per key byte).
func sparseSuffixArray(keys []byte) []int32 {
	text := make([]uint16, len(keys)/2)
	for i := range text {
		text[i] = uint16(keys[2*i])<<8 | uint16(keys[2*i+1])
	}
	sa := make([]int32, len(text))
	saisLevel(text, sa, 1<<16, nil)
	for i := range sa {
		sa[i] *= 2
	}
	return sa
}

// longest finds the longest prefix of pat that occurs in old. Among
// matches of that length found near the binary search's end point, it
// returns the one whose position is closest to prefer. It returns length 0
// when pat's first byte (or first two bytes) do not occur.
func (x *index) longest(pat []byte, prefer int) (pos, n int) {
	pos, n = x.search(pat, prefer)
	if !x.sparse || len(pat) < 2 {
		return pos, n
	}
	// Odd old positions: pat[0] just before an even-position match of
	// pat[1:].
	if p, m := x.search(pat[1:], prefer+1); m > 0 && p > 0 && x.old[p-1] == pat[0] {
		if m+1 > n || (m+1 == n && absInt(p-1-prefer) < absInt(pos-prefer)) {
			pos, n = p-1, m+1
		}
	}
	return pos, n
}

// search is longest over the positions the suffix array holds.
func (x *index) search(pat []byte, prefer int) (pos, n int) {
	if len(pat) == 0 || len(x.keys) < 2 {
		return 0, 0
	}
	full := pat
	if len(pat) > maxSearchLen {
		pat = pat[:maxSearchLen]
	}
	lo, hi := 0, len(x.sa)-1
	if len(pat) >= 2 {
		k := int(pat[0])<<8 | int(pat[1])
		if x.hi2[k] == 0 {
			// No suffix starts with these two bytes; a one-byte match may
			// still exist but is worthless to the caller.
			return 0, 0
		}
		lo, hi = int(x.lo2[k]), int(x.hi2[k])-1
	}
	lcpLo := commonPrefix(pat, x.keys[x.sa[lo]:])
	lcpHi := commonPrefix(pat, x.keys[x.sa[hi]:])
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		k := min(lcpLo, lcpHi)
		s := x.keys[x.sa[mid]:]
		k += commonPrefix(pat[k:], s[min(k, len(s)):])
		if k == len(pat) {
			lo, lcpLo = mid, k
			hi, lcpHi = mid, k
			break
		}
		if k == len(s) || s[k] < pat[k] {
			lo, lcpLo = mid, k
		} else {
			hi, lcpHi = mid, k
		}
	}
	best, n := lo, lcpLo
	if lcpHi > n {
		best, n = hi, lcpHi
	}
	pos = int(x.sa[best])
	if n == 0 {
		return pos, 0
	}
	// Equal-length matches are adjacent in the suffix array: prefer the
	// one nearest the caller's old position (cheaper seek, and it usually
	// continues the current alignment).
	dist := absInt(pos - prefer)
	for d := 1; d <= neighbourScan && dist > 0 && n <= maxNeighbourLen; d++ {
		stop := true
		if r := best - d; r >= 0 {
			if p := int(x.sa[r]); commonPrefix(pat[:n], x.keys[p:]) == n {
				stop = false
				if e := absInt(p - prefer); e < dist {
					pos, dist = p, e
				}
			}
		}
		if r := best + d; r < len(x.sa) {
			if p := int(x.sa[r]); commonPrefix(pat[:n], x.keys[p:]) == n {
				stop = false
				if e := absInt(p - prefer); e < dist {
					pos, dist = p, e
				}
			}
		}
		if stop {
			break
		}
	}
	if n == len(pat) && len(full) > len(pat) {
		n += commonPrefix(full[n:], x.old[pos+n:])
	}
	return pos, n
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
