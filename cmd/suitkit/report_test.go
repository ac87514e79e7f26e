package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI's report flow: a device writes a sealed report with process
// --report, the server checks it with report verify, shows it as a tree and
// as JSON; a tampered report or the wrong nonce exits 1.
func TestProcessReportAndReportVerify(t *testing.T) {
	src := filepath.Join(t.TempDir(), "demo")
	if code, out, errOut := runSuitkit("demo", "--dir", src); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	tmp := t.TempDir()
	devKey, devPub := filepath.Join(tmp, "device.pem"), filepath.Join(tmp, "device.pub.pem")
	if code, _, errOut := runSuitkit("keygen", "--alg", "ES256", "--out", devKey, "--pub", devPub); code != 0 {
		t.Fatalf("keygen: %s", errOut)
	}
	key := filepath.Join(src, "keys/signing.pub.pem")
	dev := filepath.Join(tmp, "dev")
	rep := filepath.Join(tmp, "v1.report")
	env := filepath.Join(src, "v1.suit")
	process := func(env, out string) (int, string) {
		code, stdout, errOut := runSuitkit("process", "--key", key, "--decrypt-key", filepath.Join(src, "keys/device-decrypt.pem"), "--device", dev, "--vendor-id", demoVendor.String(),
			"--class-id", demoClass.String(), "--report", out, "--report-key", devKey, "--nonce", "0a0b0c0d", env)
		return code, stdout + errOut
	}
	if code, out := process(env, rep); code != 0 || !strings.Contains(out, "report written to") {
		t.Fatalf("process: %d\n%s", code, out)
	}
	code, out, errOut := runSuitkit("report", "verify", "--key", devPub, "--envelope", env, "--nonce", "0a0b0c0d", rep)
	if code != 0 || !strings.Contains(out, "outcome:   installed") || !strings.Contains(out, "verified") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runSuitkit("report", "show", "--json", rep)
	if code != 0 {
		t.Fatalf("show --json: exit %d", code)
	}
	var j struct {
		Verified bool   `json:"verified"`
		Outcome  string `json:"outcome"`
		Nonce    string `json:"nonce"`
		Records  []struct {
			Kind string `json:"kind"`
		} `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil || j.Verified || j.Outcome != "installed" || j.Nonce != "0a0b0c0d" || len(j.Records) == 0 {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	// The wrong nonce, another manifest, a tampered report: exit 1.
	if code, _, errOut := runSuitkit("report", "verify", "--key", devPub, "--nonce", "ffff", rep); code != 1 || !strings.Contains(errOut, "nonce") {
		t.Errorf("stale nonce: exit %d %s", code, errOut)
	}
	if code, _, errOut := runSuitkit("report", "verify", "--key", devPub, "--envelope", filepath.Join(src, "v2-delta.suit"), rep); code != 1 {
		t.Errorf("other manifest: exit %d %s", code, errOut)
	}
	b, _ := os.ReadFile(rep)
	b[len(b)/2] ^= 0x40
	bad := filepath.Join(tmp, "bad.report")
	os.WriteFile(bad, b, 0o644)
	if code, _, errOut := runSuitkit("report", "verify", "--key", devPub, bad); code != 1 {
		t.Errorf("tampered: exit %d %s", code, errOut)
	}
	// verify without a key is a usage error.
	if code, _, _ := runSuitkit("report", "verify", rep); code != 2 {
		t.Errorf("verify without key: exit %d", code)
	}
	// A rejected install (rollback after v2) still writes a report that
	// names the refused manifest.
	if code, out := process(filepath.Join(src, "v2-delta.suit"), filepath.Join(tmp, "v2.report")); code != 0 {
		t.Fatalf("v2: %d\n%s", code, out)
	}
	rb := filepath.Join(tmp, "rollback.report")
	if code, _ := process(env, rb); code != 1 {
		t.Fatalf("rollback: exit %d", code)
	}
	code, out, errOut = runSuitkit("report", "verify", "--key", devPub, "--envelope", env, "--nonce", "0a0b0c0d", rb)
	if code != 0 || !strings.Contains(out, "outcome:   rejected") || !strings.Contains(out, "unauthorised") {
		t.Fatalf("rollback report: exit %d\n%s%s", code, out, errOut)
	}
}

func TestProcessEncryptedReport(t *testing.T) {
	src := filepath.Join(t.TempDir(), "demo")
	if code, out, errOut := runSuitkit("demo", "--dir", src); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	tmp := t.TempDir()
	devKey, devPub, ek := filepath.Join(tmp, "d.pem"), filepath.Join(tmp, "d.pub.pem"), filepath.Join(tmp, "report.aes")
	if code, _, errOut := runSuitkit("keygen", "--alg", "Ed25519", "--out", devKey, "--pub", devPub); code != 0 {
		t.Fatalf("keygen: %s", errOut)
	}
	os.WriteFile(ek, []byte("0123456789abcdef0123456789abcdef"), 0o600)
	rep := filepath.Join(tmp, "r.cose")
	code, out, errOut := runSuitkit("process", "--key", filepath.Join(src, "keys/signing.pub.pem"), "--device", filepath.Join(tmp, "dev"),
		"--vendor-id", demoVendor.String(), "--class-id", demoClass.String(), "--report", rep, "--report-key", devKey,
		"--report-encryption-key", ek, filepath.Join(src, "v1.suit"))
	if code != 0 {
		t.Fatalf("process: %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := runSuitkit("report", "verify", "--key", devPub, rep); code != 1 {
		t.Errorf("verify without the decryption key: exit %d", code)
	}
	code, out, errOut = runSuitkit("report", "verify", "--key", devPub, "--decrypt-key", ek, "--envelope", filepath.Join(src, "v1.suit"), rep)
	if code != 0 || !strings.Contains(out, "outcome:   installed") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
}
