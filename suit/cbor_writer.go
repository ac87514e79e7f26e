package suit

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/suitkit/suitkit/internal/cbor"
)

// writer appends deterministic CBOR to b: shortest-form heads, definite
// lengths; maps are written through writeMap, which sorts keys bytewise.
type writer struct{ b []byte }

func (w *writer) head(maj byte, n uint64) { w.b = cbor.AppendHead(w.b, maj, n) }

func (w *writer) uint(v uint64) { w.head(cbor.Uint, v) }

func (w *writer) int(v int64) {
	if v < 0 {
		w.head(cbor.Nint, uint64(-1-v))
		return
	}
	w.head(cbor.Uint, uint64(v))
}

func (w *writer) bstr(b []byte) {
	w.head(cbor.Bytes, uint64(len(b)))
	w.b = append(w.b, b...)
}

func (w *writer) tstr(s string) {
	w.head(cbor.Text, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *writer) raw(b []byte) { w.b = append(w.b, b...) }

func (w *writer) null() { w.b = append(w.b, 0xf6) }

func (w *writer) bool(v bool) {
	if v {
		w.b = append(w.b, 0xf5)
	} else {
		w.b = append(w.b, 0xf4)
	}
}

// BstrItem returns the CBOR byte string item that wraps content: the
// shortest-form bstr head followed by content. For a bstr decoded from
// deterministic input this reproduces the received item exactly, so it is
// what SUIT digests cover: ComputeDigest(AlgSHA256, BstrItem(e.ManifestBytes)).
func BstrItem(content []byte) []byte {
	w := writer{b: make([]byte, 0, len(content)+9)}
	w.bstr(content)
	return w.b
}

// entry is one map member, key and value already encoded.
type entry struct{ k, v []byte }

func intKey(k int64) []byte {
	var w writer
	w.int(k)
	return w.b
}

// mapBuilder collects the members of a map before writing them in
// deterministic order.
type mapBuilder struct{ es []entry }

func (m *mapBuilder) add(k int64, v []byte) { m.es = append(m.es, entry{intKey(k), v}) }

func (m *mapBuilder) addRaw(es []RawEntry) {
	for _, e := range es {
		m.es = append(m.es, entry{e.Key, e.Value})
	}
}

// write sorts the members bytewise by encoded key and writes the map. Two
// members with the same key are an error.
func (m *mapBuilder) write(w *writer) error {
	slices.SortFunc(m.es, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
	for i := 1; i < len(m.es); i++ {
		if bytes.Equal(m.es[i-1].k, m.es[i].k) {
			return fmt.Errorf("%w: duplicate map key %x", ErrMalformed, m.es[i].k)
		}
	}
	w.head(cbor.Map, uint64(len(m.es)))
	for _, e := range m.es {
		if len(e.k) == 0 || len(e.v) == 0 {
			return fmt.Errorf("%w: empty map key or value", ErrMalformed)
		}
		w.raw(e.k)
		w.raw(e.v)
	}
	return nil
}

// checkRaw checks that b is exactly one well-formed deterministic CBOR item,
// so raw values supplied by callers cannot corrupt an encoding.
func checkRaw(b []byte, what string) error {
	l := (*Limits)(nil).resolve()
	d := newDec(b, 0, &l)
	if _, err := d.skip(1); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := d.end(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
