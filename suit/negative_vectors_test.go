package suit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// negativeDir holds envelopes that must be rejected; the file name's
// prefix names the sentinel. Other tools (the CLI tests) can use them.
// Regenerate with: go test ./suit -run TestNegativeVectors -update
const negativeDir = "testdata/negative"

var negativeSentinels = map[string]error{
	"malformed":        ErrMalformed,
	"nondeterministic": ErrNotDeterministic,
	"limit":            ErrLimit,
	"unsupported":      ErrUnsupported,
	"digestmismatch":   ErrDigestMismatch,
}

// negativeVectors builds the vectors; the tampered example needs the IETF
// files and is omitted when they are absent.
func negativeVectors(t *testing.T) map[string][]byte {
	ok := manifestWith(commonWith(minimalShared), 0)
	v := map[string][]byte{
		"malformed-duplicate-key.suit":        envelopeFor(t, manifestWith(commonWith(seqOf(2, hx("14 a2 0e 01 0e 02"))), 0)),
		"malformed-trailing-bytes.suit":       cat(envelopeFor(t, ok), hx("00")),
		"malformed-odd-command-sequence.suit": envelopeFor(t, manifestWith(commonWith(hx("83 01 0f 02")), 0)),
		"malformed-try-each-one-alternative.suit": envelopeFor(t, manifestWith(commonWith(
			cat(hx("82 0f 82"), bs(minimalShared), hx("f6"))), 0)),
		"malformed-custom-command-in-shared-sequence.suit": envelopeFor(t, manifestWith(commonWith(
			seqOf(4, hx("01 0f"), hx("39 0100 02"))), 0)),
		"malformed-float.suit":                       envelopeFor(t, manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx("fa 3f 80 00 00"))),
		"malformed-negative-sequence-number.suit":    envelopeFor(t, cat(hx("a3 01 01 02 20 03"), bs(commonWith(minimalShared)))),
		"nondeterministic-indefinite-length.suit":    envelopeFor(t, manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx("9f 01 ff"))),
		"nondeterministic-non-shortest-integer.suit": envelopeFor(t, cat(hx("a3 01 01 02 18 02 03"), bs(commonWith(minimalShared)))),
		"nondeterministic-unsorted-keys.suit":        envelopeFor(t, cat(hx("a3 02 00 01 01 03"), bs(commonWith(minimalShared)))),
		"limit-deep-nesting.suit":                    envelopeFor(t, manifestWith(commonWith(nestedRunSequence(20)), 0)),
		"malformed-oversized-declared-length.suit": envelopeFor(t, manifestWith(commonWith(minimalShared), 1, hx("18 63"),
			hx("5b 00 00 00 01 00 00 00 00"))),
		"unsupported-manifest-version-2.suit": envelopeFor(t, cat(hx("a3 01 02 02 00 03"), bs(commonWith(minimalShared)))),
	}
	if dir := testshared.FindConformance(); dir != "" {
		if in, err := os.ReadFile(filepath.Join(dir, "example-2.suit")); err == nil {
			if e, err := Parse(in, nil); err == nil {
				bad := append([]byte{}, in...)
				text := e.Severed[EnvelopeText]
				bad[offsetIn(in, text)+len(text)-1] ^= 1
				v["digestmismatch-tampered-severed-text.suit"] = bad
			}
		}
	}
	return v
}

func TestNegativeVectors(t *testing.T) {
	want := negativeVectors(t)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(negativeDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range want {
			if err := os.WriteFile(filepath.Join(negativeDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(negativeDir, "*.suit"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors in %s (run with -update): %v", negativeDir, err)
	}
	for _, p := range files {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := want[name]; ok && !bytes.Equal(w, b) {
				t.Fatalf("stale vector; regenerate with -update")
			}
			sentinel := negativeSentinels[strings.SplitN(name, "-", 2)[0]]
			if sentinel == nil {
				t.Fatalf("file name %q does not start with a known sentinel", name)
			}
			e, err := Decode(b, nil)
			if e != nil || !errors.Is(err, sentinel) {
				t.Fatalf("got %v, want %v", err, sentinel)
			}
		})
	}
}
