package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// show --format json|yaml, then create, reproduces every IETF example byte
// for byte (signed ones included: the COSE blocks are carried as hex).
func TestShowThenCreateReproducesIETFExamples(t *testing.T) {
	files := testshared.ConformanceFiles(t)
	if len(files) != 14 {
		t.Fatalf("found %d IETF envelopes, want 14", len(files))
	}
	tmp := t.TempDir()
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"json", "yaml"} {
			code, spec, errOut := runSuitkit("show", "--format", format, f)
			if code != 0 {
				t.Fatalf("show %s: exit %d: %s", f, code, errOut)
			}
			specPath := filepath.Join(tmp, "spec."+format)
			outPath := filepath.Join(tmp, "out.suit")
			if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := runSuitkit("create", "--in", specPath, "--out", outPath); code != 0 {
				t.Fatalf("create from %s of %s: exit %d: %s", format, filepath.Base(f), code, errOut)
			}
			got, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s via %s: created envelope differs from the original", filepath.Base(f), format)
			}
		}
	}
}

func TestCreateFromAuthoredSpec(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fw.bin"), bytes.Repeat([]byte{0xAB}, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := `suit-manifest:
  suit-manifest-version: 1
  suit-manifest-sequence-number: 1
  suit-common:
    suit-components: [["00"]]
    suit-shared-sequence:
      - suit-directive-override-parameters:
          suit-parameter-vendor-identifier: {uuid5-dns: example.com}
          suit-parameter-class-identifier: {uuid5: {namespace: dns, name: example.com/board}}
          suit-parameter-image-digest: {file: fw.bin}
          suit-parameter-image-size: {file: fw.bin}
      - suit-condition-vendor-identifier: [suit-send-record-on-success, suit-send-record-on-failure]
      - suit-condition-class-identifier: 15
  suit-install:
    - suit-directive-override-parameters: {suit-parameter-uri: "#fw.bin"}
    - suit-directive-fetch: [suit-send-record-on-failure]
    - suit-condition-image-match: 15
  suit-validate:
    - suit-condition-image-match: 15
suit-integrated-payloads:
  "#fw.bin": {file: fw.bin}
`
	specPath := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.suit")
	if code, _, errOut := runSuitkit("create", "--in", specPath, "--out", out); code != 0 {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	code, tree, errOut := runSuitkit("show", out)
	if code != 0 {
		t.Fatalf("show: %d %s", code, errOut)
	}
	for _, want := range []string{"suit-parameter-image-size: 4096", "#fw.bin: abababab", "suit-parameter-vendor-identifier: "} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree lacks %q:\n%s", want, tree)
		}
	}
}

func TestCreateExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.json", `{"suit-manifest": {"suit-validate": [{"no-such-command": 1}]}}`)
	invalid := write("invalid.json", `{"suit-manifest": {"suit-manifest-version": 2, "suit-manifest-sequence-number": 0, "suit-common": {}}}`)
	syntax := write("syntax.json", `{"suit-manifest": `)
	missingRef := write("ref.json", `{"suit-integrated-payloads": {"#a": {"file": "nope.bin"}}}`)
	out := filepath.Join(dir, "out.suit")
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"unknown command", []string{"create", "--in", bad, "--out", out}, 1},
		{"manifest version 2", []string{"create", "--in", invalid, "--out", out}, 1},
		{"JSON syntax", []string{"create", "--in", syntax, "--out", out}, 1},
		{"missing referenced file", []string{"create", "--in", missingRef, "--out", out}, 2},
		{"missing spec", []string{"create", "--in", filepath.Join(dir, "none.json"), "--out", out}, 2},
		{"no --out", []string{"create", "--in", bad}, 2},
		{"bad flag", []string{"create", "--bogus"}, 2},
		{"unknown extension", []string{"create", "--in", filepath.Join(dir, "spec.txt"), "--out", out}, 2},
		{"unwritable output", []string{"create", "--allow-no-compatibility-check", "--in", write("ok.json", `{"suit-manifest": {"suit-manifest-version": 1, "suit-manifest-sequence-number": 0, "suit-common": {"suit-components": [["00"]]}}}`), "--out", filepath.Join(dir, "no", "such", "dir", "x.suit")}, 2},
	}
	for _, c := range cases {
		code, _, errOut := runSuitkit(c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (%s)", c.name, code, c.code, errOut)
		}
		if c.code == 1 && strings.Count(strings.TrimRight(errOut, "\n"), "\n") != 0 {
			t.Errorf("%s: rejection is not one line: %q", c.name, errOut)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a rejected spec left an output file")
	}
}
