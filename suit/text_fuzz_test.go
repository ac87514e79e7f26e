package suit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseText: ParseText never panics; whatever it accepts is one
// well-formed CBOR item, and formatting that and parsing it again gives the
// same bytes. FormatText on arbitrary CBOR never panics either.
func FuzzParseText(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.suit"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			if js, err := FormatText(b, TextJSON); err == nil {
				f.Add(js, false)
			}
			if ym, err := FormatText(b, TextYAML); err == nil {
				f.Add(ym, true)
			}
		}
	}
	f.Add([]byte(`{"suit-manifest": {"99": {"cbor-hex": "83010203"}}}`), false)
	f.Add([]byte("suit-manifest: {suit-validate: [{suit-condition-image-match: 15}]}"), true)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, spec []byte, yaml bool) {
		format := TextJSON
		if yaml {
			format = TextYAML
		}
		env, err := ParseText(spec, format, &TextOptions{Dir: dir, MaxFileSize: 1 << 10})
		if err != nil {
			if env != nil {
				t.Fatal("error with a result")
			}
			// Arbitrary bytes through the other direction.
			_, _ = FormatText(spec, TextJSON)
			return
		}
		if _, err := dnParse(env, 0); err != nil {
			t.Fatalf("accepted spec built malformed CBOR: %v", err)
		}
		text, err := FormatText(env, TextJSON)
		if err != nil {
			// A spec may legitimately hold non-deterministic cbor-hex.
			return
		}
		again, err := ParseText(text, TextJSON, nil)
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%s", err, text)
		}
		if !bytes.Equal(again, env) {
			t.Fatalf("format/parse is not stable")
		}
	})
}

// FuzzFormatText: for any input FormatText accepts (one deterministically
// encoded CBOR item), the JSON and YAML forms parse back to the same bytes.
func FuzzFormatText(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.suit"))
	ietf, _ := filepath.Glob(filepath.Join("..", "..", "shared", "conformance", "ietf", "*.suit"))
	files = append(files, ietf...)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, h := range [][]byte{{0xa1, 0x01, 0x02}, {0xd8, 0x6b, 0xa1, 0x03, 0x41, 0xa0}, {0xd9, 0x04, 0x2e, 0xa0}} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []TextFormat{TextJSON, TextYAML} {
			text, err := FormatText(data, format)
			if err != nil {
				return
			}
			back, err := ParseText(text, format, nil)
			if err != nil {
				t.Fatalf("format %d: output does not parse: %v\n%s", format, err, text)
			}
			if !bytes.Equal(back, data) {
				t.Fatalf("format %d: round trip differs\n got %x\nwant %x\n%s", format, back, data, text)
			}
			if _, err := FormatText(data, TextTree); err != nil {
				t.Fatalf("tree: %v", err)
			}
		}
	})
}
