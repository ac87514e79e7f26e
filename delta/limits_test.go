package delta

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
)

// TestMaxMemoryAtLimitAndOver: issue 9 item 7. A suitkit patch applies
// with Limits.MaxMemory exactly at the ApplyMemory its header declares and
// is refused (ErrLimit, nothing written) one byte below, for several block
// budgets. (MaxNewSize at the limit and one over:
// TestApplyOutputLimitAtAndBelowNewSize.)
func TestMaxMemoryAtLimitAndOver(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	old := make([]byte, 1<<20)
	for i := range old {
		old[i] = byte(rng.IntN(16))
	}
	nw := bytes.Clone(old)
	for range 1000 {
		nw[rng.IntN(len(nw))] = byte(rng.Uint32())
	}
	for _, bm := range []int{diffcore.MinBlockMemory, diffcore.DefaultBlockMemory, DefaultMaxMemory + 4<<20} {
		var p bytes.Buffer
		if err := diffcore.Diff(context.Background(), old, nw, &p, &diffcore.Options{BlockMemory: bm, FastCompression: true}); err != nil {
			t.Fatal(err)
		}
		h, err := ReadHeader(bytes.NewReader(p.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, &Limits{MaxMemory: h.ApplyMemory}); err != nil || !bytes.Equal(out.Bytes(), nw) {
			t.Errorf("BlockMemory %d: MaxMemory = ApplyMemory %d: %v", bm, h.ApplyMemory, err)
		}
		out.Reset()
		err = Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), &out, &Limits{MaxMemory: h.ApplyMemory - 1})
		if !errors.Is(err, ErrLimit) || out.Len() != 0 {
			t.Errorf("BlockMemory %d: MaxMemory = ApplyMemory-1: %v after %d bytes, want ErrLimit before any", bm, err, out.Len())
		}
	}
}
