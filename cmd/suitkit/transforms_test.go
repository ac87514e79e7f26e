package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suitkit diff --transforms: "none" writes a format-version-1 patch, a
// list of instruction sets is accepted and the patch applies, an unknown
// name is a usage error (exit 2) that names it, and the flag is refused
// with --format bsdiff40.
func TestDiffTransformsFlag(t *testing.T) {
	dir := t.TempDir()
	oldP, newP, _, newB := deltaPair(t, dir, 50_000)
	for _, tc := range []struct {
		value   string
		version byte // 0: either
	}{{"none", 1}, {"thumb2,x86-64", 0}, {"all", 0}} {
		patchP, outP := filepath.Join(dir, "p."+tc.value), filepath.Join(dir, "o."+tc.value)
		if code, _, errOut := runCLI(t, "diff", "--transforms", tc.value, oldP, newP, patchP); code != 0 {
			t.Fatalf("--transforms %s: exit %d: %s", tc.value, code, errOut)
		}
		patch, err := os.ReadFile(patchP)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(patch, []byte("SKDF")) || tc.version != 0 && patch[4] != tc.version {
			t.Fatalf("--transforms %s: patch starts % x", tc.value, patch[:5])
		}
		if code, _, errOut := runCLI(t, "patch", oldP, patchP, outP); code != 0 {
			t.Fatalf("--transforms %s: patch exit %d: %s", tc.value, code, errOut)
		}
		if got, _ := os.ReadFile(outP); !bytes.Equal(got, newB) {
			t.Fatalf("--transforms %s: output differs", tc.value)
		}
	}
	code, _, errOut := runCLI(t, "diff", "--transforms", "mips", oldP, newP, filepath.Join(dir, "bad"))
	if code != 2 || !strings.Contains(errOut, "mips") {
		t.Fatalf("--transforms mips: exit %d, %q; want 2 naming mips", code, errOut)
	}
	code, _, errOut = runCLI(t, "diff", "--format", "bsdiff40", "--transforms", "none", oldP, newP, filepath.Join(dir, "bad"))
	if code != 2 {
		t.Fatalf("--format bsdiff40 --transforms none: exit %d, %q; want 2", code, errOut)
	}
}
