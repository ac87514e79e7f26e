package text

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

func ietfEnvelopes(t *testing.T) map[string][]byte {
	t.Helper()
	dir := testshared.ConformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.suit"))
	if err != nil || len(files) == 0 {
		t.Skipf("no IETF examples in %s", dir)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	if len(out) != 14 {
		t.Fatalf("found %d IETF envelopes, want 14", len(out))
	}
	return out
}

func TestTextRoundTripIETFExamples(t *testing.T) {
	for name, data := range ietfEnvelopes(t) {
		for _, f := range []Syntax{JSON, YAML} {
			text, err := Format(data, f)
			if err != nil {
				t.Fatalf("%s: Format: %v", name, err)
			}
			if bytes.Contains(text, []byte(tnCBORHex)) {
				t.Errorf("%s: text form fell back to cbor-hex:\n%s", name, text)
			}
			back, err := Parse(text, f, nil)
			if err != nil {
				t.Fatalf("%s: Parse: %v\n%s", name, err, text)
			}
			if !bytes.Equal(back, data) {
				t.Errorf("%s (format %d): round trip differs\n got %x\nwant %x\n%s", name, f, back, data, text)
			}
		}
	}
}

func TestTextUsesIETFNames(t *testing.T) {
	data := ietfEnvelopes(t)["example-0.suit"]
	text, err := Format(data, JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"suit-manifest-sequence-number": 0`,
		`"suit-directive-override-parameters": {`,
		`"suit-parameter-vendor-identifier": "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe"`,
		`"suit-parameter-class-identifier": "1492af14-2569-5e48-bf42-9b2d51f2ab45"`,
		`"suit-digest-algorithm-id": "sha-256"`,
		`"suit-parameter-image-size": 34768`,
		`"suit-condition-vendor-identifier": ["suit-send-record-on-success", "suit-send-record-on-failure", "suit-send-sysinfo-success", "suit-send-sysinfo-failure"]`,
		`"suit-directive-invoke": ["suit-send-record-on-failure"]`,
		`"suit-components": [`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("missing %s in\n%s", want, text)
		}
	}
}

func TestTextSeveredElementsShownAsDigests(t *testing.T) {
	data := ietfEnvelopes(t)["example-2.suit"]
	text, err := Format(data, JSON)
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	for _, want := range []string{`"suit-install": {`, `"suit-digest": {`, `"suit-text-vendor-domain": "arm.com"`, `"suit-reference-uri": "https://git.io/JJYoj"`} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func TestTextKeepsUnknownKeysAndCustomCommands(t *testing.T) {
	spec := `{
  "suit-manifest": {
    "suit-manifest-version": 1,
    "suit-manifest-sequence-number": 7,
    "suit-common": {
      "suit-components": [["00"]],
      "suit-shared-sequence": [{"suit-directive-override-parameters": {"-300": "custom", "-301": {"cbor-hex": "a10102"}}}]
    },
    "99": {"cbor-hex": "83010203"},
    "suit-validate": [{"-260": {"cbor-hex": "4401020304"}}, {"suitkit-directive-apply-delta": 15}],
    "suit-invoke": {"cbor-hex": "43820102"}
  },
  "42": 5
}`
	data, err := Parse([]byte(spec), JSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	text, err := Format(data, JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"-300": "custom"`, `"-301": {"1": 2}`, `"99": [1, 2, 3]`, `"-260": {"bstr": "01020304"}`, `"suitkit-directive-apply-delta": [`, `"42": 5`, `"suit-invoke": [`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("missing %s in\n%s", want, text)
		}
	}
	again, err := Parse(text, JSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Fatalf("unknown members did not survive a round trip")
	}
}

func TestTextAuthoringConveniences(t *testing.T) {
	dir := t.TempDir()
	fw := bytes.Repeat([]byte("firmware"), 100)
	if err := os.WriteFile(filepath.Join(dir, "fw.bin"), fw, 0o644); err != nil {
		t.Fatal(err)
	}
	spec := `
suit-manifest:
  suit-manifest-version: 1
  suit-manifest-sequence-number: 3
  suit-common:
    suit-components: [["00"]]
    suit-shared-sequence:
      - suit-directive-override-parameters:
          suit-parameter-vendor-identifier: {uuid5-dns: arm.com}
          suit-parameter-class-identifier: {uuid5: {namespace: fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe, name: LPC1768}}
          suit-parameter-image-digest: {file: fw.bin}
          suit-parameter-image-size: {file: fw.bin}
          suit-parameter-uri: "#fw.bin"
  suit-install:
    suit-digest: {}
suit-install:
  - suit-directive-fetch: [suit-send-record-on-failure]
suit-integrated-payloads:
  "#fw.bin": {file: fw.bin}
`
	data, err := Parse([]byte(spec), YAML, &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	text, err := Format(data, JSON)
	if err != nil {
		t.Fatal(err)
	}
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("arm.com"))
	class := suit.NewUUID5(vendor, []byte("LPC1768"))
	dg, _ := suit.ComputeDigest(suit.AlgSHA256, fw)
	for _, want := range []string{vendor.String(), class.String(), `"suit-parameter-image-size": 800`,
		`"` + hexString(dg.Value) + `"`, `"#fw.bin": "` + hexString(fw) + `"`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("missing %s in\n%s", want, text)
		}
	}
	// The severed install digest and the manifest digest were computed.
	n, err := cbornode.Parse(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	env := n.Elems[0]
	var manifestItem, installItem, authContent []byte
	for i := 0; i < len(env.Elems); i += 2 {
		switch v, _ := env.Elems[i].Int64(); v {
		case 2:
			authContent = env.Elems[i+1].Str
		case 3:
			manifestItem = env.Elems[i+1].Raw
		case 20:
			installItem = env.Elems[i+1].Raw
		}
	}
	md, _ := suit.ComputeDigest(suit.AlgSHA256, manifestItem)
	if !bytes.Contains(authContent, md.Value) {
		t.Errorf("authentication wrapper does not hold the manifest digest")
	}
	id, _ := suit.ComputeDigest(suit.AlgSHA256, installItem)
	if !bytes.Contains(manifestItem, id.Value) {
		t.Errorf("manifest does not hold the severed install digest")
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestTextFileReferenceCannotEscapeDir(t *testing.T) {
	dir := t.TempDir()
	spec := `{"suit-integrated-payloads": {"#x": {"file": "../../../../etc/passwd"}}}`
	_, err := Parse([]byte(spec), JSON, &Options{Dir: dir})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	spec = `{"suit-integrated-payloads": {"#x": {"file": "missing.bin"}}}`
	_, err = Parse([]byte(spec), JSON, &Options{Dir: dir})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want fs.ErrNotExist", err)
	}
}

func TestTextFileReferenceSizeCapped(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), make([]byte, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := `{"suit-integrated-payloads": {"#x": {"file": "big.bin"}}}`
	_, err := Parse([]byte(spec), JSON, &Options{Dir: dir, MaxFileSize: 1000})
	if !errors.Is(err, suit.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	// One file referenced many times counts every time.
	spec = `{"suit-integrated-payloads": {"#a": {"file": "big.bin"}, "#b": {"file": "big.bin"}, "#c": {"file": "big.bin"}}}`
	_, err = Parse([]byte(spec), JSON, &Options{Dir: dir, MaxTotalFileSize: 5000})
	if !errors.Is(err, suit.ErrLimit) {
		t.Fatalf("repeated references: err = %v, want ErrLimit", err)
	}
	if _, err = Parse([]byte(spec), JSON, &Options{Dir: dir, MaxTotalFileSize: 6000}); err != nil {
		t.Fatalf("within the total cap: %v", err)
	}
}

func TestParseRejectsBadInput(t *testing.T) {
	cases := map[string]string{
		"duplicate member":    `{"suit-manifest": {}, "suit-manifest": {}}`,
		"unknown member":      `{"suit-manifesto": {}}`,
		"unknown command":     `{"suit-manifest": {"suit-validate": [{"suit-condition-nothing": 15}]}}`,
		"two-member command":  `{"suit-manifest": {"suit-validate": [{"suit-condition-image-match": 15, "suit-directive-fetch": 2}]}}`,
		"bad hex":             `{"suit-integrated-payloads": {"#x": "zz"}}`,
		"bad uuid":            `{"suit-manifest": {"suit-validate": [{"suit-directive-override-parameters": {"suit-parameter-vendor-identifier": "not-a-uuid"}}]}}`,
		"bad rep bit":         `{"suit-manifest": {"suit-validate": [{"suit-condition-image-match": ["suit-send-everything"]}]}}`,
		"negative uint":       `{"suit-manifest": {"suit-manifest-sequence-number": -1}}`,
		"fraction":            `{"suit-manifest": {"suit-manifest-sequence-number": 1.5}}`,
		"trailing data":       `{} {}`,
		"bad cbor-hex":        `{"suit-manifest": {"99": {"cbor-hex": "8201"}}}`,
		"not an object":       `[1, 2]`,
		"unknown digest alg":  `{"suit-manifest": {"suit-validate": [{"suit-directive-override-parameters": {"suit-parameter-image-digest": {"suit-digest-algorithm-id": "md5", "suit-digest-bytes": "00"}}}]}}`,
		"severed no envelope": `{"suit-manifest": {"suit-install": {"suit-digest": {}}}}`,
	}
	for name, spec := range cases {
		if _, err := Parse([]byte(spec), JSON, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if _, err := Parse([]byte("a: &x [1]\nb: *x\n"), YAML, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("YAML alias: err = %v", err)
	}
}

func TestFormatRejectsNonDeterministic(t *testing.T) {
	// {2: 0, 1: 0}: keys out of order.
	if _, err := Format([]byte{0xa2, 0x02, 0x00, 0x01, 0x00}, JSON); !errors.Is(err, suit.ErrNotDeterministic) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Format([]byte{0x82, 0x01}, JSON); !errors.Is(err, suit.ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
}

// The text form's names must be the registry's names (names.go), both
// ways: every registered key has its registry name in the schema, and the
// schema knows no key the registry does not.
func TestTextSchemaNamesMatchRegistry(t *testing.T) {
	pairs := []struct {
		what   string
		schema *schema.Map
		name   func(int64) string
	}{
		{"envelope", schema.Envelope, suit.EnvelopeKeyName}, {"manifest", schema.Manifest, suit.ManifestKeyName},
		{"common", schema.Common, suit.CommonKeyName}, {"command", schema.Command, suit.CommandName},
		{"parameter", schema.Parameter, suit.ParameterName}, {"text", schema.TextManifest, suit.TextKeyName},
		{"text component", schema.TextComponent, suit.TextComponentKeyName},
	}
	for _, p := range pairs {
		registered := 0
		for k := int64(-1024); k <= 1024; k++ {
			n := p.name(k)
			if n == "" {
				continue
			}
			registered++
			if got := p.schema.Name(k); got != n {
				t.Errorf("%s key %d: text form name %q, registry %q", p.what, k, got, n)
			}
		}
		if len(p.schema.ByKey) != registered {
			t.Errorf("%s: schema has %d names, registry %d", p.what, len(p.schema.ByKey), registered)
		}
	}
	if got := suit.ReportingPolicyNames(1<<len(schema.ReportingPolicyBits) - 1); strings.Join(schema.ReportingPolicyBits, ",") != strings.Join(got, ",") {
		t.Errorf("reporting-policy bit names differ: %v vs %v", schema.ReportingPolicyBits, got)
	}
}
