package text

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/diag"
)

// Round trips of the text form at its edges: CBOR outside the schema,
// extreme integers, strings and keys that YAML treats specially, and the
// bare tag-1070 manifest.

func TestTextGenericFormForUnschemedCBOR(t *testing.T) {
	// Version parameter (bstr .cbor [2, [1, 2]]), a custom parameter holding
	// a tagged bstr, a manifest extension holding a text-keyed map (kept as
	// cbor-hex), and set-version.
	spec := `{
  "suit-manifest": {
    "suit-manifest-version": 1,
    "suit-manifest-sequence-number": 1,
    "suit-common": {"suit-components": [["00"]]},
    "suit-set-version": {"cbor": [1, 2, 3]},
    "suit-coswid": {"cbor": {"0": "tag-id", "1": 2}},
    "suit-validate": [
      {"suit-directive-override-parameters": {
        "suit-parameter-version": {"cbor": [2, [1, 2]]},
        "-1000": {"bstr": "2b0601"}
      }},
      {"suit-condition-version": 15}
    ],
    "77": {"cbor-hex": "a1616101"},
    "78": {"tag": 112, "value": {"bstr": "2b0601"}}
  }
}`
	data, err := Parse([]byte(spec), JSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := suit.Decode(data, nil); err != nil {
		t.Fatalf("built envelope does not decode: %v", err)
	}
	text, err := Format(data, JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"suit-parameter-version": {"cbor": [2, [1, 2]]}`, `"-1000": {"bstr": "2b0601"}`, `"tag": 112`,
		`"suit-set-version": {"cbor": [1, 2, 3]}`, `"suit-coswid": {"cbor": {"0": "tag-id", "1": 2}}`, `"77": {"cbor-hex": "a1616101"}`} {
		squash := strings.NewReplacer(" ", "", "\n", "")
		if !strings.Contains(squash.Replace(string(text)), squash.Replace(want)) {
			t.Errorf("missing %s in\n%s", want, text)
		}
	}
	back, err := Parse(text, JSON, nil)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("generic form does not round-trip: %v", err)
	}
}

func TestTextTreeSummarisesCOSEBlocks(t *testing.T) {
	data := ietfEnvelopes(t)["example-0.suit"]
	tree, err := Format(data, Tree)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tree), "[0]: COSE_Sign1, ES256, 74 bytes (not verified)") {
		t.Fatalf("no COSE summary in\n%s", tree)
	}
	if _, err := Parse(tree, Tree, nil); err == nil {
		t.Fatal("the tree outline was accepted as input")
	}
}

func TestTextBareManifestTag1070(t *testing.T) {
	env, err := suit.Decode(ietfEnvelopes(t)["example-0.suit"], nil)
	if err != nil {
		t.Fatal(err)
	}
	bare := append([]byte{0xd9, 0x04, 0x2e}, env.ManifestBytes...)
	if _, err := suit.Decode(bare, nil); err != nil {
		t.Skipf("decoder does not take tag 1070: %v", err)
	}
	for _, f := range []Syntax{JSON, YAML} {
		text, err := Format(bare, f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), tnBareManifest) || strings.Contains(string(text), tnCBORHex) {
			t.Fatalf("bare manifest not shown structurally:\n%s", text)
		}
		back, err := Parse(text, f, nil)
		if err != nil || !bytes.Equal(back, bare) {
			t.Fatalf("bare manifest round trip: %v", err)
		}
	}
	d, err := diag.Format(bare, &diag.Options{EmbeddedCBOR: true, Annotate: true})
	if err != nil || !strings.Contains(d, "1070({/ suit-manifest-version / 1: 1") {
		t.Fatalf("diag: %v %s", err, d)
	}
}

func TestTextYAMLKeepsAwkwardStrings(t *testing.T) {
	for _, s := range []string{"line1\nline2  \n", "\ttab\n", "a\r\nb", " leading", "\n\nx", "x\n\n\n", "null", "0x10",
		"- a", "#x", ": y", "yes", "~", "", "\u2028sep", "x\x00y", "é\n", "12", "-1", "1e3", "'q'", "\"dq\"", "a\n b\n  c"} {
		b := build.New(1)
		b.Description = s
		if err := b.AddImage(build.Image{Data: []byte{1}, ValidateOnly: true}); err != nil {
			t.Fatal(err)
		}
		data, err := b.BuildBytes()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []Syntax{JSON, YAML} {
			text, err := Format(data, f)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(text, f, nil)
			if err != nil || !bytes.Equal(back, data) {
				t.Errorf("format %d, description %q: round trip failed (%v)\n%s", f, s, err, text)
			}
		}
	}
}

// Authoring conveniences reproduce the draft's unsigned example 0 exactly:
// vendor and class ids from names, manifest digest computed.
func TestTextAuthoredSpecReproducesUnsignedExample0(t *testing.T) {
	want := ietfEnvelopes(t)["example-0-unsigned.suit"]
	spec := `
suit-manifest:
  suit-manifest-version: 1
  suit-manifest-sequence-number: 0
  suit-common:
    suit-components: [["00"]]
    suit-shared-sequence:
      - suit-directive-override-parameters:
          suit-parameter-vendor-identifier: {uuid5-dns: arm.com}
          suit-parameter-class-identifier: {uuid5: {namespace: fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe, name: suit}}
          suit-parameter-image-digest:
            suit-digest-algorithm-id: cose-alg-sha-256
            suit-digest-bytes: 00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210
          suit-parameter-image-size: 34768
      - suit-condition-vendor-identifier: 15
      - suit-condition-class-identifier: 15
  suit-validate:
    - suit-condition-image-match: 15
  suit-invoke:
    - suit-directive-invoke: [suit-send-record-on-failure]
`
	got, err := Parse([]byte(spec), YAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("authored spec differs from example-0-unsigned\n got %x\nwant %x", got, want)
	}
}

func TestTextExtremeIntegersRoundTrip(t *testing.T) {
	// 107({98: [-2^64, h'00'], 99: [-2^64, 2^64-1]}), and a manifest whose
	// image-digest parameter has the algorithm -2^64.
	cases := []string{
		"d86ba21862823bffffffffffffffff41001863823bffffffffffffffff1bffffffffffffffff",
		"d86ba1035821a301010200035819a2028181410004518214a1034c823bffffffffffffffff4100",
	}
	for _, h := range cases {
		data, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []Syntax{JSON, YAML} {
			text, err := Format(data, f)
			if err != nil {
				t.Fatalf("%s: %v", h, err)
			}
			back, err := Parse(text, f, nil)
			if err != nil || !bytes.Equal(back, data) {
				t.Errorf("%s format %d: round trip failed: %v\n%s", h, f, err, text)
			}
		}
	}
}

func TestTextYAMLKeepsAwkwardKeys(t *testing.T) {
	b := build.New(1)
	for i, name := range []string{"#<<", "#x: y", "#- z", "#null"} {
		if err := b.AddImage(build.Image{Data: []byte{byte(i)}, Integrated: name}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := b.BuildBytes()
	if err != nil {
		t.Fatal(err)
	}
	// Also the bare keys, which a builder would refuse.
	env, err := suit.Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"<<", "null", "1", "", "~", "true"} {
		env.Integrated[k] = []byte(k)
	}
	data, err = env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Syntax{JSON, YAML} {
		text, err := Format(data, f)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(text, f, nil)
		if err != nil || !bytes.Equal(back, data) {
			t.Errorf("format %d: round trip failed: %v\n%s", f, err, text)
		}
	}
}
