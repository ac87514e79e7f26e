package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/internal/testshared"
)

// deviceHolds reports whether a file in dir holds want.
func deviceHolds(t *testing.T, dir string, want []byte) bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && bytes.Equal(b, want) {
			return true
		}
	}
	return false
}

// TestProcessDecryptsDraftExamples: `suitkit process --decrypt-key`
// installs the firmware-encryption draft's envelopes (AES-KW with a raw KEK
// file, ES-DH with the recipient's PEM key), fetching the ciphertext with
// --fetch; the draft's examples check no vendor or class, so they need
// --unsafe-skip-compatibility-check and are rejected without it.
func TestProcessDecryptsDraftExamples(t *testing.T) {
	dir := testshared.Dir(t, "conformance/encryption")
	tmp := t.TempDir()
	mac := filepath.Join(tmp, "mac.key")
	kek := filepath.Join(tmp, "kek.bin")
	if err := os.WriteFile(mac, bytes.Repeat([]byte{'a'}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kek, []byte("aaaaaaaaaaaaaaaa"), 0o600); err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile(filepath.Join(dir, "expected-plaintext.bin"))
	if err != nil {
		t.Fatal(err)
	}
	fetchArg := "coaps://example.com/encrypted-firmware=" + filepath.Join(dir, "encrypted-payload-aes-kw-aes-gcm.bin")
	cases := []struct {
		name string
		args []string
	}{
		{"aes-kw fetch and copy", []string{"--mac-key", mac, "--decrypt-key", kek, "--fetch", fetchArg, filepath.Join(dir, "suit-manifest-aes-kw.suit")}},
		{"aes-kw write", []string{"--mac-key", mac, "--decrypt-key", kek, filepath.Join(dir, "suit-manifest-aes-kw-content.suit")}},
		{"es-ecdh write", []string{"--key", filepath.Join(dir, "public_key.pem"), "--decrypt-key", filepath.Join(dir, "recipient_kid-2_private_key.pem"), filepath.Join(dir, "suit-manifest-es-ecdh-content.suit")}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dev := filepath.Join(tmp, "dev"+string(rune('a'+i)))
			args := append([]string{"process", "--device", dev}, c.args...)
			if code, _, errOut := runSuitkit(args...); code != 1 || !strings.Contains(errOut, "vendor") {
				t.Fatalf("without --unsafe-skip-compatibility-check: exit %d, %s", code, errOut)
			}
			args = append(args, "--unsafe-skip-compatibility-check")
			code, out, errOut := runSuitkit(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, errOut, out)
			}
			if !deviceHolds(t, dev, plain) {
				t.Fatalf("no component holds the plaintext:\n%s", out)
			}
		})
	}
	// Without the key: rejected, nothing decrypted.
	dev := filepath.Join(tmp, "nokey")
	code, _, errOut := runSuitkit("process", "--device", dev, "--mac-key", mac, "--unsafe-skip-compatibility-check", filepath.Join(dir, "suit-manifest-aes-kw-content.suit"))
	if code != 1 || !strings.Contains(errOut, "decrypt") {
		t.Fatalf("without --decrypt-key: exit %d, %s", code, errOut)
	}
	if deviceHolds(t, dev, plain) {
		t.Fatal("plaintext installed without the key")
	}
}

// TestEncryptCommand: `suitkit encrypt` for a KEK group, a P-256 device
// and an X25519 device; each decrypts the output with its own key.
func TestEncryptCommand(t *testing.T) {
	tmp := t.TempDir()
	img := filepath.Join(tmp, "fw.bin")
	plain := bytes.Repeat([]byte("firmware "), 1000)
	kek := bytes.Repeat([]byte{3}, 32)
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("fw.bin", plain)
	kekFile := write("kek.bin", kek)
	var privs []*ecdh.PrivateKey
	var pubFiles []string
	for i, c := range []ecdh.Curve{ecdh.P256(), ecdh.X25519()} {
		priv, err := c.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(priv.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		privs = append(privs, priv)
		pubFiles = append(pubFiles, write("pub"+string(rune('0'+i))+".pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	}
	for _, alg := range []string{"A128GCM", "A256GCM", "ChaCha20/Poly1305", "A128CTR", "A256CTR"} {
		t.Run(alg, func(t *testing.T) {
			out, info := filepath.Join(tmp, "fw.enc"), filepath.Join(tmp, "fw.info")
			code, stdout, errOut := runSuitkit("encrypt", "--alg", alg, "--kek", "group="+kekFile, "--recipient", "dev-1="+pubFiles[0], "--recipient", pubFiles[1], "--key-alg", "ECDH-ES+A256KW", "--out", out, "--info", info, img)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(stdout, "3 recipient") {
				t.Errorf("stdout %q", stdout)
			}
			ct, _ := os.ReadFile(out)
			raw, _ := os.ReadFile(info)
			parsed, err := encryption.ParseInfo(raw)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []encryption.RecipientKey{&encryption.KEK{Key: kek, KeyID: []byte("group")}, &encryption.ECDHKey{Private: privs[0], KeyID: []byte("dev-1")}, &encryption.ECDHKey{Private: privs[1]}} {
				cek, err := parsed.ContentKey(k)
				if err != nil {
					t.Fatal(err)
				}
				got, err := parsed.Decrypt(cek, ct)
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("decrypt: %v", err)
				}
			}
		})
	}
}
