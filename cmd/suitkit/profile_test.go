package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/internal/testshared"
)

// TestProfileFlag: sign, verify and encrypt restricted with --profile
// accept what the profile allows and refuse the rest (sign and encrypt
// before anything is written: exit 2; verify: exit 1).
func TestProfileFlag(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	os.WriteFile(p("in.suit"), testshared.Conformance(t, "example-3-unsigned.suit"), 0o644)
	if code, _, e := runCLI(t, "keygen", "--alg", "ESP256", "--out", p("k.pem"), "--pub", p("pub.pem")); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := runCLI(t, "sign", "--profile", "suit-sha256-ed25519-ecdh-a128ctr", "--key", p("k.pem"), "--in", p("in.suit"), "--out", p("x.suit")); code != 2 || !strings.Contains(e, "Ed25519") {
		t.Fatalf("ESP256 key under an Ed25519 profile: %d %s", code, e)
	}
	if _, err := os.Stat(p("x.suit")); err == nil {
		t.Fatal("refused sign wrote its output")
	}
	if code, _, e := runCLI(t, "sign", "--profile", "suit-sha256-esp256-ecdh-a128gcm", "--key", p("k.pem"), "--in", p("in.suit"), "--out", p("s.suit")); code != 0 {
		t.Fatalf("sign under its profile: %s", e)
	}
	if code, _, e := runCLI(t, "verify", "--profile", "suit-sha256-esp256-ecdh-a128gcm", "--key", p("pub.pem"), p("s.suit")); code != 0 {
		t.Fatalf("verify under its profile: %s", e)
	}
	if code, _, e := runCLI(t, "verify", "--profile", "suit-sha256-hsslms-a256kw-a256ctr", "--key", p("pub.pem"), p("s.suit")); code != 1 || !strings.Contains(e, "outside the profile") {
		t.Fatalf("verify under the HSS-LMS profile: %d %s", code, e)
	}
	if code, _, _ := runCLI(t, "verify", "--profile", "suit-sha256-es256", "--key", p("pub.pem"), p("s.suit")); code != 2 {
		t.Fatalf("unknown profile: exit %d", code)
	}
	os.WriteFile(p("fw.bin"), []byte("firmware"), 0o644)
	os.WriteFile(p("kek16"), make([]byte, 16), 0o600)
	os.WriteFile(p("kek32"), make([]byte, 32), 0o600)
	if code, _, e := runCLI(t, "encrypt", "--profile", "suit-sha256-hsslms-a256kw-a256ctr", "--kek", p("kek16"), "--out", p("ct"), "--info", p("info"), p("fw.bin")); code != 2 || !strings.Contains(e, "outside the profile") {
		t.Fatalf("A128KW under the A256KW profile: %d %s", code, e)
	}
	if code, _, e := runCLI(t, "encrypt", "--profile", "suit-sha256-hsslms-a256kw-a256ctr", "--kek", p("kek32"), "--out", p("ct"), "--info", p("info"), p("fw.bin")); code != 0 {
		t.Fatalf("encrypt under the profile: %s", e)
	}
	info, err := encryption.ParseInfo(signCLIRead(t, p("info")))
	if err != nil || info.Alg != encryption.A256CTR || info.Recipients[0].Alg != encryption.A256KW {
		t.Fatalf("profile defaults: %v %+v", err, info)
	}
}
