package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeTutorial returns the command lines of the README's tutorial block.
func readmeTutorial(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## Five-minute tutorial")
	if i < 0 {
		t.Fatal("README has no tutorial section")
	}
	s = s[i:]
	start := strings.Index(s, "```sh\n")
	end := strings.Index(s[start+6:], "```")
	if start < 0 || end < 0 {
		t.Fatal("tutorial has no sh block")
	}
	var lines []string
	for _, l := range strings.Split(s[start+6:start+6+end], "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestREADMETutorial runs the README's five-minute tutorial exactly as
// written (each line a suitkit command; "|| echo refused" means the line
// must fail with exit 1) in a directory holding two firmware images, and
// checks the device ends up holding v2.
func TestREADMETutorial(t *testing.T) {
	lines := readmeTutorial(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	v1 := make([]byte, 64<<10)
	for i := range v1 {
		v1[i] = byte(rng.IntN(16))
	}
	v2 := append(append([]byte(nil), v1[:30000]...), append([]byte("version 2 adds this"), v1[30000:]...)...)
	os.WriteFile(filepath.Join(dir, "fw-v1.bin"), v1, 0o644)
	os.WriteFile(filepath.Join(dir, "fw-v2.bin"), v2, 0o644)
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	ran := map[string]bool{}
	for _, l := range lines {
		mustFail := strings.HasSuffix(l, " || echo refused")
		l = strings.TrimSuffix(l, " || echo refused")
		f := strings.Fields(l)
		if f[0] != "suitkit" || strings.ContainsAny(l, "|&;<>$`'\"") {
			t.Fatalf("tutorial line is not a plain suitkit command: %q", l)
		}
		code, out, errOut := runSuitkit(f[1:]...)
		if mustFail != (code == 1) || (!mustFail && code != 0) {
			t.Fatalf("%s: exit %d (must fail: %v)\n%s%s", l, code, mustFail, out, errOut)
		}
		ran[f[1]] = true
	}
	for _, c := range []string{"keygen", "create", "sign", "verify", "diff", "patch", "process"} {
		if !ran[c] {
			t.Errorf("the tutorial does not run %s", c)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "device", "comp.00"))
	if err != nil || !bytes.Equal(got, v2) {
		t.Errorf("after the tutorial the device does not hold v2 (%v)", err)
	}
}

// TestExampleSpecsBuild: every spec in examples/specs builds a manifest
// that lint accepts, with the images they name.
func TestExampleSpecsBuild(t *testing.T) {
	specs, _ := filepath.Glob("../../examples/specs/*")
	dir := t.TempDir()
	v1 := bytes.Repeat([]byte("v1 image "), 500)
	os.WriteFile(filepath.Join(dir, "fw-v1.bin"), v1, 0o644)
	os.WriteFile(filepath.Join(dir, "fw-v2.bin"), append(v1, "v2"...), 0o644)
	n := 0
	for _, s := range specs {
		if ext := filepath.Ext(s); ext != ".json" && ext != ".yaml" {
			continue
		}
		n++
		b, _ := os.ReadFile(s)
		in := filepath.Join(dir, filepath.Base(s))
		os.WriteFile(in, b, 0o644)
		out := in + ".suit"
		if code, o, e := runSuitkit("create", "--in", in, "--out", out); code != 0 {
			t.Errorf("%s: exit %d %s%s", s, code, o, e)
			continue
		}
		if code, _, e := runSuitkit("lint", out); code != 0 {
			t.Errorf("lint %s: exit %d %s", s, code, e)
		}
	}
	if n < 3 {
		t.Errorf("examples/specs holds %d specs, want the high-level and structural samples", n)
	}
}

// TestLintAndCreateRefuseNoCompatibilityCheck: a manifest without vendor
// and class conditions is refused by create and by lint (exit 1, naming
// the flag), and built (with a warning per finding) when the flag allows
// it deliberately.
func TestLintAndCreateRefuseNoCompatibilityCheck(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "fw.bin")
	os.WriteFile(img, []byte("image"), 0o644)
	out := filepath.Join(dir, "o.suit")
	code, _, e := runSuitkit("create", "--image", img, "--sequence", "1", "--integrate", "--out", out)
	if code != 1 || !strings.Contains(e, "vendor identifier") || !strings.Contains(e, "--allow-no-compatibility-check") {
		t.Fatalf("create without vendor/class: exit %d %q", code, e)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("refused manifest written")
	}
	code, _, e = runSuitkit("create", "--allow-no-compatibility-check", "--image", img, "--sequence", "1", "--integrate", "--out", out)
	if code != 0 || strings.Count(e, "warning") != 2 {
		t.Fatalf("create --allow...: exit %d %q", code, e)
	}
	if code, _, e := runSuitkit("lint", out); code != 1 || !strings.Contains(e, "class identifier") == strings.Contains(e, "vendor identifier") && !strings.Contains(e, "1 more") {
		t.Errorf("lint: exit %d %q", code, e)
	}
	if code, o, _ := runSuitkit("lint", "--allow-no-compatibility-check", out); code != 0 || !strings.Contains(o, "no problems") {
		t.Errorf("lint --allow: exit %d", code)
	}
	// Vendor only: the class finding alone.
	code, _, e = runSuitkit("create", "--image", img, "--vendor-domain", "example.com", "--sequence", "1", "--integrate", "--out", out)
	if code != 1 || !strings.Contains(e, "class identifier") || strings.Contains(e, "1 more") {
		t.Errorf("vendor only: exit %d %q", code, e)
	}
}
