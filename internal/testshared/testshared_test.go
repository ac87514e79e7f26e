package testshared

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnvVarOverridesAndMissingIsEmpty(t *testing.T) {
	root := t.TempDir()
	ietf := filepath.Join(root, "conformance", "ietf")
	if err := os.MkdirAll(ietf, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b.suit", "a.suit", "README.md"} {
		if err := os.WriteFile(filepath.Join(ietf, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvVar, root)
	if got := FindConformance(); got != ietf {
		t.Fatalf("FindConformance = %q, want %q", got, ietf)
	}
	files := ConformanceFiles(t)
	if len(files) != 2 || filepath.Base(files[0]) != "a.suit" || filepath.Base(files[1]) != "b.suit" {
		t.Fatalf("ConformanceFiles = %q, want a.suit, b.suit only, sorted", files)
	}
	if got := string(Conformance(t, "b.suit")); got != "b.suit" {
		t.Fatalf("Conformance = %q", got)
	}
	if Find("bench/firmware") != "" {
		t.Fatal("Find reports a directory that does not exist")
	}
	t.Setenv(EnvVar, filepath.Join(root, "nope"))
	if Root() != "" || FindConformanceFiles() != nil {
		t.Fatal("a missing $SUITKIT_SHARED must give no directory")
	}
}

func TestWalksUpFromPackageDirectory(t *testing.T) {
	t.Setenv(EnvVar, "")
	root := Root()
	if root == "" {
		t.Skip("no shared directory above this checkout")
	}
	wd, _ := os.Getwd()
	if !strings.HasPrefix(wd, filepath.Dir(root)) {
		t.Fatalf("shared %s is not above %s", root, wd)
	}
	for _, p := range FindConformanceFiles() {
		if filepath.Dir(p) != FindConformance() || !strings.HasSuffix(p, ".suit") {
			t.Fatalf("unexpected conformance file %s", p)
		}
	}
}

// TestLooksOnlyBesideTheModule: shared/ beside the module root is found
// from a package directory below it; one further up is not (the search
// used to walk every parent directory).
func TestLooksOnlyBesideTheModule(t *testing.T) {
	t.Setenv(EnvVar, "")
	top := t.TempDir()
	mk := func(p string) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mod := filepath.Join(top, "work", "repo")
	mk(filepath.Join(mod, "pkg", "sub"))
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module x\n"), 0o644)
	mk(filepath.Join(top, "shared", "conformance")) // two levels up: ignored
	t.Chdir(filepath.Join(mod, "pkg", "sub"))
	if got := Root(); got != "" {
		t.Fatalf("found %s above the module's parent", got)
	}
	mk(filepath.Join(top, "work", "shared", "bench"))
	if got, want := Root(), filepath.Join(top, "work", "shared"); got != want {
		t.Fatalf("Root() = %q, want %q", got, want)
	}
}
