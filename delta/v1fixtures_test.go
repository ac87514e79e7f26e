package delta

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// Patches in format version 1, made by the differ at main 491e7d9 (before
// version 2 existed), must keep applying: devices in the field may hold
// such patches, and a server may still serve them. testdata/v1 holds one
// old image, one new image and a patch per diff coding the version-1
// differ could write (automatic choice, and every forced coding), plus an
// AArch64-like pair for the ADRP coding.
func TestVersion1PatchesStillApply(t *testing.T) {
	names, err := filepath.Glob("testdata/v1/*.patch")
	if err != nil || len(names) < 12 {
		t.Fatalf("version-1 fixtures missing: %v %v", names, err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	old, new, aOld, aNew := v1FixturePairs()
	for name, want := range map[string][]byte{"code.old": old, "code.new": new, "a64.old": aOld, "a64.new": aNew} {
		if !bytes.Equal(read("testdata/v1/"+name), want) {
			t.Fatalf("testdata/v1/%s is not what v1FixturePairs makes", name)
		}
	}
	for _, name := range names {
		pair := "testdata/v1/code"
		if filepath.Base(name)[:5] == "a64-a" {
			pair = "testdata/v1/a64"
		}
		old, want, patch := read(pair+".old"), read(pair+".new"), read(name)
		h, err := ReadHeader(bytes.NewReader(patch))
		if err != nil || h.Version != 1 {
			t.Fatalf("%s: header %+v, %v; want a version-1 patch", name, h, err)
		}
		var out bytes.Buffer
		if err := Apply(bytes.NewReader(old), int64(len(old)), iotest.OneByteReader(bytes.NewReader(patch)), &out, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("%s: output differs from the new image", name)
		}
	}
}

// v1FixturePairs are the pairs testdata/v1 was made from (kept so the
// fixtures can be read as what they are: code-like images with moved
// pointers, edits and an inserted block).
func v1FixturePairs() (old, new, aOld, aNew []byte) {
	rng := rand.New(rand.NewPCG(1, 13))
	old = coreRandom(rng, 6000)
	new = bytes.Clone(old)
	for p := 0; p+8 <= len(new); p += 8 + rng.IntN(24) {
		new[p+rng.IntN(4)] += byte(1 + rng.IntN(8))
	}
	for p := 0; p+4 <= len(new); p += 4 * (1 + rng.IntN(32)) {
		binary.LittleEndian.PutUint32(new[p:], binary.LittleEndian.Uint32(new[p:])+uint32(rng.IntN(1<<12)))
	}
	new = coreMutate(rng, new, 12)
	aOld, aNew = aarch64LikePair(13, 4096)
	return old, new, aOld, aNew
}
