package host

import (
	"path/filepath"
	"testing"
)

// FuzzComponentFileName: every name parseComponentFileName accepts is the
// canonical encoding of the identifier it returns, and never a path.
func FuzzComponentFileName(f *testing.F) {
	for _, s := range []string{"comp", "comp.00", "comp.", "comp.757372.62696e", "comp..00", "../comp.00", "comp.0g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, ok := parseComponentFileName(name)
		if !ok {
			return
		}
		back, err := componentFileName(id)
		if err != nil || back != name {
			t.Fatalf("%q parsed to %x, which encodes to %q (%v)", name, id, back, err)
		}
		if filepath.Base(name) != name || name == "." || name == ".." {
			t.Fatalf("%q is not a single file name", name)
		}
	})
}
