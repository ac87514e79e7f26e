package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// makePatch runs `suitkit diff` and returns the patch path.
func makePatch(t *testing.T, format, oldP, newP string) string {
	t.Helper()
	patchP := filepath.Join(filepath.Dir(oldP), "p."+format)
	if code, _, errOut := runCLI(t, "diff", "--format", format, oldP, newP, patchP); code != 0 {
		t.Fatalf("diff exit %d: %s", code, errOut)
	}
	return patchP
}

// expectPatchRejected runs `suitkit patch` onto an existing NEW and checks
// exit status 1, NEW unchanged and no temporary file left behind.
func expectPatchRejected(t *testing.T, oldP, patchP string) {
	t.Helper()
	dir := t.TempDir()
	outP := filepath.Join(dir, "new.bin")
	before := []byte("the previous image, which must survive a failed patch")
	if err := os.WriteFile(outP, before, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "patch", oldP, patchP, outP)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (%s)", code, errOut)
	}
	if !bytes.HasPrefix([]byte(errOut), []byte("suitkit ")) {
		t.Errorf("rejection message %q lacks the suitkit: prefix", errOut)
	}
	if got, _ := os.ReadFile(outP); !bytes.Equal(got, before) {
		t.Fatal("a rejected patch changed NEW")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("a rejected patch left %d files in NEW's directory", len(entries))
	}
}

func TestPatchWrongOldImageRejected(t *testing.T) {
	dir := t.TempDir()
	oldP, newP, oldB, _ := deltaPair(t, dir, 100_000)
	patchP := makePatch(t, "suitkit", oldP, newP)
	wrong := append([]byte(nil), oldB...)
	wrong[500]++
	wrongP := filepath.Join(dir, "wrong-old.bin")
	os.WriteFile(wrongP, wrong, 0o600)
	expectPatchRejected(t, wrongP, patchP)
	// BSDIFF40 has no digest, but an old image too short for the patch's
	// reads is still caught.
	bsP := makePatch(t, "bsdiff40", oldP, newP)
	shortP := filepath.Join(dir, "short-old.bin")
	os.WriteFile(shortP, oldB[:1000], 0o600)
	expectPatchRejected(t, shortP, bsP)
}

func TestPatchCorruptPatchLeavesNewUntouched(t *testing.T) {
	for _, format := range []string{"suitkit", "bsdiff40"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			oldP, newP, _, _ := deltaPair(t, dir, 100_000)
			patch, _ := os.ReadFile(makePatch(t, format, oldP, newP))
			for name, bad := range map[string][]byte{
				"truncated": patch[:len(patch)*2/3],
				// suitkit: a flip in the compressed data breaks a digest;
				// bsdiff40: the new-size field disagrees with the records.
				"damaged middle or size field": flip(patch, map[string]int{"suitkit": len(patch) / 2, "bsdiff40": 24}[format]),
				"trailing garbage":             append(append([]byte(nil), patch...), "garbage"...),
				"flipped tail (CRC or digest)": flip(patch, len(patch)-3),
			} {
				t.Run(name, func(t *testing.T) {
					badP := filepath.Join(dir, "bad-"+name)
					os.WriteFile(badP, bad, 0o600)
					expectPatchRejected(t, oldP, badP)
				})
			}
		})
	}
}

// TestPatchBitFlipsRejectedOrHarmless flips bytes all over a patch: each
// damaged patch is rejected with NEW untouched, or (a BSDIFF40 flip in bits
// that carry no information, such as bzip2 padding) rebuilds NEW exactly.
func TestPatchBitFlipsRejectedOrHarmless(t *testing.T) {
	for _, format := range []string{"suitkit", "bsdiff40"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			oldP, newP, _, newB := deltaPair(t, dir, 20_000)
			patch, _ := os.ReadFile(makePatch(t, format, oldP, newP))
			outP, badP := filepath.Join(dir, "out"), filepath.Join(dir, "bad")
			before := []byte("previous")
			for i := 0; i < len(patch); i += max(1, len(patch)/40) {
				os.WriteFile(outP, before, 0o600)
				os.WriteFile(badP, flip(patch, i), 0o600)
				code, _, errOut := runCLI(t, "patch", oldP, badP, outP)
				got, _ := os.ReadFile(outP)
				switch {
				case code == 1 && bytes.Equal(got, before):
				case code == 0 && bytes.Equal(got, newB):
				default:
					t.Fatalf("flip at %d: exit %d (%s), NEW is %d bytes", i, code, errOut, len(got))
				}
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x20
	return out
}

func TestPatchUnknownFormatRejected(t *testing.T) {
	dir := t.TempDir()
	oldP, _, _, _ := deltaPair(t, dir, 1000)
	for name, content := range map[string][]byte{
		"empty":       nil,
		"xdelta3":     {0xd6, 0xc3, 0xc4, 0, 0, 1, 2, 3},
		"text":        []byte("not a patch at all"),
		"bsdiff43":    []byte("ENDSLEY/BSDIFF43........"),
		"short magic": []byte("BSDIF"),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			os.WriteFile(p, content, 0o600)
			expectPatchRejected(t, oldP, p)
		})
	}
}

func TestPatchUsageAndIOErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	oldP, newP, _, _ := deltaPair(t, dir, 1000)
	patchP := makePatch(t, "suitkit", oldP, newP)
	for name, args := range map[string][]string{
		"no arguments":   {"patch"},
		"four arguments": {"patch", oldP, patchP, newP, newP},
		"negative limit": {"patch", "--max-memory", "-5", oldP, patchP, filepath.Join(dir, "o")},
		"missing old":    {"patch", filepath.Join(dir, "nope"), patchP, filepath.Join(dir, "o")},
		"missing patch":  {"patch", oldP, filepath.Join(dir, "nope"), filepath.Join(dir, "o")},
		"old is a dir":   {"patch", dir, patchP, filepath.Join(dir, "o")},
		"no out dir":     {"patch", oldP, patchP, filepath.Join(dir, "no", "dir", "o")},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", name, code, errOut)
		}
	}
}

func TestPatchLimitsFlagsRejectOversizedPatch(t *testing.T) {
	dir := t.TempDir()
	oldP, newP, _, _ := deltaPair(t, dir, 100_000)
	for _, format := range []string{"suitkit", "bsdiff40"} {
		patchP := makePatch(t, format, oldP, newP)
		code, _, errOut := runCLI(t, "patch", "--max-new-size", "1000", oldP, patchP, filepath.Join(dir, "o"))
		if code != 1 {
			t.Errorf("%s with --max-new-size 1000: exit %d, want 1 (%s)", format, code, errOut)
		}
	}
}

func TestPatchAppliesDebianBsdiffPatch(t *testing.T) {
	bsdiff, err := exec.LookPath("bsdiff")
	if err != nil {
		t.Skip("bsdiff not installed (Debian package bsdiff); skipping CLI interop test")
	}
	dir := t.TempDir()
	oldP, newP, _, newB := deltaPair(t, dir, 100_000)
	patchP, outP := filepath.Join(dir, "p"), filepath.Join(dir, "out")
	if out, err := exec.Command(bsdiff, oldP, newP, patchP).CombinedOutput(); err != nil {
		t.Fatalf("bsdiff: %v: %s", err, out)
	}
	if code, _, errOut := runCLI(t, "patch", oldP, patchP, outP); code != 0 {
		t.Fatalf("patch exit %d: %s", code, errOut)
	}
	if got, _ := os.ReadFile(outP); !bytes.Equal(got, newB) {
		t.Fatal("output differs from new")
	}
}
