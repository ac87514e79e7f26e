package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

func TestShowFormatsIETFExample(t *testing.T) {
	file := filepath.Join(testshared.ConformanceDir(t), "example-0.suit")
	for format, want := range map[string]string{
		"tree": "suit-condition-vendor-identifier",
		"diag": "107({",
		"json": `"suit-manifest-sequence-number": 0`,
		"yaml": "suit-manifest-sequence-number: 0",
	} {
		code, out, errOut := runSuitkit("show", "--format", format, file)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q:\n%s", format, want, out)
		}
		if !strings.Contains(errOut, "NOT verified") {
			t.Errorf("%s: no not-verified note on stderr: %q", format, errOut)
		}
	}
	_, out, _ := runSuitkit("show", file)
	if !strings.HasPrefix(out, "# signatures NOT verified") {
		t.Errorf("tree output lacks the not-verified header:\n%s", out)
	}
}

func TestShowRejectsMalformedWithOneLine(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"garbage":       []byte("hello, world"),
		"truncated":     mustReadGolden(t)[:100],
		"trailing":      append(mustReadGolden(t), 0x00),
		"non-shortest":  {0xd8, 0x6b, 0xb8, 0x00},
		"indefinite":    {0xd8, 0x6b, 0xbf, 0xff},
		"empty":         {},
		"unsorted keys": {0xa2, 0x03, 0x40, 0x02, 0x40},
	}
	for name, data := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runSuitkit("show", p)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1 (stderr %q)", name, code, errOut)
		}
		if out != "" {
			t.Errorf("%s: printed output for rejected input", name)
		}
		lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "suitkit ") {
			t.Errorf("%s: stderr is not one suitkit: line: %q", name, errOut)
		}
	}
}

// goldenEnvelope is an envelope kept in the repository (see
// suit/golden_test.go), so these tests run without the shared examples.
const goldenEnvelope = "../../testdata/single-image.suit"

func mustReadGolden(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(goldenEnvelope)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShowUsageAndIOErrorsExit2(t *testing.T) {
	file := goldenEnvelope
	for name, args := range map[string][]string{
		"missing file":   {"show", filepath.Join(t.TempDir(), "nope.suit")},
		"bad flag":       {"show", "--colour", file},
		"bad format":     {"show", "--format", "xml", file},
		"no file":        {"show"},
		"two files":      {"show", file, file},
		"directory file": {"show", t.TempDir()},
	} {
		if code, _, errOut := runSuitkit(args...); code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", name, code, errOut)
		}
	}
}

func TestShowRejectsOversizedInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.suit")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(33 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, errOut := runSuitkit("show", p)
	if code != 1 || strings.Count(errOut, "\n") > 2 || !strings.Contains(errOut, "limit") {
		t.Fatalf("exit %d, stderr %q; want 1 and a limit message", code, errOut)
	}
}

func TestShowEveryFormatOnEveryKnownEnvelope(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.suit")
	files = append(files, testshared.ConformanceFiles(t)...)
	if len(files) < 19 {
		t.Fatalf("found only %d envelopes", len(files))
	}
	for _, f := range files {
		for _, format := range []string{"tree", "diag", "json", "yaml"} {
			code, out, errOut := runSuitkit("show", "--format", format, f)
			if code != 0 || len(out) < 100 {
				t.Errorf("%s --format %s: exit %d, %d bytes out, stderr %q", filepath.Base(f), format, code, len(out), errOut)
			}
		}
	}
}
