package process

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

var sentinels = []error{ErrConditionFailed, ErrUnsupported, ErrParameterUnset, ErrComponent, ErrLimit,
	ErrOperation, ErrPayloadMismatch, ErrNoContent, ErrMissingSequence, ErrManifest}

// FuzzProcessManifest runs the Update and Invoke procedures of arbitrary
// manifests that suit decodes, on an in-memory device. Property: no panic,
// a report for every run, and every error matches one of the package's
// sentinels. The seeds include every integer slot filled with 0, ±1,
// MaxInt64, MinInt64, MaxUint64 and -2^64.
func FuzzProcessManifest(f *testing.F) {
	for _, p := range testshared.FindConformanceFiles() {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if env, err := suit.Parse(data, nil); err == nil {
			f.Add(env.ManifestBytes)
		}
	}
	// Every integer slot with the boundary values, among them the command
	// id -2^63 that overflowed the stack (issue 9 item 1).
	_, slots := integerSlotManifests()
	for _, m := range slots {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := suit.DecodeManifestBytes(data, nil)
		if err != nil {
			return
		}
		st := &MemoryStorage{}
		st.Set([][]byte{{0x00}}, []byte("image zero"))
		st.Set([][]byte{{0x01}}, []byte("image one"))
		p, err := New(Platform{Identity: Identity{VendorID: make([]byte, 16), ClassID: make([]byte, 16)}, Storage: st, SkipCompatibilityCheckUnsafe: true},
			&Limits{MaxImageSize: 1 << 16, MaxCommands: 4096})
		if err != nil {
			t.Fatal(err)
		}
		env := &suit.Envelope{Integrated: map[string][]byte{"#fw": []byte("payload")}}
		for _, proc := range []procedure{updateProcedure, invokeProcedure} {
			rep, err := p.runManifest(context.Background(), env, m, suit.Digest{Algorithm: suit.AlgSHA256}, proc, nil)
			if rep == nil {
				t.Fatal("nil report")
			}
			if err == nil {
				continue
			}
			matched := false
			for _, s := range sentinels {
				if errors.Is(err, s) {
					matched = true
				}
			}
			if !matched {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			_ = rep.String()
			if _, err := rep.MarshalCBOR(); err != nil {
				t.Fatalf("report CBOR: %v", err)
			}
		}
	})
}
