package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// example-2 --strip--> example-2-severed and back, byte for byte, through
// detached element files and through --from.
func TestSeverStripAndAttachRoundTripExample2(t *testing.T) {
	full := testshared.ConformancePath(t, "example-2.suit")
	dir := t.TempDir()
	stripped, detach := filepath.Join(dir, "stripped.suit"), filepath.Join(dir, "elements")
	code, stdout, stderr := runSuitkit("sever", "--strip", "--detach-dir", detach, "--in", full, "--out", stripped)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "severed ") || !strings.Contains(stdout, "stripped install") {
		t.Fatalf("unexpected report: %s", stdout)
	}
	if !bytes.Equal(signCLIRead(t, stripped), signCLIRead(t, testshared.ConformancePath(t, "example-2-severed.suit"))) {
		t.Fatal("stripped example-2 != example-2-severed")
	}
	back := filepath.Join(dir, "back.suit")
	code, _, stderr = runSuitkit("attach", "--in", stripped, "--out", back,
		"--element", "install="+filepath.Join(detach, "install.cbor"), "--element", "text="+filepath.Join(detach, "text.cbor"))
	if code != 0 {
		t.Fatalf("attach exit %d: %s", code, stderr)
	}
	if !bytes.Equal(signCLIRead(t, back), signCLIRead(t, full)) {
		t.Fatal("attached envelope != example-2")
	}
	from := filepath.Join(dir, "from.suit")
	if code, _, stderr := runSuitkit("attach", "--in", stripped, "--from", full, "--out", from); code != 0 {
		t.Fatal(stderr)
	}
	if !bytes.Equal(signCLIRead(t, from), signCLIRead(t, full)) {
		t.Fatal("attach --from != example-2")
	}
	// A swapped element (text offered as install) is rejected.
	bad := filepath.Join(dir, "bad.suit")
	code, _, stderr = runSuitkit("attach", "--in", stripped, "--out", bad, "--element", "install="+filepath.Join(detach, "text.cbor"))
	if code != 1 || !strings.Contains(stderr, "digest") {
		t.Fatalf("swapped element: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Fatal("output written for a rejected attach")
	}
}

// signCLIInline writes example 2 with install and text inline (unsigned).
func signCLIInline(t *testing.T, dir string) string {
	t.Helper()
	env, err := suit.Decode(signCLIRead(t, testshared.ConformancePath(t, "example-2.suit")), nil)
	if err != nil {
		t.Fatal(err)
	}
	env.Manifest.Install.Digest, env.Manifest.Text.Digest = nil, nil
	mb, err := env.Manifest.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	enc, err := (&suit.Envelope{Tagged: true, ManifestBytes: mb, Authentication: &suit.Authentication{Digest: d}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "inline.suit")
	os.WriteFile(p, enc, 0o644)
	return p
}

// Author flow: sever the inline manifest, sign, strip for distribution.
func TestSeverThenSignReproducesExample2(t *testing.T) {
	dir := t.TempDir()
	inline := signCLIInline(t, dir)
	severed := filepath.Join(dir, "severed.suit")
	code, stdout, stderr := runSuitkit("sever", "--in", inline, "--out", severed)
	if code != 0 || !strings.Contains(stdout, "severed install") || !strings.Contains(stdout, "severed text") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if !bytes.Equal(signCLIRead(t, severed), signCLIRead(t, testshared.ConformancePath(t, "example-2-unsigned.suit"))) {
		t.Fatal("severed inline example 2 != example-2-unsigned")
	}
	// Severing a signed inline envelope needs --drop-signatures.
	signedInline := filepath.Join(dir, "signed-inline.suit")
	if code, _, stderr := runSuitkit("sign", "--key", testshared.ConformancePath(t, "private_key.pem"), "--in", inline, "--out", signedInline); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "o.suit")
	code, _, stderr = runSuitkit("sever", "--element", "text", "--in", signedInline, "--out", out)
	if code != 1 || !strings.Contains(stderr, "signed") {
		t.Fatalf("sever signed: exit %d %s", code, stderr)
	}
	code, stdout, _ = runSuitkit("sever", "--element", "text", "--drop-signatures", "--in", signedInline, "--out", out)
	if code != 0 || !strings.Contains(stdout, "dropped") {
		t.Fatalf("sever --drop-signatures: exit %d %s", code, stdout)
	}
	env := signCLIParse(t, out)
	if len(env.Authentication.Blocks) != 0 || env.Severed[23] == nil || env.Severed[20] != nil {
		t.Fatal("wrong result of severing text with dropped signatures")
	}
}

func TestAttachCLIAddsIntegratedPayload(t *testing.T) {
	dir := t.TempDir()
	fw := filepath.Join(dir, "fw.bin")
	os.WriteFile(fw, []byte("image bytes"), 0o644)
	out := filepath.Join(dir, "o.suit")
	in := testshared.ConformancePath(t, "example-1.suit")
	if code, _, stderr := runSuitkit("attach", "--in", in, "--out", out, "--payload", "#fw.bin="+fw); code != 0 {
		t.Fatal(stderr)
	}
	env, orig := signCLIParse(t, out), signCLIParse(t, in)
	if string(env.Integrated["#fw.bin"]) != "image bytes" || !bytes.Equal(env.Authentication.Blocks[0], orig.Authentication.Blocks[0]) {
		t.Fatal("payload missing or signature changed")
	}
	if code, _, _ := runSuitkit("attach", "--in", in, "--out", out, "--payload", "fw.bin="+fw); code != 1 {
		t.Fatalf("name without #: exit %d", code)
	}
}

func TestSeverAttachExitCodes(t *testing.T) {
	dir := t.TempDir()
	in := testshared.ConformancePath(t, "example-0.suit")
	out := filepath.Join(dir, "o.suit")
	junk := filepath.Join(dir, "junk.suit")
	os.WriteFile(junk, []byte("junk"), 0o644)
	for _, tc := range []struct {
		code int
		args []string
	}{
		{1, []string{"sever", "--element", "install", "--in", in, "--out", out}}, // example 0 has no install
		{1, []string{"sever", "--in", junk, "--out", out}},
		{1, []string{"attach", "--in", in, "--out", out, "--from", junk}},
		{1, []string{"attach", "--in", in, "--out", out, "--element", "install=" + junk}},
		{2, []string{"sever", "--element", "validate", "--in", in, "--out", out}},
		{2, []string{"sever", "--digest-alg", "md5", "--in", in, "--out", out}},
		{2, []string{"sever", "--in", in}},
		{2, []string{"sever", "--in", filepath.Join(dir, "missing"), "--out", out}},
		{2, []string{"attach", "--in", in, "--out", out}},
		{2, []string{"attach", "--in", in, "--out", out, "--element", "install"}},
		{2, []string{"attach", "--in", in, "--out", out, "--element", "bogus=x"}},
		{2, []string{"attach", "--in", in, "--out", out, "--payload", "=x"}},
		{2, []string{"attach", "--in", in, "--out", out, "--element", "install=" + filepath.Join(dir, "missing")}},
	} {
		code, _, stderr := runSuitkit(tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
		}
	}
	// Nothing to sever is not an error, and the output equals the input.
	if code, _, _ := runSuitkit("sever", "--in", in, "--out", out); code != 0 || !bytes.Equal(signCLIRead(t, out), signCLIRead(t, in)) {
		t.Fatal("no-op sever changed the envelope")
	}
}
