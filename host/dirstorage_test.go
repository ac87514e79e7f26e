package host

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
)

func readAll(t *testing.T, s process.Storage, id [][]byte) []byte {
	t.Helper()
	c, err := s.Open(id)
	if err != nil {
		t.Fatalf("Open(%x): %v", id, err)
	}
	defer c.Close()
	b, err := io.ReadAll(io.NewSectionReader(c, 0, c.Size()))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func stageCommit(t *testing.T, s process.Storage, id [][]byte, data []byte) {
	t.Helper()
	st, err := s.Stage(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestComponentFileNameRoundTripAndNoTraversal(t *testing.T) {
	ids := [][][]byte{
		{},
		{{0x00}},
		{{}},
		{[]byte("usr"), []byte("bin"), []byte("env")},
		{[]byte("../../etc/passwd")},
		{[]byte("/"), []byte(".."), {}},
	}
	seen := map[string]bool{}
	for _, id := range ids {
		name, err := componentFileName(id)
		if err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		if strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.Contains(name, "..") && !strings.HasPrefix(name, "comp.") {
			t.Errorf("%q: unsafe name %q", id, name)
		}
		if filepath.Base(name) != name {
			t.Errorf("%q: name %q is not a single path element", id, name)
		}
		if seen[name] {
			t.Errorf("%q: name %q not unique", id, name)
		}
		seen[name] = true
		back, ok := parseComponentFileName(name)
		if !ok || !slices.EqualFunc(back, id, bytes.Equal) {
			t.Errorf("%q: round trip gave %q, %v", id, back, ok)
		}
	}
	if _, err := componentFileName([][]byte{make([]byte, 200)}); !errors.Is(err, process.ErrComponent) {
		t.Errorf("long id: %v, want process.ErrComponent", err)
	}
	for _, bad := range []string{"comp.0", "comp.ZZ", "comp.AB", "compx", "device.json", ".stage-1"} {
		if _, ok := parseComponentFileName(bad); ok {
			t.Errorf("parseComponentFileName(%q) accepted", bad)
		}
	}
}

func TestDirStorageStageCommitIsAtomicAndDiscardLeavesOld(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenDirStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := [][]byte{{0}}
	if _, err := s.Open(id); !errors.Is(err, process.ErrNoContent) {
		t.Fatalf("empty component: %v", err)
	}
	stageCommit(t, s, id, []byte("old image"))
	st, err := s.Stage(id)
	if err != nil {
		t.Fatal(err)
	}
	st.Write([]byte("half of the new"))
	// Not visible before commit.
	if got := readAll(t, s, id); string(got) != "old image" {
		t.Fatalf("staged content visible before commit: %q", got)
	}
	if err := st.Discard(); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, id); string(got) != "old image" {
		t.Fatalf("after discard: %q", got)
	}
	// A staging file left by a crash is removed on open.
	st2, _ := s.Stage(id)
	st2.Write([]byte("crash"))
	s2, err := OpenDirStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), stagePrefix) {
			t.Errorf("stale staging file %s survived reopen", e.Name())
		}
	}
	stageCommit(t, s2, id, []byte("new image"))
	if got := readAll(t, s2, id); string(got) != "new image" {
		t.Fatalf("after commit: %q", got)
	}
	comps, err := s2.Components()
	if err != nil || len(comps) != 1 || !bytes.Equal(comps[0][0], []byte{0}) {
		t.Fatalf("Components = %x, %v", comps, err)
	}
	if err := s2.Unlink(id); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Open(id); !errors.Is(err, process.ErrNoContent) {
		t.Fatalf("after unlink: %v", err)
	}
}

// TestDirStorageSwapResumesAfterCrashAtEveryStep recreates the file states
// an interrupted swap can leave and checks that reopening the directory
// always ends with the swap complete.
func TestDirStorageSwapResumesAfterCrashAtEveryStep(t *testing.T) {
	a, b := [][]byte{{0xa}}, [][]byte{{0xb}}
	for step := 0; step <= 4; step++ {
		dir := t.TempDir()
		s, _ := OpenDirStorage(dir)
		stageCommit(t, s, a, []byte("AAAA"))
		stageCommit(t, s, b, []byte("BB"))
		pa, _ := s.Path(a)
		pb, _ := s.Path(b)
		pt := filepath.Join(dir, swapTempName)
		if step == 0 {
			if err := s.Swap(a, b); err != nil {
				t.Fatal(err)
			}
		} else {
			// Write the journal as Swap would, then perform step-1 renames
			// and "crash".
			ha, _ := hashFile(pa)
			hb, _ := hashFile(pb)
			js := `{"a":"` + filepath.Base(pa) + `","b":"` + filepath.Base(pb) + `","a-sha256":"` +
				b64(ha) + `","b-sha256":"` + b64(hb) + `","suitkit-swap":"v1"}`
			if err := writeFile(filepath.Join(dir, swapJournal), []byte(js), 0o644); err != nil {
				t.Fatal(err)
			}
			renames := [][2]string{{pa, pt}, {pb, pa}, {pt, pb}}
			for i := 0; i < step-1; i++ {
				if err := os.Rename(renames[i][0], renames[i][1]); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if s, err = OpenDirStorage(dir); err != nil {
				t.Fatalf("step %d: reopen: %v", step, err)
			}
		}
		if got := readAll(t, s, a); string(got) != "BB" {
			t.Errorf("step %d: a = %q, want BB", step, got)
		}
		if got := readAll(t, s, b); string(got) != "AAAA" {
			t.Errorf("step %d: b = %q, want AAAA", step, got)
		}
		if exists(filepath.Join(dir, swapJournal)) || exists(pt) {
			t.Errorf("step %d: journal or temp file left behind", step)
		}
	}
}

func TestLoadIdentityFromDeviceJSON(t *testing.T) {
	dir := t.TempDir()
	id, err := LoadIdentity(dir)
	if err != nil || id.VendorID != nil {
		t.Fatalf("missing file: %+v, %v", id, err)
	}
	want := process.Identity{VendorID: mustUUID("fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe"), ClassID: mustUUID("1492af14-2569-5e48-bf42-9b2d51f2ab45")}
	if err := SaveIdentity(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIdentity(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.VendorID, want.VendorID) || !bytes.Equal(got.ClassID, want.ClassID) || got.DeviceID != nil {
		t.Fatalf("got %+v", got)
	}
	os.WriteFile(filepath.Join(dir, IdentityFile), []byte(`{"vendor-id":"not-a-uuid"}`), 0o644)
	if _, err := LoadIdentity(dir); !errors.Is(err, suit.ErrInvalidUUID) {
		t.Fatalf("bad UUID: %v, want suit.ErrInvalidUUID", err)
	}
	os.WriteFile(filepath.Join(dir, IdentityFile), []byte(`{"vendor":"x"}`), 0o644)
	if _, err := LoadIdentity(dir); err == nil {
		t.Fatal("unknown member accepted")
	}
}

func mustUUID(s string) []byte {
	u, err := suit.ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestZeroDirStorageRefusesWork: a DirStorage not made by OpenDirStorage
// has no directory; it must not fall back to the working directory.
func TestZeroDirStorageRefusesWork(t *testing.T) {
	t.Chdir(t.TempDir())
	var d DirStorage
	id := [][]byte{{0}}
	if _, err := d.Lock(t.Context()); !errors.Is(err, process.ErrOperation) {
		t.Errorf("Lock: %v", err)
	}
	if _, err := d.Stage(id); !errors.Is(err, process.ErrOperation) {
		t.Errorf("Stage: %v", err)
	}
	if _, err := d.Open(id); !errors.Is(err, process.ErrOperation) {
		t.Errorf("Open: %v", err)
	}
	if err := d.Unlink(id); !errors.Is(err, process.ErrOperation) {
		t.Errorf("Unlink: %v", err)
	}
	if err := d.Swap(id, [][]byte{{1}}); !errors.Is(err, process.ErrOperation) {
		t.Errorf("Swap: %v", err)
	}
	if _, err := d.Components(); !errors.Is(err, process.ErrOperation) {
		t.Errorf("Components: %v", err)
	}
	if ents, _ := os.ReadDir("."); len(ents) != 0 {
		t.Errorf("the working directory got %d entries", len(ents))
	}
}
