package diag

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// TestAnnotateNamesDependencyMetadata: the annotated diagnostic form of a
// trust-domains dependent names suit-dependencies and, inside each entry,
// suit-dependency-prefix.
func TestAnnotateNamesDependencyMetadata(t *testing.T) {
	dir := testshared.Dir(t, "conformance/trust-domains")
	data, err := os.ReadFile(filepath.Join(dir, "example1_process.suit"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Format(data, &Options{Indent: "  ", EmbeddedCBOR: true, Annotate: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/ suit-dependencies / 1:", "/ suit-dependency-prefix / 1:", "/ suit-manifest-component-id / 5:"} {
		if !strings.Contains(out, want) {
			t.Errorf("annotated form lacks %q:\n%s", want, out)
		}
	}
}
