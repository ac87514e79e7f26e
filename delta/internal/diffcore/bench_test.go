package diffcore

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/suitkit/suitkit/delta"
)

// Benchmarks run on the micropython-esp8266 bench pair (615 KB); they skip
// when shared/bench/firmware is absent.

func BenchmarkDiff(b *testing.B) {
	old, new := loadPair(b, "micropython-esp8266")
	b.SetBytes(int64(len(new)))
	var size int
	for b.Loop() {
		var p bytes.Buffer
		if err := Diff(context.Background(), old, new, &p, nil); err != nil {
			b.Fatal(err)
		}
		size = p.Len()
	}
	b.ReportMetric(float64(size), "patch-bytes")
}

func BenchmarkComputeControls(b *testing.B) {
	old, new := loadPair(b, "micropython-esp8266")
	b.SetBytes(int64(len(new)))
	for b.Loop() {
		if _, err := computeControls(context.Background(), old, new, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSuffixArray(b *testing.B) {
	old, _ := loadPair(b, "micropython-esp8266")
	b.SetBytes(int64(len(old)))
	for b.Loop() {
		suffixArray(old)
	}
}

func BenchmarkApply(b *testing.B) {
	old, new := loadPair(b, "micropython-esp8266")
	var p bytes.Buffer
	if err := Diff(context.Background(), old, new, &p, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(new)))
	b.ReportAllocs()
	for b.Loop() {
		if err := delta.Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), io.Discard, nil); err != nil {
			b.Fatal(err)
		}
	}
}
