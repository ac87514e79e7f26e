package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDirStorageLock is what the device lock costs a run: flock on
// .device.lock, the recovery scan of the directory (journal check, listing
// for stale .stage-* files) and the release, in a directory with four
// components.
func BenchmarkDirStorageLock(b *testing.B) {
	dir := b.TempDir()
	d, err := OpenDirStorage(dir)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 4 {
		if err := os.WriteFile(filepath.Join(dir, "comp.0"+string(rune('0'+i))), make([]byte, 4096), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		unlock, err := d.Lock(ctx)
		if err != nil {
			b.Fatal(err)
		}
		unlock()
	}
}

// BenchmarkDirStorageStageCommit is one component write for scale: 4 KiB
// staged, fsynced, renamed, directory fsynced.
func BenchmarkDirStorageStageCommit(b *testing.B) {
	d, err := OpenDirStorage(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		st, err := d.Stage([][]byte{{0}})
		if err != nil {
			b.Fatal(err)
		}
		st.Write(data)
		if err := st.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
