package text

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// TestTextTrustDomainsExamplesRoundTrip: the draft's trust-domains
// examples show suit-dependencies with named members
// (suit-dependency-prefix), and JSON and YAML both parse back to the exact
// bytes, signatures and integrated dependency included.
func TestTextTrustDomainsExamplesRoundTrip(t *testing.T) {
	dir := testshared.Dir(t, "conformance/trust-domains")
	for _, n := range []string{"example0_dependent.suit", "example1_process.suit", "example2_integrated.suit"} {
		env, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		for _, syn := range []Syntax{JSON, YAML} {
			out, err := Format(env, syn)
			if err != nil {
				t.Fatalf("%s: format: %v", n, err)
			}
			if n != "example0_dependent.suit" && !strings.Contains(string(out), "suit-dependency-prefix") {
				t.Errorf("%s: dependencies not shown by name:\n%s", n, out)
			}
			back, err := Parse(out, syn, nil)
			if err != nil {
				t.Fatalf("%s: parse: %v\n%s", n, err, out)
			}
			if !bytes.Equal(back, env) {
				t.Errorf("%s: text round trip changed the envelope", n)
			}
		}
	}
}
