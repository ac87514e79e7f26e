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
