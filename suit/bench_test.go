package suit

import (
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// BenchmarkParseAndDecodeManifest measures the device path for IETF example
// 2 (the largest): envelope parse, manifest digest check and manifest
// decode with severed-element resolution.
func BenchmarkParseAndDecodeManifest(b *testing.B) {
	in := testshared.Conformance(b, "example-2.suit")
	b.ReportAllocs()
	for b.Loop() {
		e, err := Parse(in, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !e.Authentication.Digest.MatchesBstr(e.ManifestBytes) {
			b.Fatal("digest")
		}
		if _, err := e.DecodeManifest(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse measures the envelope parse alone (before verification).
func BenchmarkParse(b *testing.B) {
	in := testshared.Conformance(b, "example-2.suit")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeAllocationBudget(t *testing.T) {
	in := testshared.Conformance(t, "example-2-severed.suit")
	allocs := testing.AllocsPerRun(20, func() {
		e, err := Parse(in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DecodeManifest(nil); err != nil {
			t.Fatal(err)
		}
	})
	// The verify benchmark budget is ~100 allocations including ES256;
	// keep the decode well under half of it.
	if allocs > 40 {
		t.Errorf("%v allocations to parse and decode example 2 (severed)", allocs)
	}
	t.Logf("%v allocations", allocs)
}
