package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// TestDependentCommandTwoSigners: a product maker references the draft's
// example0 (signed by its own, different key) from a dependent it builds
// with `suitkit dependent` and signs with `suitkit sign`; the device
// trusting both keys installs the dependency's component. Once carried,
// once fetched by URI through --fetch.
func TestDependentCommandTwoSigners(t *testing.T) {
	td := testshared.Dir(t, "conformance/trust-domains")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	if code, out, errOut := runSuitkit("keygen", "--alg", "ES256", "--out", p("maker.key"), "--pub", p("maker.pub")); code != 0 {
		t.Fatalf("keygen: %d %s%s", code, out, errOut)
	}
	dep := filepath.Join(td, "example0_dependent.suit")
	const uri = "http://vendor.example/dependent.suit"
	for _, c := range []struct {
		name, spec string
		fetch      []string
	}{
		{"integrated", dep, nil},
		{"uri", dep + "=" + uri, []string{"--fetch", uri + "=" + dep}},
	} {
		t.Run(c.name, func(t *testing.T) {
			unsigned, signed, dev := p(c.name+".unsigned.suit"), p(c.name+".suit"), p(c.name+"-dev")
			if code, out, errOut := runSuitkit("dependent", "--seq", "4", "--out", unsigned, "--dependency", c.spec); code != 0 {
				t.Fatalf("dependent: %d %s%s", code, out, errOut)
			}
			if code, out, errOut := runSuitkit("sign", "--key", p("maker.key"), "--in", unsigned, "--out", signed); code != 0 {
				t.Fatalf("sign: %d %s%s", code, out, errOut)
			}
			args := append([]string{"process", "--key", p("maker.pub"), "--key", filepath.Join(td, "public_key.pem"),
				"--device", dev, "--unsafe-skip-compatibility-check"}, c.fetch...)
			code, out, errOut := runSuitkit(append(args, signed)...)
			if code != 0 {
				t.Fatalf("process: %d\n%s%s", code, out, errOut)
			}
			found := false
			entries, _ := os.ReadDir(dev)
			for _, e := range entries {
				if b, _ := os.ReadFile(filepath.Join(dev, e.Name())); string(b) == "hello world" {
					found = true
				}
			}
			if !found || !strings.Contains(out, "dep[0]") {
				t.Fatalf("the dependency's component was not installed:\n%s", out)
			}
			// Without the vendor's key the dependency is refused (exit 1).
			args = append([]string{"process", "--key", p("maker.pub"), "--device", p(c.name + "-dev2"), "--unsafe-skip-compatibility-check"}, c.fetch...)
			if code, _, errOut := runSuitkit(append(args, signed)...); code != 1 || !strings.Contains(errOut, "dependency") {
				t.Fatalf("untrusted dependency signer: exit %d %s", code, errOut)
			}
		})
	}
	// A file that is not an envelope is refused as a dependency.
	os.WriteFile(p("junk"), []byte("junk"), 0o644)
	if code, _, _ := runSuitkit("dependent", "--seq", "1", "--out", p("x.suit"), "--dependency", p("junk")); code != 1 {
		t.Fatalf("junk dependency: exit %d, want 1", code)
	}
}
