package delta

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"time"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
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

// firmwarePairs lists the bench pairs with bsdiff's patch size and the
// smallest patch of bsdiff, xdelta3 -9 and zstd --patch-from -19
// (shared/bench/BASELINES.md), and whether the pair is large.
var firmwarePairs = []struct {
	name         string
	bsdiff, best int
	large        bool
}{
	{"mcu-programmer-cm4", 1571, 1248, false},
	{"micropython-pybv11-cm4", 40694, 40694, false},
	{"micropython-esp8266", 75985, 75985, false},
	{"libpython37-aarch64", 77324, 77324, false},
	{"openjdk17-libjvm-amd64", 1054392, 1054392, true},
}

// TestFirmwarePairsRoundTrip diffs and applies every bench pair, with the
// patch streamed one byte at a time, and checks the patch is no larger
// than the smallest patch bsdiff, xdelta3 or zstd --patch-from makes.
// When all five pairs ran, the geometric mean of patch/bsdiff must be at
// most 0.80 (the goal). The 24 MB pair runs only without -short
// or with SUITKIT_LARGE_TESTS=1.
func TestFirmwarePairsRoundTrip(t *testing.T) {
	var logSum float64
	measured := 0
	for _, fp := range firmwarePairs {
		t.Run(fp.name, func(t *testing.T) {
			if fp.large && testing.Short() && os.Getenv("SUITKIT_LARGE_TESTS") == "" {
				t.Skip("large pair: skipped in -short mode (set SUITKIT_LARGE_TESTS=1)")
			}
			old, new := loadPair(t, fp.name)
			start := time.Now()
			patch, got := diffApply(t, old, new, nil)
			if !bytes.Equal(got, new) {
				t.Fatal("applied patch does not reproduce new")
			}
			t.Logf("%s: patch %d bytes (bsdiff %d, %.3fx) in %v", fp.name, len(patch), fp.bsdiff,
				float64(len(patch))/float64(fp.bsdiff), time.Since(start))
			logSum += math.Log(float64(len(patch)) / float64(fp.bsdiff))
			measured++
			if !fp.large {
				// Streaming the patch one byte at a time gives the same image.
				var out bytes.Buffer
				err := Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), &out, nil)
				if err != nil || !bytes.Equal(out.Bytes(), new) {
					t.Fatalf("one-byte-reader apply: %v", err)
				}
			}
			if len(patch) > fp.best {
				t.Errorf("patch %d bytes, larger than the best peer's %d", len(patch), fp.best)
			}
			h, err := ReadHeader(bytes.NewReader(patch))
			if err != nil {
				t.Fatal(err)
			}
			if h.ApplyMemory > diffcore.DefaultBlockMemory {
				t.Errorf("patch needs %d bytes to apply, default block budget is %d", h.ApplyMemory, diffcore.DefaultBlockMemory)
			}
		})
	}
	if measured == len(firmwarePairs) {
		g := math.Exp(logSum / float64(measured))
		t.Logf("geometric mean of patch/bsdiff over %d pairs: %.4f", measured, g)
		if g > 0.80 {
			t.Errorf("geometric mean of patch/bsdiff %.4f, goal 0.80", g)
		}
	}
}
