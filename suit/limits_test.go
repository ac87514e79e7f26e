package suit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLimitsAtLimitAndOver: issue 9 item 7. For every Limits field and
// every test envelope, Decode accepts the envelope with the field at the
// smallest value that works and refuses it with ErrLimit one below (the
// input is then one over the limit); where the need can be counted
// directly (size, components, blocks, integrated payloads) the smallest
// working value must be exactly that count. Every field is exceeded by at
// least one envelope.
func TestLimitsAtLimitAndOver(t *testing.T) {
	inputs := map[string][]byte{}
	for _, name := range []string{"integrated-payload", "multi-component", "try-each", "severed-text", "single-image"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", name+".suit"))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = b
	}
	// Two authentication blocks and two integrated payloads.
	env, err := Parse(bytes.Clone(inputs["integrated-payload"]), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Blocks are only checked to be one tagged COSE item here: an empty
	// COSE_Sign1, 18([h'', {}, nil, h'']), twice.
	sign1 := []byte{0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40}
	env.Authentication.Blocks = append(env.Authentication.Blocks, sign1, sign1)
	if err := AddPayload(env, "#second", []byte("second payload")); err != nil {
		t.Fatal(err)
	}
	if inputs["two-of-each"], err = env.Encode(); err != nil {
		t.Fatal(err)
	}

	exceeded := map[string]bool{}
	for name, data := range inputs {
		e, err := Decode(data, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		blocks := 0
		if e.Authentication != nil {
			blocks = len(e.Authentication.Blocks)
		}
		for _, f := range []struct {
			field string
			with  func(n int) *Limits
			def   int
			need  int // 0: not counted directly
		}{
			{"MaxEnvelopeSize", func(n int) *Limits { return &Limits{MaxEnvelopeSize: n} }, DefaultMaxEnvelopeSize, len(data)},
			{"MaxManifestSize", func(n int) *Limits { return &Limits{MaxManifestSize: n} }, DefaultMaxManifestSize, 0},
			{"MaxDepth", func(n int) *Limits { return &Limits{MaxDepth: n} }, DefaultMaxDepth, 0},
			{"MaxSequenceDepth", func(n int) *Limits { return &Limits{MaxSequenceDepth: n} }, DefaultMaxSequenceDepth, 0},
			{"MaxElements", func(n int) *Limits { return &Limits{MaxElements: n} }, DefaultMaxElements, 0},
			{"MaxComponents", func(n int) *Limits { return &Limits{MaxComponents: n} }, DefaultMaxComponents, len(e.Manifest.Common.Components)},
			{"MaxCommands", func(n int) *Limits { return &Limits{MaxCommands: n} }, DefaultMaxCommands, 0},
			{"MaxAuthBlocks", func(n int) *Limits { return &Limits{MaxAuthBlocks: n} }, DefaultMaxAuthBlocks, blocks},
			{"MaxIntegrated", func(n int) *Limits { return &Limits{MaxIntegrated: n} }, DefaultMaxIntegrated, len(e.Integrated)},
		} {
			ok := func(n int) bool { _, err := Decode(data, f.with(n)); return err == nil }
			lo, hi := 1, f.def
			for lo < hi {
				if mid := lo + (hi-lo)/2; ok(mid) {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			if !ok(lo) {
				t.Errorf("%s: not accepted with %s at %d", name, f.field, lo)
			}
			if f.need > 1 && lo != f.need {
				t.Errorf("%s: smallest working %s is %d, want exactly %d", name, f.field, lo, f.need)
			}
			if lo == 1 {
				continue
			}
			exceeded[f.field] = true
			if _, err := Decode(data, f.with(lo-1)); !errors.Is(err, ErrLimit) {
				t.Errorf("%s: %s %d (one over): %v, want ErrLimit", name, f.field, lo-1, err)
			}
		}
	}
	for _, f := range []string{"MaxEnvelopeSize", "MaxManifestSize", "MaxDepth", "MaxSequenceDepth", "MaxElements", "MaxComponents", "MaxCommands", "MaxAuthBlocks", "MaxIntegrated"} {
		if !exceeded[f] {
			t.Errorf("no test envelope exceeds %s by one", f)
		}
	}
}
