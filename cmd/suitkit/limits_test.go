package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "4096": 4096, "64KiB": 64 << 10, "64k": 64 << 10, "64K": 64 << 10, "64MiB": 64 << 20,
		"64mib": 64 << 20, "1g": 1 << 30, "1GiB": 1 << 30, "2TiB": 2 << 40, "40MB": 40e6, "40mb": 40e6,
		"3kB": 3000, "512B": 512, " 7 MiB ": 7 << 20, "8388607TiB": 8388607 << 40,
	} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "+5", "1.5MiB", "12XB", "1e6", "0x10", "8388608TiB",
		"9223372036854775808", "64 M i B", "--1"} {
		if n, err := parseSize(in); !errors.Is(err, errBadSize) {
			t.Errorf("parseSize(%q) = %d, %v; want an errBadSize error", in, n, err)
		}
	}
	for _, n := range []int64{0, 1, 1000, 1 << 10, 3 << 20, 1<<30 + 1, 5 << 40} {
		if got, err := parseSize(formatSize(n)); err != nil || got != n {
			t.Errorf("parseSize(formatSize(%d)=%q) = %d, %v", n, formatSize(n), got, err)
		}
	}
}

// TestLimitFlagBadValueIsUsageError: issue 9 item 7. A bad value of any
// limit flag, or one above the library's hard maximum, is a usage error
// (exit 2) naming the flag, before any file is read.
func TestLimitFlagBadValueIsUsageError(t *testing.T) {
	env := filepath.Join("..", "..", "testdata", "single-image.suit")
	for _, args := range [][]string{
		{"show", "--max-envelope-size", "12XB", env},
		{"show", "--max-envelope-size", "-1", env},
		{"show", "--max-envelope-size", "2GiB", env},
		{"show", "--max-manifest-size", "1.5MiB", env},
		{"show", "--max-components", "-3", env},
		{"show", "--max-components", "5000", env},
		{"show", "--max-commands", "many", env},
		{"verify", "--key", "k.pem", "--max-envelope-size", "64QiB", env},
		{"sign", "--key", "k.pem", "--in", env, "--out", "o", "--max-auth-blocks", "x"},
		{"sever", "--in", env, "--out", "o", "--max-integrated", "4097"},
		{"attach", "--in", env, "--out", "o", "--from", env, "--max-envelope-size", "MiB"},
		{"create", "--in", "spec.json", "--out", "o", "--max-file-size", "lots"},
		{"create", "--in", "spec.json", "--out", "o", "--max-total-file-size", "-5"},
		{"process", "--key", "k.pem", "--device", "d", "--max-image-size", "1.5G", env},
		{"process", "--key", "k.pem", "--device", "d", "--max-sequence-depth", "65", env},
		{"process", "--key", "k.pem", "--device", "d", "--max-patch-memory", "16 MiBs", env},
		{"diff", "--block-memory", "2x", "a", "b", "c"},
		{"diff", "--block-memory", "2GiB", "a", "b", "c"},
		{"patch", "--max-memory", "-1", "a", "b", "c"},
		{"patch", "--max-new-size", "1..", "a", "b", "c"},
	} {
		code, _, errOut := runSuitkit(args...)
		flagName := ""
		for _, a := range args {
			if strings.HasPrefix(a, "--max-") || a == "--block-memory" {
				flagName = strings.TrimPrefix(a, "--")
			}
		}
		if code != 2 || !strings.Contains(errOut, flagName) {
			t.Errorf("%q: exit %d, stderr %q; want 2 naming %s", args, code, errOut, flagName)
		}
	}
}

// minLimit returns the smallest value of the suit.Limits field set by
// with that lets the library decode data: the input is exactly at that
// limit, and one over the limit with the value minus one.
func minLimit(t *testing.T, data []byte, with func(n int) *suit.Limits, hi int) int {
	t.Helper()
	ok := func(n int) bool { _, err := suit.Decode(data, with(n)); return err == nil }
	if !ok(hi) {
		t.Fatalf("the envelope does not decode with the limit at %d", hi)
	}
	lo := 1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo > 1 {
		if _, err := suit.Decode(data, with(lo-1)); !errors.Is(err, suit.ErrLimit) {
			t.Fatalf("one below the smallest working limit %d: %v, want ErrLimit", lo, err)
		}
	}
	return lo
}

// TestDecodeLimitFlagsAtLimitAndOver: issue 9 item 7. Every suit.Limits
// field has a flag that reaches the decoder exactly: `show` accepts each
// test envelope with the flag at what the envelope needs and rejects it
// (exit 1, "limit exceeded") with one less, i.e. an input one over the
// limit.
func TestDecodeLimitFlagsAtLimitAndOver(t *testing.T) {
	fields := []struct {
		flag string
		with func(n int) *suit.Limits
		hi   int
	}{
		{"max-envelope-size", func(n int) *suit.Limits { return &suit.Limits{MaxEnvelopeSize: n} }, suit.DefaultMaxEnvelopeSize},
		{"max-manifest-size", func(n int) *suit.Limits { return &suit.Limits{MaxManifestSize: n} }, suit.DefaultMaxManifestSize},
		{"max-depth", func(n int) *suit.Limits { return &suit.Limits{MaxDepth: n} }, suit.DefaultMaxDepth},
		{"max-sequence-depth", func(n int) *suit.Limits { return &suit.Limits{MaxSequenceDepth: n} }, suit.DefaultMaxSequenceDepth},
		{"max-elements", func(n int) *suit.Limits { return &suit.Limits{MaxElements: n} }, suit.DefaultMaxElements},
		{"max-components", func(n int) *suit.Limits { return &suit.Limits{MaxComponents: n} }, suit.DefaultMaxComponents},
		{"max-commands", func(n int) *suit.Limits { return &suit.Limits{MaxCommands: n} }, suit.DefaultMaxCommands},
		{"max-auth-blocks", func(n int) *suit.Limits { return &suit.Limits{MaxAuthBlocks: n} }, suit.DefaultMaxAuthBlocks},
		{"max-integrated", func(n int) *suit.Limits { return &suit.Limits{MaxIntegrated: n} }, suit.DefaultMaxIntegrated},
	}
	checked := map[string]bool{}
	// Two signature blocks and two integrated payloads, which no IETF
	// example has.
	two := filepath.Join(t.TempDir(), "two.suit")
	if err := os.WriteFile(two, twoOfEach(t), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"integrated-payload", "multi-component", "try-each", "severed-text", "single-image", "two"} {
		path := filepath.Join("..", "..", "testdata", name+".suit")
		if name == "two" {
			path = two
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			n := minLimit(t, data, f.with, f.hi)
			if code, _, errOut := runSuitkit("show", "--"+f.flag, strconv.Itoa(n), path); code != 0 {
				t.Errorf("%s --%s %d (at the limit): exit %d: %s", name, f.flag, n, code, errOut)
			}
			if n == 1 {
				continue // zero means the default: no "one over" to try
			}
			checked[f.flag] = true
			code, _, errOut := runSuitkit("show", "--"+f.flag, strconv.Itoa(n-1), path)
			if code != 1 || !strings.Contains(errOut, "limit") {
				t.Errorf("%s --%s %d (one over the limit): exit %d, %q; want 1, a limit error", name, f.flag, n-1, code, errOut)
			}
		}
	}
	for _, f := range fields {
		if !checked[f.flag] {
			t.Errorf("no test envelope exceeds --%s by one", f.flag)
		}
	}
}

// twoOfEach returns an envelope with two components, two integrated
// payloads and two signature blocks.
func twoOfEach(t *testing.T) []byte {
	t.Helper()
	b := build.New(1)
	for i := range 2 {
		if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: []byte{byte(i)}, Integrated: fmt.Sprintf("#p%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		k, err := keys.GenerateKey(keys.ES256)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sign.ForKey(k, keys.ES256)
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.Authenticate(env, s); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// bigSigned builds and signs an envelope integrating a payload of size
// bytes; it returns the unsigned and the signed encoding and the key
// files.
func bigSigned(t *testing.T, dir string, size int) (unsigned, signed []byte, priv, pub string) {
	t.Helper()
	payload := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	b := build.New(1)
	if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: payload, Integrated: "#fw.bin"}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if unsigned, err = env.Encode(); err != nil {
		t.Fatal(err)
	}
	key, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.ForKey(key, keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, s); err != nil {
		t.Fatal(err)
	}
	if signed, err = env.Encode(); err != nil {
		t.Fatal(err)
	}
	privPEM, err := key.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := key.MarshalPublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	priv, pub = filepath.Join(dir, "k.pem"), filepath.Join(dir, "k.pub.pem")
	if err := os.WriteFile(priv, privPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return unsigned, signed, priv, pub
}

// TestMaxEnvelopeSizeOnEveryCommand: issue 9 item 7, the reported case. A
// 40 MB integrated payload is over the default 32 MiB envelope limit;
// --max-envelope-size lets every command that reads an envelope take it:
// exactly at the envelope's size it is accepted, one byte less and it is
// rejected (exit 1), and without the flag it is rejected as before.
func TestMaxEnvelopeSizeOnEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 40 MB envelopes")
	}
	dir := t.TempDir()
	unsigned, signed, priv, pub := bigSigned(t, dir, 40_000_000)
	unsignedP, signedP := filepath.Join(dir, "fw.suit"), filepath.Join(dir, "fw.signed.suit")
	if err := os.WriteFile(unsignedP, unsigned, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(signedP, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	// The create spec: the envelope's text form with the payload taken
	// from a file, so create builds exactly the unsigned envelope.
	if err := os.WriteFile(filepath.Join(dir, "fw.bin"), unsigned[len(unsigned)-40_000_000:], 0o644); err != nil {
		t.Fatal(err)
	}
	code, spec, errOut := runSuitkit("show", "--format", "json", "--max-envelope-size", "64MiB", unsignedP)
	if code != 0 {
		t.Fatalf("show json: %d %s", code, errOut)
	}
	i := strings.Index(spec, `"#fw.bin": "`) + len(`"#fw.bin": `)
	j := i + 1 + strings.IndexByte(spec[i+1:], '"')
	spec = spec[:i] + `{"file": "fw.bin"}` + spec[j+1:]
	specP := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specP, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.suit")
	dev := filepath.Join(dir, "dev")
	ids := []string{"--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}
	for _, tc := range []struct {
		name string
		size int // of the envelope the command reads or writes
		args []string
	}{
		{"show", len(signed), []string{"show", signedP}},
		{"verify", len(signed), []string{"verify", "--key", pub, signedP}},
		{"sign", len(unsigned), []string{"sign", "--key", priv, "--in", unsignedP, "--out", out}},
		{"sever", len(signed), []string{"sever", "--in", signedP, "--out", out}},
		{"attach", len(unsigned), []string{"attach", "--from", unsignedP, "--in", unsignedP, "--out", out}},
		{"create", len(unsigned), []string{"create", "--in", specP, "--out", out}},
		{"process", len(signed), append(append([]string{"process", "--key", pub, "--device", dev}, ids...), signedP)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, errOut := runSuitkit(tc.args...); code != 1 || !strings.Contains(errOut, "limit") && !strings.Contains(errOut, "larger than") {
				t.Errorf("without the flag: exit %d, %q; want 1, over the limit", code, errOut)
			}
			over := append([]string{tc.args[0], "--max-envelope-size", strconv.Itoa(tc.size - 1)}, tc.args[1:]...)
			if code, _, errOut := runSuitkit(over...); code != 1 {
				t.Errorf("one byte over the limit: exit %d, %q; want 1", code, errOut)
			}
			at := append([]string{tc.args[0], "--max-envelope-size", strconv.Itoa(tc.size)}, tc.args[1:]...)
			if code, _, errOut := runSuitkit(at...); code != 0 {
				t.Errorf("at the limit: exit %d: %s", code, errOut)
			}
		})
	}
	if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, unsigned) {
		t.Errorf("create did not rebuild the 40 MB envelope (%d bytes, %v)", len(got), err)
	}
}

// TestProcessDeviceLimitFlags: issue 9 item 7. The processor's own limits
// (components the device supports, default 16; the largest image, default
// 256 MiB; a delta patch's working memory, default 16 MiB) are reachable
// from `process`: at the limit the update installs, one over it is
// rejected (exit 1) and nothing is installed.
func TestProcessDeviceLimitFlags(t *testing.T) {
	dir := t.TempDir()
	key, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.ForKey(key, keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := key.MarshalPublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "k.pub.pem")
	if err := os.WriteFile(pub, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	envelope := func(name string, images ...[]byte) string {
		b := build.New(1)
		for i, img := range images {
			if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: img, Integrated: fmt.Sprintf("#c%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		env, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.Authenticate(env, s); err != nil {
			t.Fatal(err)
		}
		enc, err := env.Encode()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var seventeen [][]byte
	for i := range 17 {
		seventeen = append(seventeen, []byte(fmt.Sprintf("component %d", i)))
	}
	many := envelope("many.suit", seventeen...)
	// A delta update v1 -> v2 for a device holding v1 (comp.00).
	v1 := bytes.Repeat([]byte("version one "), 5000)
	v2 := append(bytes.Clone(v1[:30000]), []byte("version two")...)
	v2 = append(v2, v1[30000:]...)
	du := &build.DeltaUpdate{VendorID: demoVendor, ClassID: demoClass, Sequence: 2}
	denv, dpatch, err := du.Build(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(denv, s); err != nil {
		t.Fatal(err)
	}
	dpath := filepath.Join(dir, "delta.suit")
	if enc, err := denv.Encode(); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(dpath, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := delta.ReadHeader(bytes.NewReader(dpatch))
	if err != nil {
		t.Fatal(err)
	}
	big := envelope("big.suit", bytes.Repeat([]byte{7}, 100_000))
	n := 0
	process := func(env string, flags ...string) (int, string, string) {
		n++
		dev := filepath.Join(dir, fmt.Sprintf("dev%d", n))
		if env == dpath {
			if err := os.MkdirAll(dev, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dev, "comp.00"), v1, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		args := append([]string{"process", "--key", pub, "--device", dev, "--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}, flags...)
		code, _, errOut := runSuitkit(append(args, env)...)
		return code, errOut, dev
	}
	for _, tc := range []struct {
		name  string
		env   string
		flags []string
		want  int
	}{
		{"17 components, default 16", many, nil, 1},
		{"17 components, --max-components 16", many, []string{"--max-components", "16"}, 1},
		{"17 components, --max-components 17", many, []string{"--max-components", "17"}, 0},
		{"100000-byte image, --max-image-size 99999", big, []string{"--max-image-size", "99999"}, 1},
		{"100000-byte image, --max-image-size 100000", big, []string{"--max-image-size", "100000"}, 0},
		{"delta patch, --max-patch-memory one below its need", dpath, []string{"--max-patch-memory", strconv.FormatInt(h.ApplyMemory-1, 10)}, 1},
		{"delta patch, --max-patch-memory at its need", dpath, []string{"--max-patch-memory", strconv.FormatInt(h.ApplyMemory, 10)}, 0},
	} {
		code, errOut, dev := process(tc.env, tc.flags...)
		if code != tc.want {
			t.Errorf("%s: exit %d, want %d: %s", tc.name, code, tc.want, errOut)
		}
		if tc.want == 1 {
			if !strings.Contains(errOut, "limit") && !strings.Contains(errOut, "supports") {
				t.Errorf("%s: %q does not say a limit was hit", tc.name, errOut)
			}
			ents, _ := os.ReadDir(dev)
			for _, e := range ents {
				if strings.HasPrefix(e.Name(), "comp.") && tc.env != dpath || strings.HasPrefix(e.Name(), ".stage") {
					t.Errorf("%s: the device holds %s after a rejected update", tc.name, e.Name())
				}
			}
		}
	}
}

// TestPatchLimitFlagsAtLimitAndOver: issue 9 item 7. `patch` applies a
// patch whose declared working memory equals --max-memory and whose new
// image equals --max-new-size, and rejects it (exit 1) with one byte less
// of either; sizes take units.
func TestPatchLimitFlagsAtLimitAndOver(t *testing.T) {
	dir := t.TempDir()
	oldP, newP, _, newB := deltaPair(t, dir, 300_000)
	patchP := filepath.Join(dir, "p")
	if code, _, errOut := runCLI(t, "diff", "--block-memory", "3MiB", oldP, newP, patchP); code != 0 {
		t.Fatal(errOut)
	}
	pf, err := os.Open(patchP)
	if err != nil {
		t.Fatal(err)
	}
	h, err := delta.ReadHeader(pf)
	pf.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		flag string
		at   int64
	}{{"--max-memory", h.ApplyMemory}, {"--max-new-size", int64(len(newB))}} {
		if code, _, errOut := runCLI(t, "patch", tc.flag, strconv.FormatInt(tc.at-1, 10), oldP, patchP, out); code != 1 || !strings.Contains(errOut, "limit") {
			t.Errorf("%s %d (one over): exit %d, %q; want 1, a limit error", tc.flag, tc.at-1, code, errOut)
		}
		if code, _, errOut := runCLI(t, "patch", tc.flag, strconv.FormatInt(tc.at, 10), oldP, patchP, out); code != 0 {
			t.Errorf("%s %d (at the limit): exit %d: %s", tc.flag, tc.at, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "patch", "--max-memory", "16MiB", "--max-new-size", "1GiB", oldP, patchP, out); code != 0 {
		t.Errorf("sizes with units: exit %d: %s", code, errOut)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, newB) {
		t.Error("patch did not rebuild NEW")
	}
}

// TestCreateFileLimitFlagsAtLimitAndOver: issue 9 item 7. create reads a
// referenced file of exactly --max-file-size bytes (and as many bytes in
// all as --max-total-file-size) and refuses one byte more (exit 1).
func TestCreateFileLimitFlagsAtLimitAndOver(t *testing.T) {
	dir := t.TempDir()
	code, spec, errOut := runSuitkit("show", "--format", "json", filepath.Join("..", "..", "testdata", "integrated-payload.suit"))
	if code != 0 {
		t.Fatal(errOut)
	}
	i := strings.Index(spec, `"#fw.bin": "`) + len(`"#fw.bin": `)
	j := i + 1 + strings.IndexByte(spec[i+1:], '"')
	spec = spec[:i] + `{"file": "fw.bin"}` + spec[j+1:]
	specP := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specP, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fw.bin"), make([]byte, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.suit")
	for _, flag := range []string{"--max-file-size", "--max-total-file-size"} {
		if code, _, errOut := runSuitkit("create", flag, "2999", "--in", specP, "--out", out); code != 1 || !strings.Contains(errOut, "limit") {
			t.Errorf("%s 2999 for a 3000-byte file: exit %d, %q; want 1, a limit error", flag, code, errOut)
		}
		if code, _, errOut := runSuitkit("create", flag, "3000", "--in", specP, "--out", out); code != 0 {
			t.Errorf("%s 3000 for a 3000-byte file: exit %d: %s", flag, code, errOut)
		}
	}
}
