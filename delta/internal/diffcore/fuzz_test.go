package diffcore

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// FuzzDiffApply is a differential fuzz of the whole pipeline: for any two
// inputs, Apply(old, Diff(old, new)) == new, and the bsdiff-style controls
// rebuild new too.
func FuzzDiffApply(f *testing.F) {
	f.Add([]byte("hello, firmware v1"), []byte("hello, firmware v2!"))
	f.Add(bytes.Repeat([]byte{0}, 300), bytes.Repeat([]byte{0xff}, 200))
	f.Add([]byte{}, []byte("new"))
	f.Add([]byte("old"), []byte{})
	rng := rand.New(rand.NewPCG(41, 42))
	old := coreRandom(rng, 500)
	f.Add(old, coreMutate(rng, old, 10))
	f.Fuzz(func(t *testing.T, old, new []byte) {
		if len(old) > 1<<16 || len(new) > 1<<16 {
			return
		}
		var p bytes.Buffer
		opts := &Options{FastCompression: len(new)%8 != 0}
		if err := Diff(context.Background(), old, new, &p, opts); err != nil {
			t.Fatalf("Diff: %v", err)
		}
		var out bytes.Buffer
		if err := delta.Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, nil); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if !bytes.Equal(out.Bytes(), new) {
			t.Fatal("Apply(old, Diff(old, new)) != new")
		}
		ctrl, err := computeControls(context.Background(), old, new, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkControls(t, old, new, ctrl)
	})
}

// aarch64LikePair makes an old image of random words with many ADRPs and
// a new image where the ADRPs' pages moved (some across the class bits'
// carry, some by negative amounts) and a few bytes changed.
func aarch64LikePair(seed uint64, n int) (old, new []byte) {
	r := rand.New(rand.NewPCG(seed, 7))
	old = make([]byte, n)
	for p := 0; p+4 <= n; p += 4 {
		w := r.Uint32()
		if r.IntN(3) == 0 {
			w = w&^format.ADRPClassMask | format.ADRPClass
		}
		binary.LittleEndian.PutUint32(old[p:], w)
	}
	new = append([]byte(nil), old...)
	shifts := []uint32{1, 3, 0xFFFFFFFF, 1 << 19, 0x7FFFF}
	for p := 0; p+4 <= n; p += 4 {
		w := binary.LittleEndian.Uint32(new[p:])
		if w&format.ADRPClassMask == format.ADRPClass && p%64 != 0 {
			s := shifts[(p/4096)%len(shifts)]
			binary.LittleEndian.PutUint32(new[p:], format.ADRPPlain(format.ADRPCanon(w)+s<<5))
		}
	}
	for i := 0; i < n/500; i++ {
		new[r.IntN(n)] ^= byte(1 + r.IntN(255))
	}
	return old, new
}
