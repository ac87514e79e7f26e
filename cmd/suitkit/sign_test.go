package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/veraison/go-cose"
)

func signCLIKeygen(t *testing.T, dir, alg string) (key, pub string) {
	t.Helper()
	key, pub = filepath.Join(dir, alg+".key"), filepath.Join(dir, alg+".pub")
	if code, _, stderr := runSuitkit("keygen", "--alg", alg, "--out", key, "--pub", pub); code != 0 {
		t.Fatal(stderr)
	}
	return key, pub
}

func signCLIPub(t *testing.T, name string) *keys.Key {
	t.Helper()
	k, err := keys.ParsePEM(signCLIRead(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// One block per key, in order, plus one COSE_Mac0 per --mac-key; the IETF
// key signs with ES256 by default and reproduces example-2's structure.
func TestSignCLIMultipleKeysAndMAC(t *testing.T) {
	in := testshared.ConformancePath(t, "example-2-unsigned.suit")
	dir := t.TempDir()
	edKey, edPub := signCLIKeygen(t, dir, "Ed25519")
	secret := filepath.Join(dir, "mac.key")
	if err := os.WriteFile(secret, bytes.Repeat([]byte{9}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "signed.suit")
	code, stdout, stderr := runSuitkit("sign", "--key", testshared.ConformancePath(t, "private_key.pem"), "--key", edKey, "--mac-key", secret, "--in", in, "--out", out)
	if code != 0 || !strings.Contains(stdout, "3 block(s) added") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	env := signCLIParse(t, out)
	if len(env.Authentication.Blocks) != 3 {
		t.Fatalf("%d blocks", len(env.Authentication.Blocks))
	}
	ietfPub := signCLIPub(t, testshared.ConformancePath(t, "public_key.pem"))
	signCLIVerifyBlock(t, env, 0, keys.ES256, ietfPub.Public)
	signCLIVerifyBlock(t, env, 1, keys.Ed25519, signCLIPub(t, edPub).Public)
	if env.Authentication.Blocks[2][0] != 0xd1 {
		t.Fatal("third block is not a COSE_Mac0")
	}
	// Same bytes as the draft's example-2 except the first block's signature
	// and the two extra blocks: compare the one-key result instead.
	one := filepath.Join(dir, "one.suit")
	if code, _, stderr := runSuitkit("sign", "--key", testshared.ConformancePath(t, "private_key.pem"), "--in", in, "--out", one); code != 0 {
		t.Fatal(stderr)
	}
	got, want := signCLIRead(t, one), signCLIRead(t, testshared.ConformancePath(t, "example-2.suit"))
	sig := bytes.Index(want, []byte{0xa0, 0xf6, 0x58, 0x40}) + 4 // the signature bstr content
	if sig < 4 || len(got) != len(want) || !bytes.Equal(got[:sig], want[:sig]) || !bytes.Equal(got[sig+64:], want[sig+64:]) {
		t.Fatal("signing example-2-unsigned does not reproduce example-2 outside the signature")
	}
}

func TestSignCLICOSESignBlock(t *testing.T) {
	in := testshared.ConformancePath(t, "example-3-unsigned.suit")
	dir := t.TempDir()
	k1, p1 := signCLIKeygen(t, dir, "ES384")
	k2, p2 := signCLIKeygen(t, dir, "Ed25519")
	out := filepath.Join(dir, "o.suit")
	if code, _, stderr := runSuitkit("sign", "--cose-sign", "--key", k1, "--key", k2, "--in", in, "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	env := signCLIParse(t, out)
	if len(env.Authentication.Blocks) != 1 {
		t.Fatalf("%d blocks", len(env.Authentication.Blocks))
	}
	var msg cose.SignMessage
	if err := msg.UnmarshalCBOR(env.Authentication.Blocks[0]); err != nil {
		t.Fatal(err)
	}
	for i, v := range []signCLIVerifier{{keys.ES384, signCLIPub(t, p1).Public}, {keys.Ed25519, signCLIPub(t, p2).Public}} {
		if err := msg.Signatures[i].Verify(v, msg.Headers.RawProtected, env.Authentication.DigestBytes, nil); err != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
	}
}

// A manifest changed after its digest was computed is refused (TOCTOU).
func TestSignCLIRefusesStaleDigest(t *testing.T) {
	data := signCLIRead(t, testshared.ConformancePath(t, "example-0-unsigned.suit"))
	// The sequence number (manifest key 2) is the byte after "a5 01 01 02".
	i := bytes.Index(data, []byte{0xa5, 0x01, 0x01, 0x02, 0x00})
	if i < 0 {
		t.Fatal("sequence number not found")
	}
	data = bytes.Clone(data)
	data[i+4] = 0x07
	dir := t.TempDir()
	in, out := filepath.Join(dir, "stale.suit"), filepath.Join(dir, "o.suit")
	os.WriteFile(in, data, 0o644)
	code, _, stderr := runSuitkit("sign", "--key", testshared.ConformancePath(t, "private_key.pem"), "--in", in, "--out", out)
	if code != 1 || !strings.Contains(stderr, "digest") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("output written despite the refusal")
	}
}

func TestSignCLIExitCodes(t *testing.T) {
	in := testshared.ConformancePath(t, "example-0-unsigned.suit")
	ietfKey := testshared.ConformancePath(t, "private_key.pem")
	dir := t.TempDir()
	out := filepath.Join(dir, "o.suit")
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("too short"), 0o600)
	notEnv := filepath.Join(dir, "not.suit")
	os.WriteFile(notEnv, []byte{0xd8, 0x6b, 0xa0}, 0o644)
	for _, tc := range []struct {
		code int
		args []string
	}{
		// A key file that cannot be used is a configuration error
		// (2), as in verify and process; only the envelope is judged (1).
		{2, []string{"sign", "--key", garbage, "--in", in, "--out", out}},
		{2, []string{"sign", "--mac-key", short, "--in", in, "--out", out}},
		{1, []string{"sign", "--key", ietfKey, "--in", notEnv, "--out", out}},
		{2, []string{"sign", "--key", testshared.ConformancePath(t, "public_key.pem"), "--in", in, "--out", out}},
		{2, []string{"sign", "--key", ietfKey, "--alg", "ES384", "--in", in, "--out", out}},
		{2, []string{"sign", "--key", ietfKey, "--alg", "nope", "--in", in, "--out", out}},
		{2, []string{"sign", "--in", in, "--out", out}},
		{2, []string{"sign", "--key", ietfKey, "--out", out}},
		{2, []string{"sign", "--key", filepath.Join(dir, "missing"), "--in", in, "--out", out}},
		{2, []string{"sign", "--key", ietfKey, "--in", filepath.Join(dir, "missing"), "--out", out}},
		{2, []string{"sign", "--cose-sign", "--mac-key", garbage, "--in", in, "--out", out}},
	} {
		code, _, stderr := runSuitkit(tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
		}
		if code == 1 && strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: rejection is not one line: %q", tc.args, stderr)
		}
	}
}

// End to end: what keygen + sign (+ sever --strip) produce is accepted by
// `suitkit verify` with the matching public key or secret, and rejected
// once a signed byte changes.
func TestSignCLIOutputPassesSuitkitVerify(t *testing.T) {
	in := testshared.ConformancePath(t, "example-2-unsigned.suit")
	dir := t.TempDir()
	for _, alg := range []string{"ES256", "ESP256", "ES384", "ESP384", "ES512", "ESP512", "Ed25519", "EdDSA", "HMAC-256"} {
		t.Run(alg, func(t *testing.T) {
			key, pub := filepath.Join(dir, alg+".key"), filepath.Join(dir, alg+".pub")
			args := []string{"keygen", "--alg", alg, "--out", key}
			signArgs := []string{"sign", "--mac-key", key}
			verifyArgs := []string{"verify", "--mac-key", key}
			if alg != "HMAC-256" {
				args = append(args, "--pub", pub)
				signArgs = []string{"sign", "--key", key, "--alg", alg}
				verifyArgs = []string{"verify", "--key", pub}
			}
			if code, _, stderr := runSuitkit(args...); code != 0 {
				t.Fatal(stderr)
			}
			signed, stripped := filepath.Join(dir, alg+".suit"), filepath.Join(dir, alg+"-stripped.suit")
			if code, _, stderr := runSuitkit(append(signArgs, "--in", in, "--out", signed)...); code != 0 {
				t.Fatal(stderr)
			}
			if code, _, stderr := runSuitkit("sever", "--strip", "--in", signed, "--out", stripped); code != 0 {
				t.Fatal(stderr)
			}
			for _, f := range []string{signed, stripped} {
				if code, stdout, stderr := runSuitkit(append(verifyArgs, f)...); code != 0 {
					t.Fatalf("verify %s: exit %d %s %s", filepath.Base(f), code, stdout, stderr)
				}
			}
			data := signCLIRead(t, signed)
			data[len(data)/3] ^= 1 // inside the manifest
			tampered := filepath.Join(dir, alg+"-tampered.suit")
			os.WriteFile(tampered, data, 0o644)
			if code, _, _ := runSuitkit(append(verifyArgs, tampered)...); code != 1 {
				t.Fatalf("tampered envelope: exit %d, want 1", code)
			}
		})
	}
	t.Run("COSE_Sign", func(t *testing.T) {
		sub := t.TempDir()
		k1, p1 := signCLIKeygen(t, sub, "ES256")
		k2, _ := signCLIKeygen(t, sub, "Ed25519")
		out := filepath.Join(sub, "multi.suit")
		if code, _, stderr := runSuitkit("sign", "--cose-sign", "--key", k1, "--key", k2, "--in", in, "--out", out); code != 0 {
			t.Fatal(stderr)
		}
		if code, stdout, stderr := runSuitkit("verify", "--key", p1, out); code != 0 {
			t.Fatalf("verify COSE_Sign: exit %d %s %s", code, stdout, stderr)
		}
	})
}
