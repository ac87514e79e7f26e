package delta

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
)

// bsInteropPairs are the firmware pairs small enough for a unit test
// (Debian's bsdiff needs 0.2 s on the largest of them).
var bsInteropPairs = []string{"mcu-programmer-cm4", "micropython-pybv11-cm4", "micropython-esp8266"}

// needTool skips the test when a Debian bsdiff binary is missing, except in
// CI (CI set), whose .ci/run installs the package: there a missing binary
// would silently drop the interop proof, so it fails instead.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed in CI (Debian package bsdiff): .ci/run should have installed it", name)
		}
		t.Skipf("%s not installed (Debian package bsdiff); skipping BSDIFF40 interop test", name)
	}
	return p
}

type bsPair struct {
	name     string
	old, new []byte
}

// bsInteropCases returns the small firmware pairs plus random and mutated data.
func bsInteropCases(t *testing.T) []bsPair {
	t.Helper()
	rng := rand.New(rand.NewPCG(40, 40))
	base := randomBytes(rng, 150000)
	cases := []bsPair{
		{"random unrelated", randomBytes(rng, 30000), randomBytes(rng, 40000)},
		{"random mutated", base, mutate(base, rng, 300)},
		{"zeros to 0xff", make([]byte, 50000), bytes.Repeat([]byte{0xff}, 50000)},
		{"one-byte new (Debian bsdiff cannot mmap an empty file)", base[:1000], []byte{7}},
	}
	dir := firmwareDir(t)
	for _, name := range bsInteropPairs {
		oldB, err1 := os.ReadFile(filepath.Join(dir, name, "old"))
		newB, err2 := os.ReadFile(filepath.Join(dir, name, "new"))
		if err1 != nil || err2 != nil {
			t.Fatalf("reading pair %s: %v %v", name, err1, err2)
		}
		cases = append(cases, bsPair{name, oldB, newB})
	}
	return cases
}

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBSDIFF40DebianPatchAppliesByteExact(t *testing.T) {
	bsdiff := needTool(t, "bsdiff")
	for _, c := range bsInteropCases(t) {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			oldP, newP := writeTemp(t, dir, "old", c.old), writeTemp(t, dir, "new", c.new)
			patchP := filepath.Join(dir, "p.bsdiff")
			if out, err := exec.Command(bsdiff, oldP, newP, patchP).CombinedOutput(); err != nil {
				t.Fatalf("bsdiff: %v\n%s", err, out)
			}
			patch, err := os.ReadFile(patchP)
			if err != nil {
				t.Fatal(err)
			}
			got, err := applyBothWays(t, c.old, patch, testBSLimits())
			if err != nil {
				t.Fatalf("our applier rejected Debian's patch: %v", err)
			}
			if !bytes.Equal(got, c.new) {
				t.Fatalf("our applier's output (%d bytes) differs from new (%d bytes)", len(got), len(c.new))
			}
		})
	}
}

// encodeForInterop makes our BSDIFF40 patch for a pair with the real differ.
func encodeForInterop(t *testing.T, oldB, newB []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := diffcore.WriteBSDIFF40(context.Background(), &b, oldB, newB, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBSDIFF40OurPatchAppliesWithDebianBspatch(t *testing.T) {
	bspatch := needTool(t, "bspatch")
	encoders := map[string]func(t *testing.T, oldB, newB []byte) []byte{
		"differ": encodeForInterop,
		// Random records exercise seeks backwards and forwards all over old.
		"random controls": func(t *testing.T, oldB, newB []byte) []byte {
			var b bytes.Buffer
			if err := encodeBSDIFF40(&b, oldB, newB, naiveBSRecords(oldB, newB, rand.New(rand.NewPCG(7, 7)))); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		},
	}
	for _, c := range bsInteropCases(t) {
		for encName, encode := range encoders {
			t.Run(encName+"/"+c.name, func(t *testing.T) {
				dir := t.TempDir()
				oldP := writeTemp(t, dir, "old", c.old)
				patchP := writeTemp(t, dir, "p.bsdiff", encode(t, c.old, c.new))
				outP := filepath.Join(dir, "out")
				if out, err := exec.Command(bspatch, oldP, outP, patchP).CombinedOutput(); err != nil {
					t.Fatalf("Debian bspatch rejected our patch: %v\n%s", err, out)
				}
				got, err := os.ReadFile(outP)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, c.new) {
					t.Fatalf("bspatch output (%d bytes) differs from new (%d bytes)", len(got), len(c.new))
				}
			})
		}
	}
}
