package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// deltaPair writes a random old image and a mutated new image into dir.
func deltaPair(t *testing.T, dir string, size int) (oldP, newP string, oldB, newB []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(size), 9))
	oldB = make([]byte, size)
	for i := range oldB {
		oldB[i] = byte(rng.Uint32() % 7) // compressible, like code
	}
	newB = append([]byte(nil), oldB...)
	for range 40 {
		i := rng.IntN(len(newB))
		newB[i] += 3
	}
	newB = append(newB[:size/2], append([]byte("inserted in v2"), newB[size/2:]...)...)
	oldP, newP = filepath.Join(dir, "old.bin"), filepath.Join(dir, "new.bin")
	if err := os.WriteFile(oldP, oldB, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newP, newB, 0o600); err != nil {
		t.Fatal(err)
	}
	return oldP, newP, oldB, newB
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestDiffThenPatchRebuildsNewInBothFormats(t *testing.T) {
	for _, format := range []string{"suitkit", "bsdiff40"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			oldP, newP, _, newB := deltaPair(t, dir, 200_000)
			patchP, outP := filepath.Join(dir, "p"), filepath.Join(dir, "out.bin")
			if code, _, errOut := runCLI(t, "diff", "--format", format, oldP, newP, patchP); code != 0 {
				t.Fatalf("diff exit %d: %s", code, errOut)
			}
			patch, err := os.ReadFile(patchP)
			if err != nil {
				t.Fatal(err)
			}
			wantMagic := map[string]string{"suitkit": "SKDF", "bsdiff40": "BSDIFF40"}[format]
			if !bytes.HasPrefix(patch, []byte(wantMagic)) {
				t.Fatalf("patch starts %q, want %q", patch[:min(8, len(patch))], wantMagic)
			}
			if len(patch) > len(newB)/4 {
				t.Errorf("patch of %d bytes for a 40-byte-edit of %d bytes", len(patch), len(newB))
			}
			if code, _, errOut := runCLI(t, "patch", oldP, patchP, outP); code != 0 {
				t.Fatalf("patch exit %d: %s", code, errOut)
			}
			got, err := os.ReadFile(outP)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, newB) {
				t.Fatalf("patched output (%d bytes) differs from new (%d bytes)", len(got), len(newB))
			}
			// Patching in place (NEW == OLD) works too, thanks to the rename.
			inPlace := filepath.Join(dir, "inplace.bin")
			old, _ := os.ReadFile(oldP)
			os.WriteFile(inPlace, old, 0o600)
			if code, _, errOut := runCLI(t, "patch", inPlace, patchP, inPlace); code != 0 {
				t.Fatalf("in-place patch exit %d: %s", code, errOut)
			}
			if got, _ := os.ReadFile(inPlace); !bytes.Equal(got, newB) {
				t.Fatal("in-place patch did not produce new")
			}
		})
	}
}

func TestDiffBSDIFF40PatchAppliesWithDebianBspatch(t *testing.T) {
	bspatch, err := exec.LookPath("bspatch")
	if err != nil {
		t.Skip("bspatch not installed (Debian package bsdiff); skipping CLI interop test")
	}
	dir := t.TempDir()
	oldP, newP, _, newB := deltaPair(t, dir, 100_000)
	patchP, outP := filepath.Join(dir, "p"), filepath.Join(dir, "out")
	if code, _, errOut := runCLI(t, "diff", "--format=bsdiff40", oldP, newP, patchP); code != 0 {
		t.Fatalf("diff exit %d: %s", code, errOut)
	}
	if out, err := exec.Command(bspatch, oldP, outP, patchP).CombinedOutput(); err != nil {
		t.Fatalf("bspatch: %v: %s", err, out)
	}
	if got, _ := os.ReadFile(outP); !bytes.Equal(got, newB) {
		t.Fatal("bspatch output differs from new")
	}
}

func TestDiffUsageAndIOErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	oldP, newP, _, _ := deltaPair(t, dir, 1000)
	patchP := filepath.Join(dir, "p")
	cases := map[string][]string{
		"no arguments":        {"diff"},
		"two arguments":       {"diff", oldP, newP},
		"unknown format":      {"diff", "--format", "xdelta", oldP, newP, patchP},
		"fast with bsdiff40":  {"diff", "--format", "bsdiff40", "--fast", oldP, newP, patchP},
		"negative block mem":  {"diff", "--block-memory", "-1", oldP, newP, patchP},
		"missing old":         {"diff", filepath.Join(dir, "nope"), newP, patchP},
		"patch dir not there": {"diff", oldP, newP, filepath.Join(dir, "no", "such", "dir", "p")},
	}
	for name, args := range cases {
		if code, _, errOut := runCLI(t, args...); code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", name, code, errOut)
		}
	}
	if _, err := os.Stat(patchP); !os.IsNotExist(err) {
		t.Errorf("a failed diff left %s behind", patchP)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestDiffUsageMentionsBothFormats(t *testing.T) {
	code, out, errOut := runCLI(t, "diff", "--help")
	if code != 0 || errOut != "" || !strings.Contains(out, "suitkit|bsdiff40") {
		t.Errorf("diff --help: exit %d, stderr %q; usage does not name the formats: %s", code, errOut, out)
	}
}
