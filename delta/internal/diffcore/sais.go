package diffcore

// Suffix array construction by induced sorting (the SA-IS method of Nong,
// Zhang and Chan, 2009), written for this package from the published
// algorithm. Indices are int32, so the text must be shorter than 2^31-1
// bytes; the caller checks that.
//
// Outline, for a text T of length n with a virtual sentinel after its end
// that is smaller than every symbol:
//
//  1. Classify each suffix as S (smaller than the next suffix) or L (larger).
//     An LMS position is an S position whose left neighbour is L.
//  2. Put the LMS positions at the ends of their first-symbol buckets and
//     induce L suffixes (left to right) then S suffixes (right to left).
//     This sorts the LMS substrings (an LMS position up to the next one).
//  3. Name the LMS substrings by rank; if two are equal, sort the reduced
//     string of names recursively, else the names are already the order.
//  4. Seed the buckets with the LMS suffixes in their final order and
//     induce again: the result is the suffix array.
//
// Memory: the caller's sa ([]int32, n entries) plus a type bitmap of n/8
// bytes and bucket arrays of the alphabet size at each level. The reduced
// string and its suffix array live inside sa (there are at most n/2 LMS
// positions), as the method allows.

const saEmpty = -1

// symbol is the element type of a text level: bytes (or byte pairs, for
// the sparse index) at the top, int32 names in the recursion.
type symbol interface{ ~byte | ~uint16 | ~int32 }

// suffixArray returns the suffix array of text as int32 indices.
func suffixArray(text []byte) []int32 {
	sa := make([]int32, len(text))
	saisLevel(text, sa, 256, nil)
	return sa
}

// typeBits records for each position whether its suffix is S type.
type typeBits []uint64

func (t typeBits) s(i int) bool { return t[i>>6]&(1<<(uint(i)&63)) != 0 }
func (t typeBits) set(i int)    { t[i>>6] |= 1 << (uint(i) & 63) }

// isLMS reports whether position i is a leftmost-S position.
func (t typeBits) isLMS(i int) bool { return i > 0 && t.s(i) && !t.s(i-1) }

// saisLevel fills sa with the suffix array of text, whose symbols are in
// [0, k). spare is scratch space the caller does not need during the call
// (free entries of the parent's sa); the bucket array lives there when it
// fits, so the recursion allocates little beyond its type bitmap.
func saisLevel[T symbol](text []T, sa []int32, k int, spare []int32) {
	n := len(text)
	switch n {
	case 0:
		return
	case 1:
		sa[0] = 0
		return
	}
	types := make(typeBits, (n+63)/64)
	// The last position is L (the virtual sentinel is smaller).
	for i := n - 2; i >= 0; i-- {
		if text[i] < text[i+1] || (text[i] == text[i+1] && types.s(i+1)) {
			types.set(i)
		}
	}
	var bkt []int32
	if len(spare) >= k {
		bkt = spare[:k]
	} else {
		bkt = make([]int32, k)
	}
	// With a small alphabet the symbol counts are kept; with a large one
	// (deep levels) they are recounted when needed instead of taking
	// another k entries.
	var counts []int32
	if k <= 1<<16 {
		counts = make([]int32, k)
		for _, c := range text {
			counts[c]++
		}
	}
	bk := buckets[T]{text: text, counts: counts, bkt: bkt}

	// Stage 1: sort the LMS substrings.
	for i := range sa {
		sa[i] = saEmpty
	}
	bk.ends()
	for i := n - 1; i > 0; i-- {
		if types.isLMS(i) {
			c := text[i]
			bkt[c]--
			sa[bkt[c]] = int32(i)
		}
	}
	induce(text, sa, types, &bk)

	// Move the sorted LMS positions to the front of sa.
	n1 := 0
	for i := 0; i < n; i++ {
		if p := int(sa[i]); types.isLMS(p) {
			sa[n1] = int32(p)
			n1++
		}
	}
	// Name them: names go to sa[n1 + p/2] (LMS positions are >= 2 apart).
	for i := n1; i < n; i++ {
		sa[i] = saEmpty
	}
	name := int32(0)
	prev := -1
	for i := 0; i < n1; i++ {
		p := int(sa[i])
		if prev < 0 || !lmsEqual(text, types, prev, p) {
			name++
		}
		prev = p
		sa[n1+p/2] = name - 1
	}
	// Gather names in text order at the end of sa.
	j := n - 1
	for i := n - 1; i >= n1; i-- {
		if sa[i] != saEmpty {
			sa[j] = sa[i]
			j--
		}
	}
	reduced := sa[n-n1:]
	sa1 := sa[:n1]
	if int(name) < n1 {
		saisLevel(reduced, sa1, int(name), sa[n1:n-n1])
	} else {
		for i, c := range reduced {
			sa1[c] = int32(i)
		}
	}
	// Replace the reduced string by the LMS positions in text order, then
	// map sa1 (indices into the reduced string) to text positions.
	j = n - n1
	for i := 1; i < n; i++ {
		if types.isLMS(i) {
			sa[j] = int32(i)
			j++
		}
	}
	for i := 0; i < n1; i++ {
		sa1[i] = reduced[sa1[i]]
	}

	// Stage 2: seed bucket ends with the sorted LMS suffixes, induce.
	for i := n1; i < n; i++ {
		sa[i] = saEmpty
	}
	bk.ends()
	for i := n1 - 1; i >= 0; i-- {
		p := sa[i]
		sa[i] = saEmpty
		c := text[p]
		bkt[c]--
		sa[bkt[c]] = p
	}
	induce(text, sa, types, &bk)
}

// induce runs the L pass (left to right, filling bucket heads) and the S
// pass (right to left, filling bucket tails).
func induce[T symbol](text []T, sa []int32, types typeBits, bk *buckets[T]) {
	n := len(text)
	bkt := bk.bkt
	bk.starts()
	// The suffix just before the virtual sentinel is L and comes first in
	// its bucket.
	c := text[n-1]
	sa[bkt[c]] = int32(n - 1)
	bkt[c]++
	for i := 0; i < n; i++ {
		p := sa[i]
		if p <= 0 {
			continue
		}
		q := int(p) - 1
		if !types.s(q) {
			c := text[q]
			sa[bkt[c]] = int32(q)
			bkt[c]++
		}
	}
	bk.ends()
	for i := n - 1; i >= 0; i-- {
		p := sa[i]
		if p <= 0 {
			continue
		}
		q := int(p) - 1
		if types.s(q) {
			c := text[q]
			bkt[c]--
			sa[bkt[c]] = int32(q)
		}
	}
}

// lmsEqual reports whether the LMS substrings at a and b are equal
// (same symbols and types up to and including the next LMS position).
func lmsEqual[T symbol](text []T, types typeBits, a, b int) bool {
	n := len(text)
	for d := 0; ; d++ {
		if a+d >= n || b+d >= n {
			return false // one of them reaches the sentinel
		}
		if text[a+d] != text[b+d] || types.s(a+d) != types.s(b+d) {
			return false
		}
		if d > 0 {
			la, lb := types.isLMS(a+d), types.isLMS(b+d)
			if la && lb {
				return true
			}
			if la != lb {
				return false
			}
		}
	}
}

// buckets computes bucket boundaries, from cached counts or by
// recounting the text.
type buckets[T symbol] struct {
	text   []T
	counts []int32 // nil: recount
	bkt    []int32
}

func (b *buckets[T]) count() []int32 {
	if b.counts != nil {
		return b.counts
	}
	clear(b.bkt)
	for _, c := range b.text {
		b.bkt[c]++
	}
	return b.bkt
}

// starts sets bkt[c] to the first slot of bucket c.
func (b *buckets[T]) starts() {
	cnt := b.count()
	sum := int32(0)
	for i, c := range cnt {
		b.bkt[i] = sum
		sum += c
	}
}

// ends sets bkt[c] to one past the last slot of bucket c.
func (b *buckets[T]) ends() {
	cnt := b.count()
	sum := int32(0)
	for i, c := range cnt {
		sum += c
		b.bkt[i] = sum
	}
}
