package diffcore

import (
	"container/heap"
	"io"
)

// Huffman code construction and the MSB-first bit writer of the bzip2
// compressor (bsdiff40_bzip2.go).

// canonicalCodes assigns codes in order of (length, symbol), as decoders
// rebuild them from the lengths.
func canonicalCodes(lens []uint8) []uint32 {
	codes := make([]uint32, len(lens))
	code := uint32(0)
	for l := uint8(1); l <= 20; l++ {
		for s, sl := range lens {
			if sl == l {
				codes[s] = code
				code++
			}
		}
		code <<= 1
	}
	return codes
}

// huffmanLengths returns Huffman code lengths of at most maxLen bits for
// every symbol (unused ones count as frequency 1: bzip2 codes all symbols).
// When the tree is too deep the frequencies are flattened and it is rebuilt.
func huffmanLengths(freq []int, maxLen int) []uint8 {
	w := make([]int, len(freq))
	for i, f := range freq {
		w[i] = max(f, 1)
	}
	lens := make([]uint8, len(freq))
	for {
		h := &huffHeap{}
		parent := make([]int, 0, 2*len(w))
		for i, x := range w {
			parent = append(parent, -1)
			h.items = append(h.items, huffItem{weight: x, node: i})
		}
		heap.Init(h)
		for h.Len() > 1 {
			a := heap.Pop(h).(huffItem)
			b := heap.Pop(h).(huffItem)
			n := len(parent)
			parent = append(parent, -1)
			parent[a.node], parent[b.node] = n, n
			heap.Push(h, huffItem{weight: a.weight + b.weight, node: n, depth: max(a.depth, b.depth) + 1})
		}
		deepest := 0
		for i := range w {
			d := 0
			for p := parent[i]; p >= 0; p = parent[p] {
				d++
			}
			lens[i] = uint8(min(d, 255))
			deepest = max(deepest, d)
		}
		if deepest <= maxLen {
			return lens
		}
		for i := range w {
			w[i] = 1 + w[i]/2
		}
	}
}

type huffItem struct{ weight, node, depth int }

// huffHeap orders by weight, then by depth so that ties build shallow trees.
type huffHeap struct{ items []huffItem }

func (h *huffHeap) Len() int { return len(h.items) }
func (h *huffHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if a.weight != b.weight {
		return a.weight < b.weight
	}
	return a.depth < b.depth
}
func (h *huffHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *huffHeap) Push(x any)    { h.items = append(h.items, x.(huffItem)) }
func (h *huffHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// bzBits writes bits most significant first.
type bzBits struct {
	w   io.Writer
	acc uint64
	n   uint
	buf []byte
	err error
}

func (b *bzBits) write(n uint, v uint64) {
	for n > 0 {
		k := min(n, 32)
		n -= k
		b.acc = b.acc<<k | (v>>n)&(1<<k-1)
		b.n += k
		for b.n >= 8 {
			b.n -= 8
			b.buf = append(b.buf, byte(b.acc>>b.n))
		}
	}
	if len(b.buf) >= 64<<10 {
		b.drain()
	}
}

func (b *bzBits) drain() {
	if b.err == nil && len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
	}
	b.buf = b.buf[:0]
}

// flush pads the last byte with zero bits and writes everything out.
func (b *bzBits) flush() {
	if b.n > 0 {
		b.write(8-b.n, 0)
	}
	b.drain()
}
