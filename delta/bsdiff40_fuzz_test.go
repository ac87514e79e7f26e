package delta

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// debianSeedPair is a tiny old/new pair and the patch Debian's bsdiff 4.3
// made for it (`bsdiff old new p`), kept here so the fuzz corpus holds a real
// third-party patch even where bsdiff is not installed.
func debianSeedPair() (oldB, newB, patch []byte) {
	var o, n bytes.Buffer
	for i := range 40 {
		fmt.Fprintf(&o, "fw v1 block %03d: jump 0x%04x\n", i, 0x1000+i*16)
	}
	for i := range 42 {
		fmt.Fprintf(&n, "fw v2 block %03d: jump 0x%04x\n", i, 0x1010+i*16)
	}
	p, err := hex.DecodeString("425344494646343039000000000000004700000000000000c204000000000000" +
		"425a6839314159265359a6067b8f00000fd8416c101000002042000010200021906868400c231a1649d8031cf36878bb9229c284853033dc78" +
		"425a68393141592653592316af4a000000700674806000004000100400200050801805454c86d3771a4719e16c06d00c907ee2935644c66a223d7d2f45dc914e142408c5abd280" +
		"425a6839314159265359ca82074b00000149000010500020002000219a68334d073c5dc914e142432a081d2c")
	if err != nil {
		panic(err)
	}
	return o.Bytes(), n.Bytes(), p
}

func TestBSDIFF40EmbeddedDebianPatchApplies(t *testing.T) {
	oldB, newB, patch := debianSeedPair()
	got, err := applyBothWays(t, oldB, patch, testBSLimits())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, newB) {
		t.Fatalf("got %q", got)
	}
}

// FuzzApplyBSDIFF40 feeds arbitrary old images and patches to both
// appliers. Properties: no panic; never more output than the header
// declares nor than the limit; both appliers agree on success and output;
// success means exactly the declared size was written.
func FuzzApplyBSDIFF40(f *testing.F) {
	oldB, _, patch := debianSeedPair()
	f.Add(oldB, patch)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 4 {
		o := randomBytes(rng, rng.IntN(600))
		n := mutate(o, rng, 1+rng.IntN(20))
		var b bytes.Buffer
		if err := encodeBSDIFF40(&b, o, n, naiveBSRecords(o, n, rng)); err != nil {
			f.Fatal(err)
		}
		f.Add(o, b.Bytes())
	}
	// Patches made by Debian's bsdiff right now, when it is installed.
	if bsdiff, err := exec.LookPath("bsdiff"); err == nil {
		dir := f.TempDir()
		o := randomBytes(rng, 600)
		n := mutate(o, rng, 10)
		op, np, pp := filepath.Join(dir, "o"), filepath.Join(dir, "n"), filepath.Join(dir, "p")
		if os.WriteFile(op, o, 0o600) == nil && os.WriteFile(np, n, 0o600) == nil &&
			exec.Command(bsdiff, op, np, pp).Run() == nil {
			if p, err := os.ReadFile(pp); err == nil {
				f.Add(o, p)
			}
		}
	}
	// Extreme values in the header and ctrl slots (sign-magnitude: -0,
	// -MaxInt64, MaxInt64).
	for _, v := range []uint64{1 << 63, math.MaxUint64, math.MaxInt64} {
		p := bsRaw{newSize: 6, recs: []control{{add: 4, copy: 2}}, diff: make([]byte, 4), extra: []byte("xy")}.build(f)
		for _, off := range []int{24, bsHeaderSize} {
			q := bytes.Clone(p)
			binary.LittleEndian.PutUint64(q[off:], v)
			f.Add(bsOld, q)
		}
		r := offtin(binary.LittleEndian.AppendUint64(nil, v))
		f.Add(bsOld, bsRaw{newSize: 6, recs: []control{{add: 4, copy: 2, seek: r}}, diff: make([]byte, 4), extra: []byte("xy")}.build(f))
		f.Add(bsOld, bsRaw{newSize: 6, recs: []control{{add: r, copy: 2}}, diff: make([]byte, 4), extra: []byte("xy")}.build(f))
	}
	lim := &bsLimits{maxNewSize: 1 << 20, maxBuffered: 1 << 20, maxIdle: 16}
	f.Fuzz(func(t *testing.T, oldB, patch []byte) {
		declared := int64(-1)
		if len(patch) >= bsHeaderSize {
			declared = offtin(patch[24:])
		}
		var outAt, outR bytes.Buffer
		nAt, errAt := applyBSDIFF40At(bytes.NewReader(oldB), int64(len(oldB)), bytes.NewReader(patch), int64(len(patch)), &outAt, lim)
		nR, errR := applyBSDIFF40(bytes.NewReader(oldB), int64(len(oldB)), bytes.NewReader(patch), &outR, lim)
		for _, out := range []*bytes.Buffer{&outAt, &outR} {
			if int64(out.Len()) > max(declared, 0) || int64(out.Len()) > lim.maxNewSize {
				t.Fatalf("wrote %d bytes; header declares %d, limit %d", out.Len(), declared, lim.maxNewSize)
			}
		}
		if nAt != int64(outAt.Len()) || nR != int64(outR.Len()) {
			t.Fatalf("reported %d/%d bytes, wrote %d/%d", nAt, nR, outAt.Len(), outR.Len())
		}
		if (errAt == nil) != (errR == nil) {
			t.Fatalf("appliers disagree: ReaderAt err=%v, Reader err=%v", errAt, errR)
		}
		if errAt == nil {
			if int64(outAt.Len()) != declared {
				t.Fatalf("success with %d bytes, header declares %d", outAt.Len(), declared)
			}
			if !bytes.Equal(outAt.Bytes(), outR.Bytes()) {
				t.Fatal("appliers succeeded with different output")
			}
		}
	})
}
