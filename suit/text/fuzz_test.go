package text

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
)

// repoTestdata holds the project's golden envelopes, used as seeds.
const repoTestdata = "../../testdata"

// FuzzParse: Parse never panics; whatever it accepts is one
// well-formed CBOR item, and formatting that and parsing it again gives the
// same bytes. Format on arbitrary CBOR never panics either.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(repoTestdata, "*.suit"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			if js, err := Format(b, JSON); err == nil {
				f.Add(js, false)
			}
			if ym, err := Format(b, YAML); err == nil {
				f.Add(ym, true)
			}
		}
	}
	f.Add([]byte(`{"suit-manifest": {"99": {"cbor-hex": "83010203"}}}`), false)
	f.Add([]byte("suit-manifest: {suit-validate: [{suit-condition-image-match: 15}]}"), true)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, spec []byte, yaml bool) {
		format := JSON
		if yaml {
			format = YAML
		}
		env, err := Parse(spec, format, &Options{Dir: dir, MaxFileSize: 1 << 10})
		if err != nil {
			if env != nil {
				t.Fatal("error with a result")
			}
			// Arbitrary bytes through the other direction.
			_, _ = Format(spec, JSON)
			return
		}
		if _, err := cbornode.Parse(env, 0); err != nil {
			t.Fatalf("accepted spec built malformed CBOR: %v", err)
		}
		text, err := Format(env, JSON)
		if err != nil {
			// A spec may legitimately hold non-deterministic cbor-hex.
			return
		}
		again, err := Parse(text, JSON, nil)
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%s", err, text)
		}
		if !bytes.Equal(again, env) {
			t.Fatalf("format/parse is not stable")
		}
	})
}

// FuzzFormat: for any input Format accepts (one deterministically
// encoded CBOR item), the JSON and YAML forms parse back to the same bytes.
func FuzzFormat(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(repoTestdata, "*.suit"))
	files = append(files, testshared.FindConformanceFiles()...)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, h := range [][]byte{{0xa1, 0x01, 0x02}, {0xd8, 0x6b, 0xa1, 0x03, 0x41, 0xa0}, {0xd9, 0x04, 0x2e, 0xa0}} {
		f.Add(h)
	}
	if b, err := Parse([]byte(umSpec), JSON, nil); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Syntax{JSON, YAML} {
			text, err := Format(data, format)
			if err != nil {
				return
			}
			back, err := Parse(text, format, nil)
			if err != nil {
				t.Fatalf("format %d: output does not parse: %v\n%s", format, err, text)
			}
			if !bytes.Equal(back, data) {
				t.Fatalf("format %d: round trip differs\n got %x\nwant %x\n%s", format, back, data, text)
			}
			if _, err := Format(data, Tree); err != nil {
				t.Fatalf("tree: %v", err)
			}
		}
	})
}
