package text

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/suit"
)

// TestFileLimitsAtLimitAndOver: issue 9 item 7. A referenced file of
// exactly MaxFileSize bytes is read, one byte more is refused; three
// references of 2000 bytes fit a MaxTotalFileSize of 6000 and not 5999.
func TestFileLimitsAtLimitAndOver(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.bin"), make([]byte, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	one := []byte(`{"suit-integrated-payloads": {"#a": {"file": "f.bin"}}}`)
	three := []byte(`{"suit-integrated-payloads": {"#a": {"file": "f.bin"}, "#b": {"file": "f.bin"}, "#c": {"file": "f.bin"}}}`)
	for _, tc := range []struct {
		name string
		spec []byte
		at   Options
		over Options
	}{
		{"MaxFileSize", one, Options{Dir: dir, MaxFileSize: 2000}, Options{Dir: dir, MaxFileSize: 1999}},
		{"MaxTotalFileSize", three, Options{Dir: dir, MaxTotalFileSize: 6000}, Options{Dir: dir, MaxTotalFileSize: 5999}},
	} {
		if _, err := Parse(tc.spec, JSON, &tc.at); err != nil {
			t.Errorf("%s at the limit: %v", tc.name, err)
		}
		if _, err := Parse(tc.spec, JSON, &tc.over); !errors.Is(err, suit.ErrLimit) {
			t.Errorf("%s one over: %v, want ErrLimit", tc.name, err)
		}
	}
}
