package process_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// outcome classifies the result of verifying and installing one envelope.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	for _, c := range []struct {
		code string
		err  error
	}{
		{"malformed", verify.ErrMalformed},
		{"condition", process.ErrConditionFailed},
		{"deferred", process.ErrDeferred},
		{"unsupported", process.ErrUnsupported},
		{"unset", process.ErrParameterUnset},
		{"component", process.ErrComponent},
		{"limit", process.ErrLimit},
		{"manifest", process.ErrManifest},
		{"operation", process.ErrOperation},
		{"nocontent", process.ErrNoContent},
		{"maxseq", verify.ErrMaxSequence},
		{"unauthenticated", process.ErrUnauthenticatedContent},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "untyped: " + err.Error()
}

// slotDevice returns a processor for one component [h'00'] holding
// process.SlotImage, with every optional hook present.
func slotDevice(t *testing.T) (*process.Processor, *process.MemoryStorage) {
	t.Helper()
	st := &process.MemoryStorage{}
	st.Set([][]byte{{0}}, process.SlotImage)
	p, err := process.New(process.Platform{
		Identity: process.Identity{VendorID: testVendor, ClassID: testClass},
		Storage:  st,
		Clock:    func() time.Time { return time.Unix(1_700_000_000, 0) },
		Battery:  func() (uint64, error) { return 1000, nil },
		Version:  func([][]byte) ([]int64, error) { return []int64{1}, nil },
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, st
}

// TestIntegerSlots puts each boundary integer (0, 1, -1, MaxInt64,
// MinInt64, MaxUint64, -2^64) into every integer position of a manifest,
// signs it and installs it (issue 9 item 1). Every cell must end in the
// outcome written here, with a typed error: never a panic or a fatal error
// (a command id of MinInt64 used to overflow the stack). Manifests that
// decode must also re-encode to the same bytes.
func TestIntegerSlots(t *testing.T) {
	// Outcomes per value, in the order 0, 1, -1, MaxInt64, MinInt64,
	// MaxUint64, -2^64.
	want := map[string][7]string{
		"manifest-version":        {"malformed", "ok", "malformed", "malformed", "malformed", "malformed", "malformed"},
		"sequence-number":         {"ok", "ok", "malformed", "ok", "malformed", "maxseq", "malformed"},
		"command-id":              {"unsupported", "ok", "unsupported", "unsupported", "unsupported", "malformed", "malformed"},
		"reporting-policy":        {"ok", "ok", "malformed", "ok", "malformed", "ok", "malformed"},
		"component-index":         {"ok", "component", "malformed", "component", "malformed", "component", "malformed"},
		"component-index-list":    {"ok", "component", "malformed", "component", "malformed", "component", "malformed"},
		"parameter-key":           {"unsupported", "malformed", "unsupported", "unsupported", "unsupported", "malformed", "malformed"},
		"image-size":              {"condition", "condition", "malformed", "condition", "malformed", "condition", "malformed"},
		"digest-algorithm":        {"unsupported", "unsupported", "unsupported", "unsupported", "unsupported", "malformed", "malformed"},
		"component-slot":          {"ok", "condition", "malformed", "condition", "malformed", "condition", "malformed"},
		"use-before":              {"condition", "condition", "malformed", "ok", "malformed", "ok", "malformed"},
		"minimum-battery":         {"ok", "ok", "malformed", "deferred", "malformed", "deferred", "malformed"},
		"source-component":        {"ok", "component", "malformed", "component", "malformed", "component", "malformed"},
		"update-priority":         {"ok", "ok", "ok", "ok", "ok", "malformed", "malformed"},
		"version-comparison":      {"unsupported", "condition", "unsupported", "unsupported", "unsupported", "malformed", "malformed"},
		"version-part":            {"ok", "ok", "ok", "condition", "ok", "malformed", "malformed"},
		"override-multiple-index": {"ok", "component", "malformed", "component", "malformed", "component", "malformed"},
		"copy-params-source":      {"ok", "component", "malformed", "component", "malformed", "component", "malformed"},
		"copy-params-key":         {"unsupported", "ok", "unsupported", "unsupported", "unsupported", "malformed", "malformed"},
		"manifest-key":            {"ok", "malformed", "ok", "ok", "ok", "ok", "ok"},
		"common-key":              {"ok", "malformed", "ok", "ok", "ok", "ok", "ok"},
		"dependency-index":        {"manifest", "component", "malformed", "component", "malformed", "component", "malformed"},
		"set-version":             {"ok", "ok", "ok", "ok", "ok", "malformed", "malformed"},
	}
	names, manifests := process.IntegerSlotManifests()
	k := newTestKey(t)
	for i, name := range names {
		slot, value, _ := strings.Cut(name, "/")
		vi := slices.Index(valueNames, value)
		if _, ok := want[slot]; !ok || vi < 0 {
			t.Fatalf("no expected outcome for %s", name)
		}
		mb := manifests[i]
		t.Run(name, func(t *testing.T) {
			if m, err := suit.DecodeManifestBytes(mb, nil); err == nil {
				re, err := m.Encode()
				if err != nil {
					t.Fatalf("decoded but does not encode: %v", err)
				}
				if string(re) != string(mb) {
					t.Fatalf("decode/encode changed the manifest:\n%x\n%x", mb, re)
				}
			} else if !errors.Is(err, suit.ErrMalformed) && !errors.Is(err, suit.ErrUnsupported) && !errors.Is(err, suit.ErrNotDeterministic) {
				t.Fatalf("decode error is not typed: %v", err)
			}
			p, _ := slotDevice(t)
			ver, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: verify.NewMemoryStore()})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Install(context.Background(), ver, sealBytes(t, k, mb, nil))
			if rep == nil {
				t.Fatal("nil report")
			}
			_ = rep.String()
			if _, err := rep.MarshalCBOR(); err != nil {
				t.Fatalf("report CBOR: %v", err)
			}
			if got := outcome(err); got != want[slot][vi] {
				t.Fatalf("outcome %s, want %s (err: %v)", got, want[slot][vi], err)
			}
		})
	}
}

var valueNames = []string{"0", "1", "-1", "MaxInt64", "MinInt64", "MaxUint64", "-2^64"}
