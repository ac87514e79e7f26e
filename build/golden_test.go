package build

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/diag"
	"github.com/suitkit/suitkit/suit/text"
)

// updateGolden regenerates the root testdata/ envelopes and their .diag
// files: go test ./build -run Golden -update
var updateGolden = flag.Bool("update", false, "regenerate ../testdata golden envelopes and .diag files")

// goldenDir is the repository's root testdata directory.
const goldenDir = "../testdata"

func goldenPattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func goldenIDs() (suit.UUID, suit.UUID) {
	v := suit.NewUUID5(suit.NamespaceDNS, []byte("suitkit.example"))
	return v, suit.NewUUID5(v, []byte("golden-board"))
}

// goldenTryEachSpec selects an image digest by slot, like the draft's
// example 3, with digests of real (generated) images.
const goldenTryEachSpec = `
suit-manifest:
  suit-manifest-version: 1
  suit-manifest-sequence-number: 5
  suit-common:
    suit-components: [["00"]]
    suit-shared-sequence:
      - suit-directive-override-parameters:
          suit-parameter-vendor-identifier: {uuid5-dns: suitkit.example}
          suit-parameter-class-identifier: {uuid5: {namespace: db066d54-e730-5325-85bc-e1897569aba4, name: golden-board}}
      - suit-directive-try-each:
          - - suit-directive-override-parameters: {suit-parameter-component-slot: 0}
            - suit-condition-component-slot: [suit-send-record-on-success, suit-send-sysinfo-success]
            - suit-directive-override-parameters:
                suit-parameter-image-digest: {suit-digest-bytes: SLOT_A_DIGEST}
                suit-parameter-image-size: 512
          - - suit-directive-override-parameters: {suit-parameter-component-slot: 1}
            - suit-condition-component-slot: [suit-send-record-on-success, suit-send-sysinfo-success]
            - suit-directive-override-parameters:
                suit-parameter-image-digest: {suit-digest-bytes: SLOT_B_DIGEST}
                suit-parameter-image-size: 768
      - suit-condition-vendor-identifier: 15
      - suit-condition-class-identifier: 15
  suit-validate:
    - suit-condition-image-match: 15
  suit-install:
    - suit-directive-try-each:
        - - suit-directive-override-parameters: {suit-parameter-component-slot: 0}
          - suit-condition-component-slot: 5
          - suit-directive-override-parameters: {suit-parameter-uri: "https://updates.suitkit.example/slot-a.bin"}
        - - suit-directive-override-parameters: {suit-parameter-component-slot: 1}
          - suit-condition-component-slot: 5
          - suit-directive-override-parameters: {suit-parameter-uri: "https://updates.suitkit.example/slot-b.bin"}
    - suit-directive-fetch: 2
    - suit-condition-image-match: 15
`

// goldenCases builds each golden envelope.
func goldenCases(t *testing.T) map[string][]byte {
	t.Helper()
	v, c := goldenIDs()
	mk := func(b *Builder, imgs ...Image) []byte {
		t.Helper()
		for _, img := range imgs {
			img.VendorID, img.ClassID = v, c
			if err := b.AddImage(img); err != nil {
				t.Fatal(err)
			}
		}
		out, err := b.BuildBytes()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := map[string][]byte{}
	out["single-image"] = mk(New(1), Image{Data: goldenPattern(1024, 1),
		URI: "https://updates.suitkit.example/fw-1.bin", Invoke: true})
	out["multi-component"] = mk(New(2),
		Image{Component: suit.ComponentID{[]byte("boot")}, Data: goldenPattern(300, 2), URI: "https://updates.suitkit.example/boot.bin"},
		Image{Component: suit.ComponentID{[]byte("app"), []byte("main")}, Data: goldenPattern(700, 3), URI: "https://updates.suitkit.example/app.bin", Invoke: true},
		Image{Component: suit.ComponentID{[]byte("radio")}, Data: goldenPattern(200, 4), URI: "https://updates.suitkit.example/radio.bin"})
	out["integrated-payload"] = mk(New(3), Image{Data: goldenPattern(256, 5), Integrated: "#fw.bin", Invoke: true})
	sev := New(4)
	sev.SeverText, sev.SeverInstall = true, true
	sev.ReferenceURI = "https://updates.suitkit.example/manifests/4.suit"
	sev.Description = "Golden envelope with severed install and text."
	out["severed-text"] = mk(sev, Image{Data: goldenPattern(512, 6), URI: "https://updates.suitkit.example/fw-4.bin",
		Text: map[int64]string{suit.TextVendorDomain: "suitkit.example", suit.TextModelName: "golden-board", suit.TextComponentVersion: "4.0.0"}})

	dA, _ := suit.ComputeDigest(suit.AlgSHA256, goldenPattern(512, 7))
	dB, _ := suit.ComputeDigest(suit.AlgSHA256, goldenPattern(768, 8))
	spec := bytes.ReplaceAll([]byte(goldenTryEachSpec), []byte("SLOT_A_DIGEST"), []byte(hex.EncodeToString(dA.Value)))
	spec = bytes.ReplaceAll(spec, []byte("SLOT_B_DIGEST"), []byte(hex.EncodeToString(dB.Value)))
	te, err := text.Parse(spec, text.YAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	out["try-each"] = te
	return out
}

func goldenDiag(t *testing.T, data []byte) []byte {
	t.Helper()
	s, err := diag.Format(data, &diag.Options{Indent: "  ", EmbeddedCBOR: true, Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s + "\n")
}

func TestGoldenEnvelopes(t *testing.T) {
	if v, _ := goldenIDs(); v.String() != "db066d54-e730-5325-85bc-e1897569aba4" {
		t.Fatalf("vendor id changed: %s (update goldenTryEachSpec)", v)
	}
	for name, want := range goldenCases(t) {
		suitPath := filepath.Join(goldenDir, name+".suit")
		diagPath := filepath.Join(goldenDir, name+".diag")
		if *updateGolden {
			if err := os.MkdirAll(goldenDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(suitPath, want, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(diagPath, goldenDiag(t, want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(suitPath)
		if err != nil {
			t.Fatalf("%v (run go test ./build -run Golden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the builder no longer produces the stored envelope (regenerate with -update if intended)", name)
		}
		env, err := suit.Decode(got, nil)
		if err != nil {
			t.Fatalf("%s: does not decode: %v", name, err)
		}
		re, err := env.Encode()
		if err != nil || !bytes.Equal(re, got) {
			t.Errorf("%s: decode/encode is not byte-exact: %v", name, err)
		}
		wantDiag, err := os.ReadFile(diagPath)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wantDiag, goldenDiag(t, got)) {
			t.Errorf("%s: %s does not match the envelope", name, diagPath)
		}
		for _, f := range []text.Syntax{text.JSON, text.YAML} {
			form, err := text.Format(got, f)
			if err != nil {
				t.Fatal(err)
			}
			back, err := text.Parse(form, f, nil)
			if err != nil || !bytes.Equal(back, got) {
				t.Errorf("%s: text form round trip failed: %v", name, err)
			}
		}
	}
}
