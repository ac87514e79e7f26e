package process

import (
	"context"
	"os"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// FuzzProcessManifest runs the Update and Invoke procedures of arbitrary
// manifests that suit decodes (unauthenticated: this target feeds the
// engine directly), on an in-memory device with the generator's platform
// (gen_test.go). Property: no panic, and checkProcedure for each
// procedure: a report for every run, every error matches one of the
// package's sentinels, a command that did not succeed changed no
// component, a failed command fails the procedure. The seeds include every
// integer slot filled with 0, ±1, MaxInt64, MinInt64, MaxUint64 and -2^64,
// and deep manifests written by the generator (testdata/fuzz).
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
	// Deep seeds: manifests of the structure-aware generator (gen_test.go),
	// whose payloads this target integrates. Rewrite them with
	// SUITKIT_WRITE_SEEDS=1 go test ./process -run TestWriteGeneratedSeeds.
	pool, _, err := genSetup()
	if err != nil {
		f.Fatal(err)
	}
	integrated := genIntegrated(pool)
	integrated["#fw"] = []byte("payload")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := suit.DecodeManifestBytes(data, nil)
		if err != nil {
			return
		}
		st := &countingStorage{MemoryStorage: &MemoryStorage{}}
		st.Set([][]byte{{0x00}}, pool.data[pool.oldIdx])
		st.Set([][]byte{{0x01}}, []byte("image one"))
		sink := &recordSink{st: st}
		pf := genPlatform(pool, st, sink)
		pf.SkipCompatibilityCheckUnsafe = true
		p, err := New(pf, genLimits)
		if err != nil {
			t.Fatal(err)
		}
		env := &suit.Envelope{Integrated: integrated}
		for _, proc := range []procedure{updateProcedure, invokeProcedure} {
			first := len(sink.records)
			rep, err := p.runManifest(context.Background(), env, m, suit.Digest{Algorithm: suit.AlgSHA256}, proc, nil, nil)
			checkProcedure(rep, err, sink, first, t.Fatalf)
		}
	})
}
