package diffcore

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// firmwareDir is shared/bench/firmware; tests skip when it is absent.
func firmwareDir(t testing.TB) string {
	t.Helper()
	return testshared.Dir(t, "bench/firmware")
}

func loadPair(t testing.TB, name string) (old, new []byte) {
	t.Helper()
	d := filepath.Join(firmwareDir(t), name)
	old, err := os.ReadFile(filepath.Join(d, "old"))
	if err != nil {
		t.Skipf("firmware pair %s: %v", name, err)
	}
	if new, err = os.ReadFile(filepath.Join(d, "new")); err != nil {
		t.Skipf("firmware pair %s: %v", name, err)
	}
	return old, new
}

// randomBytes returns n uniformly random bytes.
func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
