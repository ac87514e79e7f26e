package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runWithStdin runs the CLI in process with in as its standard input.
func runWithStdin(in []byte, args ...string) (int, string, string) {
	old := stdin
	stdin = bytes.NewReader(in)
	defer func() { stdin = old }()
	return runSuitkit(args...)
}

// TestDashIsStdinAndStdout: "-" names standard input wherever a file is
// read and standard output wherever one is written, byte for byte the
// same as the file form; messages then go to stderr, never into the data.
func TestDashIsStdinAndStdout(t *testing.T) {
	dir := t.TempDir()
	unsigned, _, priv, pub := bigSigned(t, dir, 256)
	in := filepath.Join(dir, "in.suit")
	os.WriteFile(in, unsigned, 0o644)

	// sign: stdin to stdout, then verify reads it from stdin.
	code, signed, errOut := runWithStdin(unsigned, "sign", "--key", priv, "--in", "-", "--out", "-")
	if code != 0 || !strings.Contains(errOut, "signed ") {
		t.Fatalf("sign - -: exit %d, stderr %q", code, errOut)
	}
	if code, out, errOut := runWithStdin([]byte(signed), "verify", "--key", pub, "-"); code != 0 || !strings.Contains(out, "manifest-digest: sha-256:") {
		t.Fatalf("verify -: exit %d, %q %q", code, out, errOut)
	}
	// show - equals show FILE.
	signedP := filepath.Join(dir, "signed.suit")
	os.WriteFile(signedP, []byte(signed), 0o644)
	_, want, _ := runSuitkit("show", "--format", "json", signedP)
	if code, got, _ := runWithStdin([]byte(signed), "show", "--format", "json", "-"); code != 0 || got != want {
		t.Errorf("show -: exit %d, output differs from show FILE", code)
	}
	// sever --out -: the envelope on stdout, the messages on stderr.
	code, sev, errOut := runSuitkit("sever", "--in", in, "--out", "-")
	if code != 0 || !strings.Contains(errOut, "wrote -") || strings.Contains(sev, "wrote") {
		t.Errorf("sever --out -: exit %d, stderr %q", code, errOut)
	}

	// diff and patch through pipes.
	oldP, newP, _, newB := deltaPair(t, dir, 50_000)
	code, patch, errOut := runSuitkit("diff", oldP, newP, "-")
	if code != 0 || len(patch) == 0 {
		t.Fatalf("diff -> -: exit %d %s", code, errOut)
	}
	if code, got, errOut := runWithStdin([]byte(patch), "patch", oldP, "-", "-"); code != 0 || got != string(newB) {
		t.Fatalf("patch OLD - -: exit %d, %d bytes (want %d), %s", code, len(got), len(newB), errOut)
	}
	oldB, _ := os.ReadFile(oldP)
	patchP := filepath.Join(dir, "p")
	os.WriteFile(patchP, []byte(patch), 0o644)
	if code, got, _ := runWithStdin(oldB, "patch", "-", patchP, "-"); code != 0 || got != string(newB) {
		t.Errorf("patch - PATCH -: exit %d", code)
	}
	// Standard input can be read once.
	if code, _, errOut := runWithStdin(oldB, "patch", "-", "-", "-"); code != 2 || !strings.Contains(errOut, "only once") {
		t.Errorf("patch - - -: exit %d, %q", code, errOut)
	}
	// A key from stdin.
	privB, _ := os.ReadFile(priv)
	if code, _, errOut := runWithStdin(privB, "sign", "--key", "-", "--in", in, "--out", filepath.Join(dir, "o.suit")); code != 0 {
		t.Errorf("sign --key -: exit %d %s", code, errOut)
	}
	// A file literally named "-" is reached as ./-.
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Error("a file named - was written")
	}
}

var digestRE = regexp.MustCompile(`^sha-256:[0-9a-f]{64}$`)

// TestJSONResults: verify --json and process --json print one JSON
// object, on success and on rejection (exit 1 still), with the digest in
// the one format.
func TestJSONResults(t *testing.T) {
	dir := t.TempDir()
	unsigned, signed, _, pub := bigSigned(t, dir, 256)
	signedP, unsignedP := filepath.Join(dir, "s.suit"), filepath.Join(dir, "u.suit")
	os.WriteFile(signedP, signed, 0o644)
	os.WriteFile(unsignedP, unsigned, 0o644)

	var v verifyJSON
	code, out, errOut := runSuitkit("verify", "--json", "--key", pub, signedP)
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || !v.Verified || !digestRE.MatchString(v.Digest) ||
		v.Sequence == nil || *v.Sequence != 1 || len(v.SignedBy) != 1 || v.File != signedP {
		t.Fatalf("verify --json: exit %d, %v, %+v (%s)", code, err, v, errOut)
	}
	_, text, _ := runSuitkit("verify", "--key", pub, signedP)
	if !strings.Contains(text, "manifest-digest: "+v.Digest+"\n") {
		t.Errorf("text and JSON digests differ: %q vs %s", text, v.Digest)
	}
	verifiedDigest := v.Digest
	v = verifyJSON{}
	code, out, errOut = runSuitkit("verify", "--json", "--key", pub, unsignedP)
	if err := json.Unmarshal([]byte(out), &v); code != 1 || err != nil || v.Verified || !strings.Contains(v.Error, "unauthenticated") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("verify --json rejected: exit %d, %v, %+v, stderr %q", code, err, v, errOut)
	}

	ids := []string{"--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}
	dev := filepath.Join(dir, "dev")
	var p processJSON
	code, out, errOut = runSuitkit(append(append([]string{"process", "--json", "--key", pub, "--device", dev}, ids...), signedP)...)
	if err := json.Unmarshal([]byte(out), &p); code != 0 || err != nil || !p.Installed || !p.Committed || !digestRE.MatchString(p.Digest) ||
		len(p.Records) == 0 || len(p.Components) != 1 || !digestRE.MatchString(p.Components[0].Digest) {
		t.Fatalf("process --json: exit %d, %v, %+v (%s)", code, err, p, errOut)
	}
	if p.Digest != verifiedDigest {
		t.Errorf("process and verify name the manifest differently")
	}
	p = processJSON{}
	code, out, _ = runSuitkit(append(append([]string{"process", "--json", "--key", pub, "--device", dev}, ids...), signedP)...)
	if err := json.Unmarshal([]byte(out), &p); code != 0 || err != nil || !p.Installed {
		t.Fatalf("reinstall: exit %d, %v, %+v", code, err, p)
	}
	os.WriteFile(unsignedP+"x", []byte("not an envelope"), 0o644)
	p = processJSON{}
	code, out, _ = runSuitkit(append(append([]string{"process", "--json", "--key", pub, "--device", dev}, ids...), unsignedP+"x")...)
	if err := json.Unmarshal([]byte(out), &p); code != 1 || err != nil || p.Installed || p.Error == "" || p.Digest != "" {
		t.Errorf("process --json rejected: exit %d, %v, %+v", code, err, p)
	}
}

// TestOneDigestFormat: sign, verify, process and demo print digests as
// sha-256:<hex> and in no other way.
func TestOneDigestFormat(t *testing.T) {
	dir := t.TempDir()
	unsigned, _, priv, pub := bigSigned(t, dir, 256)
	in, out := filepath.Join(dir, "u.suit"), filepath.Join(dir, "s.suit")
	os.WriteFile(in, unsigned, 0o644)
	other := regexp.MustCompile(`sha256:|-16:|alg-?[0-9]|digest-algorithm`)
	oneForm := regexp.MustCompile(`sha-256:[0-9a-f]{64}`)
	for _, args := range [][]string{
		{"sign", "--key", priv, "--in", in, "--out", out},
		{"verify", "--key", pub, out},
		{"process", "--key", pub, "--device", filepath.Join(dir, "dev"), "--vendor-id", demoVendor.String(), "--class-id", demoClass.String(), out},
		{"process", "--key", pub, "--device", filepath.Join(dir, "dev"), in},
	} {
		_, o, e := runSuitkit(args...)
		if other.MatchString(o+e) || (args[0] != "process" || args[len(args)-1] == out) && !oneForm.MatchString(o) {
			t.Errorf("%s: digests not printed as sha-256:<hex>: %s%s", args[0], o, e)
		}
	}
}

// TestFlagValuesCaseInsensitive: values naming algorithms or formats
// are accepted in any case.
func TestFlagValuesCaseInsensitive(t *testing.T) {
	dir := t.TempDir()
	unsigned, signed, priv, _ := bigSigned(t, dir, 64)
	in, s := filepath.Join(dir, "u.suit"), filepath.Join(dir, "s.suit")
	os.WriteFile(in, unsigned, 0o644)
	os.WriteFile(s, signed, 0o644)
	img := filepath.Join(dir, "img")
	os.WriteFile(img, []byte("image"), 0o644)
	for _, args := range [][]string{
		{"show", "--format", "JSON", s},
		{"show", "--format", "Diag", s},
		{"keygen", "--alg", "es256", "--format", "PEM", "--out", filepath.Join(dir, "k1")},
		{"keygen", "--alg", "hmac-256", "--out", filepath.Join(dir, "k2")},
		{"sign", "--key", priv, "--alg", "es256", "--in", in, "--out", filepath.Join(dir, "o1")},
		{"sever", "--in", in, "--out", filepath.Join(dir, "o2"), "--digest-alg", "SHA-384", "--element", "ALL"},
		{"diff", "--format", "BSDIFF40", img, img, filepath.Join(dir, "p")},
	} {
		if code, _, e := runSuitkit(args...); code != 0 {
			t.Errorf("%q: exit %d %s", args, code, e)
		}
	}
}

// TestOutputFileModes: every output is 0644 except private keys and
// secrets, 0600.
func TestOutputFileModes(t *testing.T) {
	dir := t.TempDir()
	unsigned, _, priv, _ := bigSigned(t, dir, 64)
	in := filepath.Join(dir, "u.suit")
	os.WriteFile(in, unsigned, 0o644)
	spec := filepath.Join(dir, "s.json")
	os.WriteFile(spec, []byte(`{"suit-manifest": {"suit-manifest-version": 1, "suit-manifest-sequence-number": 0, "suit-common": {"suit-components": [["00"]]}}}`), 0o644)
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, args := range [][]string{
		{"keygen", "--alg", "ES256", "--out", p("k"), "--pub", p("k.pub")},
		{"keygen", "--alg", "HMAC-256", "--out", p("mac")},
		{"create", "--allow-no-compatibility-check", "--in", spec, "--out", p("created.suit")},
		{"sign", "--key", priv, "--in", in, "--out", p("signed.suit")},
		{"sever", "--in", in, "--out", p("severed.suit")},
		{"diff", in, p("signed.suit"), p("patch")},
		{"patch", in, p("patch"), p("patched")},
		{"demo", "--dir", p("demo")},
	} {
		if code, _, e := runSuitkit(args...); code != 0 {
			t.Fatalf("%q: exit %d %s", args, code, e)
		}
	}
	for name, want := range map[string]os.FileMode{
		"k": 0o600, "mac": 0o600, "demo/keys/signing.pem": 0o600,
		"k.pub": 0o644, "created.suit": 0o644, "signed.suit": 0o644, "severed.suit": 0o644, "patch": 0o644, "patched": 0o644,
		"demo/keys/signing.pub.pem": 0o644,
	} {
		st, err := os.Stat(p(name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", name, st.Mode().Perm(), err, want)
		}
	}
}

// TestSignRefusesSecondBlockBySameKey: signing an envelope again with a
// key that already signed it, or naming one key twice, is refused and
// writes nothing; another key adds its block.
func TestSignRefusesSecondBlockBySameKey(t *testing.T) {
	dir := t.TempDir()
	_, signed, priv, _ := bigSigned(t, dir, 64)
	s := filepath.Join(dir, "s.suit")
	os.WriteFile(s, signed, 0o644)
	mac := filepath.Join(dir, "mac")
	other, _ := signCLIKeygen(t, dir, "ES384")
	if code, _, e := runSuitkit("keygen", "--alg", "HMAC-256", "--out", mac); code != 0 {
		t.Fatal(e)
	}
	out := filepath.Join(dir, "o.suit")
	code, _, errOut := runSuitkit("sign", "--key", priv, "--in", s, "--out", out)
	if code != 1 || !strings.Contains(errOut, "already carries a block by --key "+priv) {
		t.Errorf("re-sign with the same key: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused sign wrote its output")
	}
	if code, _, errOut := runSuitkit("sign", "--key", other, "--key", other, "--in", s, "--out", out); code != 2 || !strings.Contains(errOut, "same key") {
		t.Errorf("one key twice: exit %d, %q", code, errOut)
	}
	// Another key and a MAC key add their blocks; then the MAC key again is refused.
	if code, out2, errOut := runSuitkit("sign", "--key", other, "--mac-key", mac, "--in", s, "--out", out); code != 0 || !strings.Contains(out2, "2 block(s) added (3 in total)") {
		t.Fatalf("other keys: exit %d, %s %s", code, out2, errOut)
	}
	if code, _, errOut := runSuitkit("sign", "--mac-key", mac, "--in", out, "--out", filepath.Join(dir, "o2.suit")); code != 1 || !strings.Contains(errOut, "--mac-key") {
		t.Errorf("re-MAC: exit %d, %q", code, errOut)
	}
}
