package process_test

import (
	"context"
	"os"
	"testing"

	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// BenchmarkSwapDigestCheck measures what issue 9 item 10 adds to a swap
// on directory storage: hashing the content the current component
// receives before the journaled swap. "unchecked" is the same swap with
// no image-digest under AllowUnauthenticatedContentUnsafe (what every
// swap cost before). Both components hold the same 8 MiB image, so the
// digest matches on every iteration.
func BenchmarkSwapDigestCheck(b *testing.B) {
	img := firmware(9, 8<<20)
	for _, checked := range []bool{true, false} {
		name := "checked"
		if !checked {
			name = "unchecked"
		}
		b.Run(name, func(b *testing.B) {
			k := newTestKey(b)
			over := []suit.Parameter{suit.ParamUint(suit.ParamSourceComponent, 1)}
			if checked {
				over = append(over, pDigest(b, img))
			}
			m := &suit.Manifest{Version: 1, SequenceNumber: 1,
				Common:  &suit.Common{Components: []suit.ComponentID{comp0, comp1}, SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...)},
				Install: &suit.SeverableSequence{Sequence: seq(index(0), override(over...), cmd(suit.DirectiveSwap))}}
			v, err := verify.Verify(seal(b, k, m, nil), []*verify.Key{k.anchor}, &verify.Options{NoRollbackCheckUnsafe: true})
			if err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			for _, name := range []string{"comp.00", "comp.01"} {
				if err := os.WriteFile(dir+"/"+name, img, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			st, err := host.OpenDirStorage(dir)
			if err != nil {
				b.Fatal(err)
			}
			p, err := process.New(process.Platform{Identity: identity(), Storage: st, AllowUnauthenticatedContentUnsafe: !checked}, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(img)))
			b.ResetTimer()
			for range b.N {
				if rep, err := p.Update(context.Background(), v); err != nil {
					b.Fatalf("%v\n%s", err, rep)
				}
			}
		})
	}
}
