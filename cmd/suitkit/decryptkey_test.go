package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/encryption"
)

// TestLoadDecryptKeyForms: --decrypt-key reads a P-256 PEM (PKCS#8 and
// SEC1), an X25519 PKCS#8 PEM and raw 16-, 24- and 32-byte KEKs, and each
// loaded key opens encryption info made for it; a public key or a KEK of
// another size is refused.
func TestLoadDecryptKeyForms(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ec)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	xk, _ := ecdh.X25519().GenerateKey(rand.Reader)
	xder, _ := x509.MarshalPKCS8PrivateKey(xk)
	ecPub, _ := ec.PublicKey.ECDH()
	pubDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	cases := []struct {
		file string
		to   encryption.To
	}{
		{write("p256.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), encryption.To{Public: ecPub}},
		{write("p256-sec1.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})), encryption.To{Public: ecPub, Alg: encryption.ECDHESA256KW}},
		{write("x25519.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: xder})), encryption.To{Public: xk.PublicKey()}},
		{write("kek16", bytes.Repeat([]byte{1}, 16)), encryption.To{KEK: bytes.Repeat([]byte{1}, 16)}},
		{write("kek24", bytes.Repeat([]byte{2}, 24)), encryption.To{KEK: bytes.Repeat([]byte{2}, 24)}},
		{write("kek32", bytes.Repeat([]byte{3}, 32)), encryption.To{KEK: bytes.Repeat([]byte{3}, 32)}},
	}
	for _, c := range cases {
		rks, err := loadDecryptKeys([]string{c.file})
		if err != nil || len(rks) != 1 {
			t.Fatalf("%s: %v", filepath.Base(c.file), err)
		}
		ct, info, err := encryption.Encrypt([]byte("image"), &encryption.EncryptOptions{Recipients: []encryption.To{c.to}})
		if err != nil {
			t.Fatal(err)
		}
		cek, err := info.ContentKey(rks[0])
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(c.file), err)
		}
		if got, err := info.Decrypt(cek, ct); err != nil || string(got) != "image" {
			t.Fatalf("%s: %v", filepath.Base(c.file), err)
		}
	}
	for _, bad := range []string{
		write("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		write("kek20", bytes.Repeat([]byte{4}, 20)),
	} {
		if _, err := loadDecryptKeys([]string{bad}); err == nil {
			t.Errorf("%s accepted", filepath.Base(bad))
		}
	}
}
