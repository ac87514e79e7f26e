package diag

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
)

// diagNormalise drops /comments/ and whitespace outside quoted strings, so
// that the draft's annotated, line-wrapped notation compares with ours.
func diagNormalise(s string) string {
	var b strings.Builder
	inStr, inComment, esc := false, false, false
	for _, r := range s {
		switch {
		case inStr:
			b.WriteRune(r)
			if esc {
				esc = false
			} else if r == '\\' {
				esc = true
			} else if r == '"' {
				inStr = false
			}
		case inComment:
			if r == '/' {
				inComment = false
			}
		case r == '/':
			inComment = true
		case r == '"':
			inStr = true
			b.WriteRune(r)
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestDiagMatchesDraftNotation(t *testing.T) {
	dir := testshared.ConformanceDir(t)
	cases := map[string]string{
		"example-0.diag": "example-0.suit",
		"example-1.diag": "example-1.suit",
		"example-2.diag": "example-2-severed.suit",
		"example-3.diag": "example-3.suit",
		"example-4.diag": "example-4.suit",
		"example-5.diag": "example-5.suit",
	}
	for diagFile, suitFile := range cases {
		want, err := os.ReadFile(filepath.Join(dir, diagFile))
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, suitFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, annotate := range []bool{false, true} {
			got, err := Format(data, &Options{Indent: "    ", EmbeddedCBOR: true, Annotate: annotate})
			if err != nil {
				t.Fatalf("%s: %v", suitFile, err)
			}
			if g, w := diagNormalise(got), diagNormalise(string(want)); g != w {
				t.Errorf("%s (annotate %v): structure differs from %s\n got: %s\nwant: %s", suitFile, annotate, diagFile, g, w)
			}
		}
	}
}

func TestDiagSingleLineForms(t *testing.T) {
	cases := []struct{ hex, want string }{
		{"00", "0"},
		{"20", "-1"},
		{"3bffffffffffffffff", "-18446744073709551616"},
		{"1bffffffffffffffff", "18446744073709551615"},
		{"4100", "h'00'"},
		{"6161", `"a"`},
		{"62225c", `"\"\\"`},
		{"820102", "[1, 2]"},
		{"a201020304", "{1: 2, 3: 4}"},
		{"d86b80", "107([])"},
		{"f4", "false"}, {"f5", "true"}, {"f6", "null"}, {"f7", "undefined"},
		{"f93c00", "1.0"}, {"fb3ff8000000000000", "1.5"}, {"f97c00", "Infinity"},
		{"f820", "simple(32)"},
		{"a0", "{}"},
		{"4100", "h'00'"},
	}
	for _, c := range cases {
		data, _ := hex.DecodeString(c.hex)
		got, err := Format(data, nil)
		if err != nil || got != c.want {
			t.Errorf("Format(%s) = %q, %v; want %q", c.hex, got, err, c.want)
		}
	}
}

func TestDiagEmbeddedOnlyForStructures(t *testing.T) {
	// h'00' would parse as the integer 0 but must stay a byte string;
	// h'8201 02' is an array and is shown embedded.
	data, _ := hex.DecodeString("82410043820102")
	got, err := Format(data, &Options{EmbeddedCBOR: true})
	if err != nil {
		t.Fatal(err)
	}
	if got != "[h'00', << [1, 2] >>]" {
		t.Fatalf("got %q", got)
	}
}

func TestDiagRejectsMalformedWithoutPanic(t *testing.T) {
	for _, h := range []string{"", "18", "5f", "9f01ff", "62c328", "8201", "0000", "1c", "f801",
		"9b00000000ffffffff", "bb00000000ffffffff", "7b00000000ffffffff"} {
		data, _ := hex.DecodeString(h)
		if _, err := Format(data, nil); !errors.Is(err, suit.ErrMalformed) {
			t.Errorf("Format(%s) err = %v, want malformed", h, err)
		}
	}
}

func TestDiagDepthBoundCountsEmbeddedLayers(t *testing.T) {
	// 40 nested bstr-wrapped arrays: each layer costs two levels.
	inner := []byte{0x80}
	for i := 0; i < 40; i++ {
		inner = append(cbor.AppendHead(nil, 2, uint64(len(inner)+1)), append(cbor.AppendHead(nil, 4, 1), inner...)...)
		inner = append(cbor.AppendHead(nil, 4, 1), inner...)
	}
	got, err := Format(inner, &Options{EmbeddedCBOR: true, MaxDepth: 20})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(got, "<<") > 10 {
		t.Fatalf("embedded layers not bounded: %d", strings.Count(got, "<<"))
	}
	if _, err := Format(inner, &Options{MaxDepth: 1}); !errors.Is(err, suit.ErrMalformed) {
		t.Fatalf("depth 1 accepted a nested array: %v", err)
	}
}

func FuzzFormat(f *testing.F) {
	// a2 30 30 10 42 3830: a byte string at a SUIT key (16) holding a
	// non-container item once made annotated output differ.
	for _, h := range []string{"00", "a201020304", "d86b80", "43820102", "f97c00", "a2303010423830"} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*.suit"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Format(data, &Options{EmbeddedCBOR: true, Indent: " "})
		if err != nil {
			if s != "" {
				t.Fatal("error with output")
			}
			return
		}
		a, err := Format(data, &Options{EmbeddedCBOR: true, Indent: " ", Annotate: true})
		if err != nil {
			t.Fatalf("annotating failed where plain output worked: %v", err)
		}
		// Annotations are comments only.
		if diagNormalise(a) != diagNormalise(s) {
			t.Fatalf("annotated output differs beyond comments:\n%s\n%s", a, s)
		}
		// Property: every accepted item re-encodes to its own bytes.
		n, err := cbornode.Parse(data, 0)
		if err != nil {
			t.Fatalf("Format accepted what cbornode.Parse rejects: %v", err)
		}
		if b, err := n.EncodeBytes(); err != nil || string(b) != string(data) {
			t.Fatalf("raw re-encode differs")
		}
	})
}

func TestDiagAnnotatesSUITNames(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testshared.ConformanceDir(t), "example-2.suit"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Format(data, &Options{Indent: "  ", EmbeddedCBOR: true, Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/ suit-authentication-wrapper / 2: << [",
		"/ suit-manifest-sequence-number / 2: 2",
		"/ suit-directive-override-parameters / 20, {",
		"/ suit-parameter-vendor-identifier / 1: h'fa6b4a53d5ad5fdfbe9de663e4d41ffe' / fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe /",
		"/ suit-condition-vendor-identifier / 1, 15",
		"/ suit-install / 20: [",
		"-16 / sha-256 /,",
		"/ suit-text-vendor-domain / 3: \"arm.com\"",
		"/ suit-text / 23: << {",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}
