package process_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
)

// TestLimitsAtLimitAndOver: issue 9 item 7. Every process.Limits field,
// on a delta update (two components, a try-each, an integrated patch) and,
// for the nesting depth, a full image installed from three nested
// run-sequences: with the field at what the update needs it installs; one
// less and it is refused with the field's sentinel. Where the need is
// known in advance (the image's size, the components, the patch's
// declared memory, the nesting) the search must land exactly on it.
func TestLimitsAtLimitAndOver(t *testing.T) {
	k := newTestKey(t)
	v1 := firmware(11, 30000)
	v2 := mutate(v1, 5)
	env, _, patch := deltaEnvelope(t, k, 2, v1, v2)
	h, err := delta.ReadHeader(bytes.NewReader(patch))
	if err != nil {
		t.Fatal(err)
	}
	// The nested one: install = run-sequence(run-sequence(run-sequence(
	// the usual install))).
	m := fullImage(t, 2, v2)
	nested := m.Install.Sequence
	for range 3 {
		nested = seq(runSeq(nested))
	}
	m.Install.Sequence = nested
	deep := seal(t, k, m, map[string][]byte{"#fw": v2})
	install := func(env []byte, lim *process.Limits) (error, bool) {
		flash := testdevice.New()
		flash.Set(comp0, v1)
		_, err := newDevice(t, flash, k, process.Platform{}, lim).install(env)
		got, _ := flash.Get(comp0)
		return err, bytes.Equal(got, v1)
	}
	for _, f := range []struct {
		name string
		env  []byte
		with func(n int64) *process.Limits
		hi   int64 // the default: the update must install under it
		want int64 // the exact need, when known (0: unknown)
		err  error
		// keeps: one over the limit leaves the old image. Not so for
		// MaxCommands: the commands after the install's last directive
		// (the final image check, unlinking the patch) can exceed it
		// after the new image is in place; the sequence number is then
		// not committed.
		keeps bool
	}{
		{"MaxComponents", env, func(n int64) *process.Limits { return &process.Limits{MaxComponents: int(n)} }, 16, 2, process.ErrComponent, true},
		{"MaxDepth", deep, func(n int64) *process.Limits { return &process.Limits{MaxDepth: int(n)} }, 8, 3, process.ErrLimit, true},
		{"MaxCommands", env, func(n int64) *process.Limits { return &process.Limits{MaxCommands: int(n)} }, 1 << 16, 0, process.ErrLimit, false},
		{"MaxImageSize", env, func(n int64) *process.Limits { return &process.Limits{MaxImageSize: n} }, 256 << 20, int64(len(v2)), process.ErrLimit, true},
		{"MaxPatchMemory", env, func(n int64) *process.Limits { return &process.Limits{MaxPatchMemory: n} }, delta.DefaultMaxMemory, h.ApplyMemory, process.ErrLimit, true},
	} {
		t.Run(f.name, func(t *testing.T) {
			if err, _ := install(f.env, f.with(f.hi)); err != nil {
				t.Fatalf("at the default %d: %v", f.hi, err)
			}
			lo, hi := int64(1), f.hi
			for lo < hi {
				mid := lo + (hi-lo)/2
				if err, _ := install(f.env, f.with(mid)); err == nil {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			if f.want != 0 && lo != f.want {
				t.Errorf("the update needs %s %d, want exactly %d", f.name, lo, f.want)
			}
			if lo == 1 {
				t.Fatalf("the update installs with %s 1: no over-the-limit case", f.name)
			}
			if err, _ := install(f.env, f.with(lo)); err != nil {
				t.Errorf("%s %d (at the limit): %v", f.name, lo, err)
			}
			err, kept := install(f.env, f.with(lo-1))
			if !errors.Is(err, f.err) {
				t.Errorf("%s %d (one over): %v, want %v", f.name, lo-1, err, f.err)
			}
			if f.keeps && !kept {
				t.Errorf("%s %d (one over): the old image was not kept", f.name, lo-1)
			}
		})
	}
}
