package host

import (
	"errors"
	"os"
	"testing"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
)

func TestStageWithMetadataAppliesModeAndTime(t *testing.T) {
	d, err := OpenDirStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := [][]byte{{1}}
	perm := uint64(1<<suit.PermListRead | 1<<suit.PermTraverseExec) // r-x
	mt := uint64(1_600_000_000)
	ft := suit.FileRegular
	st, err := d.StageWithMetadata(id, suit.ComponentMetadata{DefaultPermissions: &perm, ModificationTime: &mt, FileType: &ft})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write([]byte("exe")); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	p, _ := d.Path(id)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o555 || fi.Mode()&(os.ModeSetuid|os.ModeSetgid|os.ModeSticky) != 0 {
		t.Errorf("mode %v, want -r-xr-xr-x", fi.Mode())
	}
	if fi.ModTime().Unix() != 1_600_000_000 {
		t.Errorf("mtime %v", fi.ModTime())
	}
	if b, _ := os.ReadFile(p); string(b) != "exe" {
		t.Errorf("content %q", b)
	}
	// Without default permissions the file is private, like Stage's.
	st, err = d.StageWithMetadata(id, suit.ComponentMetadata{ModificationTime: &mt})
	if err != nil {
		t.Fatal(err)
	}
	st.Write([]byte("x"))
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode())
	}
}

// What a directory device cannot apply safely is refused before anything
// is written.
func TestStageWithMetadataRefusesUnsafe(t *testing.T) {
	d, err := OpenDirStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := [][]byte{{2}}
	dir, link, ct := suit.FileDirectory, suit.FileSymlink, uint64(5)
	for name, md := range map[string]suit.ComponentMetadata{
		"directory":     {FileType: &dir},
		"symlink":       {FileType: &link},
		"user perms":    {UserPermissions: []suit.ActorPermission{{Actor: suit.IntActor(0), Permissions: 0x3fff}}},
		"group perms":   {GroupPermissions: []suit.ActorPermission{{Actor: suit.TextActor("wheel"), Permissions: 1}}},
		"creator":       {Creator: suit.TextActor("root")},
		"creation time": {CreationTime: &ct},
		"extension":     {Extensions: []suit.RawEntry{{Key: []byte{0x18, 0x20}, Value: []byte{0x01}}}},
	} {
		st, err := d.StageWithMetadata(id, md)
		if !errors.Is(err, process.ErrUnsupported) || st != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(d.Dir())
	for _, e := range entries {
		if e.Name() != LockFile {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
