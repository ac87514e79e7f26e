package suit

import (
	"os"
	"path/filepath"
	"testing"
)

// ietfDir walks up from the package directory to find
// shared/conformance/ietf; it skips the test when the directory is absent.
func ietfDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "conformance", "ietf")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/conformance/ietf not found above the package directory; skipping IETF conformance vectors")
		}
		dir = parent
	}
}

func readIETF(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ietfDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ietfFiles lists the fourteen IETF example envelopes.
var ietfFiles = []string{
	"example-0.suit", "example-0-unsigned.suit",
	"example-1.suit", "example-1-unsigned.suit",
	"example-2.suit", "example-2-unsigned.suit",
	"example-2-severed.suit", "example-2-severed-unsigned.suit",
	"example-3.suit", "example-3-unsigned.suit",
	"example-4.suit", "example-4-unsigned.suit",
	"example-5.suit", "example-5-unsigned.suit",
}
