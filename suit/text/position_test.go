package text

import (
	"strings"
	"testing"
)

// TestJSONErrorsCarryLineAndColumn: a syntax error, a duplicate member and
// trailing data in a JSON spec say where they are.
func TestJSONErrorsCarryLineAndColumn(t *testing.T) {
	for spec, want := range map[string]string{
		"{\"suit-manifest\": {\n  \"suit-manifest-version\": 1,\n  \"suit-manifest-sequence-number\": x\n}}": "line 3, column 36:",
		"{\"a\": 1,\n \"a\": 2}":        "line 2, column 7: duplicate member",
		"{\"suit-manifest\": {}}\n  []": "line 2, column 3: trailing data",
	} {
		_, err := Parse([]byte(spec), JSON, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", spec, err, want)
		}
	}
}
