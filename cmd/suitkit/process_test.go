package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

// TestDemoRunsEndToEnd is the README's first command: it must succeed on a
// fresh machine and leave the files it describes.
func TestDemoRunsEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := runSuitkit("demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"rejected as expected: rollback", "rejected as expected: manifest digest mismatch",
		"rejected as expected: unauthenticated", "suitkit-directive-apply-delta", "all steps behaved as expected."} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(out, "UNEXPECTED") {
		t.Errorf("demo reported an unexpected result:\n%s", out)
	}
	for _, f := range []string{"keys/signing.pub.pem", "v1.suit", "v2-delta.suit", "device/device.json", "device/comp.00", "device/rollback.state"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("demo did not leave %s: %v", f, err)
		}
	}
	// A non-empty --dir is refused rather than mixed with old state.
	if code, _, _ := runSuitkit("demo", "--dir", dir); code != 2 {
		t.Errorf("demo into a non-empty dir: exit %d, want 2", code)
	}
}

func TestProcessCommandInstallsAndRejects(t *testing.T) {
	src := filepath.Join(t.TempDir(), "demo")
	if code, out, errOut := runSuitkit("demo", "--dir", src); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	key := filepath.Join(src, "keys/signing.pub.pem")
	dev := filepath.Join(t.TempDir(), "dev")
	ids := []string{"--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}
	args := func(env string, extra ...string) []string {
		return append(append([]string{"process", "--key", key, "--device", dev}, append(ids, extra...)...), filepath.Join(src, env))
	}
	code, out, errOut := runSuitkit(args("v1.suit")...)
	if code != 0 {
		t.Fatalf("v1: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "result: success, sequence number committed") || !strings.Contains(out, "comp.00") {
		t.Errorf("output:\n%s", out)
	}
	// The demo's delta patch is encrypted for the demo device's key.
	decrypt := filepath.Join(src, "keys/device-decrypt.pem")
	if code, out, errOut = runSuitkit(args("v2-delta.suit", "--decrypt-key", decrypt)...); code != 0 {
		t.Fatalf("v2: exit %d\n%s%s", code, out, errOut)
	}
	v2, _ := os.ReadFile(filepath.Join(src, "images/v2.bin"))
	if got, _ := os.ReadFile(filepath.Join(dev, "comp.00")); !bytes.Equal(got, v2) {
		t.Fatal("device does not hold v2")
	}
	// Rollback: exit 1 with one "suitkit:" line.
	code, _, errOut = runSuitkit(args("v1.suit")...)
	if code != 1 || !strings.HasPrefix(errOut, "suitkit ") || !strings.Contains(errOut, "rollback") {
		t.Fatalf("replay: exit %d, %q", code, errOut)
	}
	// Tampered and unknown-key envelopes: exit 1.
	for _, bad := range []string{"attacks/v2-tampered.suit", "attacks/unknown-key.suit"} {
		if code, _, errOut := runSuitkit(args(bad)...); code != 1 {
			t.Errorf("%s: exit %d (%s)", bad, code, errOut)
		}
	}
	// Wrong class on a fresh device: rejected by the class condition.
	dev2 := filepath.Join(t.TempDir(), "dev2")
	code, out, _ = runSuitkit("process", "--key", key, "--device", dev2, "--vendor-id", demoVendor.String(),
		"--class-id", "00000000-0000-0000-0000-000000000001", filepath.Join(src, "v1.suit"))
	if code != 1 || !strings.Contains(out, "suit-condition-class-identifier") {
		t.Errorf("wrong class: exit %d\n%s", code, out)
	}
	// Identity from DIR/device.json (the demo's device dir has one).
	demoDev := filepath.Join(src, "device")
	if code, _, errOut := runSuitkit("process", "--key", key, "--decrypt-key", decrypt, "--device", demoDev, filepath.Join(src, "v2-delta.suit")); code != 0 {
		t.Errorf("identity from device.json: exit %d %s", code, errOut)
	}
	// Usage errors: exit 2.
	for _, a := range [][]string{
		{"process", "--key", key, filepath.Join(src, "v1.suit")},                       // no --device
		{"process", "--device", dev, filepath.Join(src, "v1.suit")},                    // no key
		{"process", "--key", key, "--device", dev},                                     // no envelope
		{"process", "--key", filepath.Join(src, "v1.suit"), "--device", dev, "x"},      // not a key
		{"process", "--key", key, "--device", dev, "--class-id", "nope", "x.suit"},     // bad UUID
		{"process", "--key", key, "--device", dev, filepath.Join(src, "missing.suit")}, // I/O
	} {
		if code, _, errOut := runSuitkit(a...); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", a, code, errOut)
		}
	}
}

func TestProcessCommandWithMACKey(t *testing.T) {
	dir := t.TempDir()
	secret := bytes.Repeat([]byte("k"), 32)
	keyP := filepath.Join(dir, "hmac.key")
	os.WriteFile(keyP, secret, 0o600)
	fw := demoFirmware(4096, 5)
	b := build.New(1)
	if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: fw, Integrated: "#fw"}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	m, err := sign.NewMACer(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, m); err != nil {
		t.Fatal(err)
	}
	data, _ := env.Encode()
	envP := filepath.Join(dir, "mac.suit")
	os.WriteFile(envP, data, 0o644)
	dev := filepath.Join(dir, "dev")
	ids := []string{"--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}
	code, out, errOut := runSuitkit(append(append([]string{"process", "--mac-key", keyP, "--device", dev}, ids...), envP)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// The wrong secret: rejected.
	os.WriteFile(keyP, bytes.Repeat([]byte("x"), 32), 0o600)
	if code, _, _ := runSuitkit(append(append([]string{"process", "--mac-key", keyP, "--device", filepath.Join(dir, "dev2")}, ids...), envP)...); code != 1 {
		t.Fatalf("wrong HMAC key: exit %d, want 1", code)
	}
}

// TestProcessCommandCOSEKeyAlgBinding: process loads trust anchors like
// verify does, so a COSE_Key's alg binds the key: the draft key bound to
// ESP256 does not authenticate the ES256-signed example 0 (the update is
// refused before any command runs); bound to ES256 it does (the manifest's
// commands run; the image check then fails on the empty device).
func TestProcessCommandCOSEKeyAlgBinding(t *testing.T) {
	pemData := testshared.Conformance(t, "public_key.pem")
	k, err := keys.ParsePEM(pemData)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, alg := range []keys.Algorithm{keys.ES256, keys.ESP256} {
		data, err := (&keys.Key{Public: k.Public, Algorithm: alg}).MarshalCOSEKey()
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.Join(dir, alg.String()+".cose")
		if err := os.WriteFile(key, data, 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runSuitkit("process", "--key", key, "--device", filepath.Join(dir, "dev-"+alg.String()),
			"--vendor-id", "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe", "--class-id", "1492af14-2569-5e48-bf42-9b2d51f2ab45",
			testshared.ConformancePath(t, "example-0.suit"))
		ran := strings.Contains(out, "suit-condition-vendor-identifier")
		unauth := strings.Contains(errs, "unauthenticated")
		if code != 1 || ran != (alg == keys.ES256) || unauth != (alg == keys.ESP256) {
			t.Errorf("key bound to %v: exit %d, commands ran %v, unauthenticated %v; stderr %q", alg, code, ran, unauth, errs)
		}
	}
}

// TestProcessMinInt64CommandExits1 is issue 9 item 1 through the CLI: an
// envelope signed with `suitkit sign` whose install sequence has the
// command id -2^63 (3b 7fffffffffffffff) killed `suitkit process` with a
// stack overflow on 9d84ca8. It must be rejected with exit 1 and one
// "suitkit:" line naming the command, and leave the device untouched.
func TestProcessMinInt64CommandExits1(t *testing.T) {
	const manifest = "a401010201035834a2028181410004582b8614a20150fa6b4a53d5ad5fdfbe9de663e4d41ffe02501492af1425695e48bf429b2d51f2ab45010f020f144d843b7fffffffffffffff00010f"
	mb, err := hex.DecodeString(manifest)
	if err != nil {
		t.Fatal(err)
	}
	d, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := (&suit.Envelope{Tagged: true, Authentication: &suit.Authentication{DigestBytes: db, Digest: d}, ManifestBytes: mb}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "crash-unsigned.suit"), filepath.Join(dir, "crash.suit")
	if err := os.WriteFile(in, unsigned, 0o644); err != nil {
		t.Fatal(err)
	}
	key, pub := signCLIKeygen(t, dir, "ES256")
	if code, _, errOut := runSuitkit("sign", "--key", key, "--in", in, "--out", out); code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errOut)
	}
	dev := filepath.Join(dir, "dev")
	code, _, errOut := runSuitkit("process", "--key", pub, "--device", dev,
		"--vendor-id", "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe", "--class-id", "1492af14-2569-5e48-bf42-9b2d51f2ab45", out)
	if code != 1 || !strings.HasPrefix(errOut, "suitkit ") || !strings.Contains(errOut, "command -9223372036854775808") {
		t.Fatalf("process: exit %d, stderr %q; want exit 1 naming command -9223372036854775808", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dev, "comp.00")); err == nil {
		t.Error("a component was installed")
	}
	if st, err := os.ReadFile(filepath.Join(dev, processStateFile)); err == nil && len(st) > 0 {
		t.Errorf("the sequence number was committed:\n%s", st)
	}
}

// TestProcessFetchFlagServesURIFromLocalFile: --fetch URI=FILE answers a
// manifest's fetch from http://example.com/... with a local file, so the
// install works offline; the file is still checked against the signed
// digest, and a bad --fetch is a usage error.
func TestProcessFetchFlagServesURIFromLocalFile(t *testing.T) {
	dir := t.TempDir()
	secret := bytes.Repeat([]byte("k"), 32)
	keyP := filepath.Join(dir, "hmac.key")
	os.WriteFile(keyP, secret, 0o600)
	fw := demoFirmware(2048, 3)
	const uri = "http://example.com/fw.bin?v=1"
	b := build.New(1)
	if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: fw, URI: uri}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	m, err := sign.NewMACer(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, m); err != nil {
		t.Fatal(err)
	}
	data, _ := env.Encode()
	envP := filepath.Join(dir, "fetching.suit")
	os.WriteFile(envP, data, 0o644)
	fwP := filepath.Join(dir, "local-fw.bin")
	os.WriteFile(fwP, fw, 0o644)
	badP := filepath.Join(dir, "other.bin")
	os.WriteFile(badP, demoFirmware(2048, 4), 0o644)
	ids := []string{"--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}
	run := func(dev string, extra ...string) (int, string, string) {
		args := append([]string{"process", "--mac-key", keyP, "--device", filepath.Join(dir, dev)}, ids...)
		return runSuitkit(append(append(args, extra...), envP)...)
	}
	code, out, errOut := run("dev", "--fetch", uri+"="+fwP)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "dev", "comp.00")); !bytes.Equal(got, fw) {
		t.Fatal("device does not hold the locally served firmware")
	}
	// Other bytes at the URI fail the signed digest: rejected, nothing written.
	if code, _, errOut := run("dev2", "--fetch", uri+"="+badP); code != 1 || !strings.HasPrefix(errOut, "suitkit process: ") {
		t.Errorf("wrong local file: exit %d (%s), want 1", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "dev2", "comp.00")); err == nil {
		t.Error("wrong local file was installed")
	}
	for _, bad := range [][]string{
		{"--fetch", "no-equals-sign"},
		{"--fetch", uri + "="},
		{"--fetch", "=" + fwP},
		{"--fetch", uri + "=" + fwP, "--fetch", uri + "=" + badP},
		{"--fetch", uri + "=" + filepath.Join(dir, "missing.bin")},
		{"--fetch", uri + "=" + dir},
	} {
		if code, _, errOut := run("dev3", bad...); code != 2 {
			t.Errorf("%q: exit %d (%s), want 2", bad, code, errOut)
		}
	}
}
