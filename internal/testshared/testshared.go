// Package testshared locates the read-only test material shared by the
// suitkit packages' tests: the directory "shared" next to the repository
// (conformance/ietf: the IETF example envelopes, keys and diagnostic
// notation; bench/firmware: firmware pairs).
//
// The directory is $SUITKIT_SHARED when that is set, else "shared" beside
// the module's root (the first directory above the test's working
// directory holding go.mod) or inside it, when it holds conformance/ or
// bench/; nothing further up is searched. Tests that need it are skipped,
// with a message saying so, when it is absent, unless
// $SUITKIT_REQUIRE_SHARED is set: then they fail, so that CI cannot pass
// while skipping them.
package testshared

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// EnvVar names the environment variable that overrides the search.
const EnvVar = "SUITKIT_SHARED"

// RequireVar names the environment variable that turns a missing shared
// directory from a skip into a failure.
const RequireVar = "SUITKIT_REQUIRE_SHARED"

// IETF is the IETF examples' directory below the shared directory.
const IETF = "conformance/ietf"

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Root returns the shared directory, or "" when there is none.
func Root() string {
	if s := os.Getenv(EnvVar); s != "" {
		if isDir(s) {
			return s
		}
		return ""
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "" // not inside a module
		}
		dir = parent
	}
	for _, p := range []string{filepath.Join(filepath.Dir(dir), "shared"), filepath.Join(dir, "shared")} {
		if isDir(filepath.Join(p, "conformance")) || isDir(filepath.Join(p, "bench")) {
			return p
		}
	}
	return ""
}

// Find returns the directory rel (slash-separated, e.g. "bench/firmware")
// below the shared directory, or "" when it is absent.
func Find(rel string) string {
	root := Root()
	if root == "" {
		return ""
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	if !isDir(p) {
		return ""
	}
	return p
}

// Dir returns the directory rel below the shared directory, or skips tb
// when it is absent.
func Dir(tb testing.TB, rel string) string {
	tb.Helper()
	p := Find(rel)
	if p == "" {
		if os.Getenv(RequireVar) != "" {
			tb.Fatalf("shared/%s not found beside the module (set $%s); $%s is set, so this fails instead of skipping", rel, EnvVar, RequireVar)
		}
		tb.Skipf("shared/%s not found beside the module (set $%s); test skipped", rel, EnvVar)
	}
	return p
}

// FindConformance returns the IETF examples' directory, or "" (for fuzz
// seeds, which are optional).
func FindConformance() string { return Find(IETF) }

// ConformanceDir returns the IETF examples' directory or skips tb.
func ConformanceDir(tb testing.TB) string {
	tb.Helper()
	return Dir(tb, IETF)
}

// ConformancePath returns the path of the IETF example file name, or skips
// tb when the examples are absent.
func ConformancePath(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(ConformanceDir(tb), name)
}

// Conformance returns the content of the IETF example file name; it skips
// tb when the examples are absent and fails it when the file is unreadable.
func Conformance(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(ConformancePath(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// ConformanceFiles returns the paths of the IETF example envelopes
// (*.suit), sorted, or skips tb when the examples are absent.
func ConformanceFiles(tb testing.TB) []string {
	tb.Helper()
	return envelopes(ConformanceDir(tb))
}

// FindConformanceFiles is ConformanceFiles without skipping: nil when the
// examples are absent.
func FindConformanceFiles() []string {
	dir := FindConformance()
	if dir == "" {
		return nil
	}
	return envelopes(dir)
}

func envelopes(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".suit") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}
