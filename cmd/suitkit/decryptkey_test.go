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
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/encryption"
)

// TestLoadDecryptKeyForms: --decrypt-key reads a P-256 PEM (PKCS#8 and
// SEC1), an X25519 PKCS#8 PEM, an X25519 COSE_Key (d, or d and x, with
// kid), a symmetric COSE_Key and raw 16-, 24- and 32-byte KEKs, and each
// loaded key opens encryption info made for it; a public key, a KEK of
// another size and a bad X25519 COSE_Key (d or x not 32 bytes, x that d
// does not derive, no d) are refused with the reason.
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
	xk2, _ := ecdh.X25519().GenerateKey(rand.Reader)
	xd, xx := xk2.Bytes(), xk2.PublicKey().Bytes()
	coseX := func(m map[any]any) []byte {
		b, err := cbor.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		file string
		to   encryption.To
	}{
		{write("p256.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), encryption.To{Public: ecPub}},
		{write("p256-sec1.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})), encryption.To{Public: ecPub, Alg: encryption.ECDHESA256KW}},
		{write("x25519.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: xder})), encryption.To{Public: xk.PublicKey()}},
		{write("x25519.cose", coseX(map[any]any{1: 1, -1: 4, -4: xd, -2: xx, 2: []byte("dev")})), encryption.To{Public: xk2.PublicKey(), KeyID: []byte("dev")}},
		{write("x25519-d.cose", coseX(map[any]any{1: 1, -1: 4, -4: xd})), encryption.To{Public: xk2.PublicKey(), Alg: encryption.ECDHESA256KW}},
		{write("kek.cose", coseX(map[any]any{1: 4, -1: bytes.Repeat([]byte{5}, 16), 2: []byte("k")})), encryption.To{KEK: bytes.Repeat([]byte{5}, 16), KeyID: []byte("k")}},
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
	other, _ := ecdh.X25519().GenerateKey(rand.Reader)
	for _, bad := range []struct{ file, says string }{
		{write("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})), "a public key cannot decrypt"},
		{write("kek20", bytes.Repeat([]byte{4}, 20)), "16, 24 or 32-byte key-encryption key"},
		{write("x-short-d.cose", coseX(map[any]any{1: 1, -1: 4, -4: xd[:31]})), "X25519 d must be 32 bytes, got 31"},
		{write("x-long-x.cose", coseX(map[any]any{1: 1, -1: 4, -4: xd, -2: append(bytes.Clone(xx), 1)})), "X25519 x must be 32 bytes, got 33"},
		{write("x-mismatch.cose", coseX(map[any]any{1: 1, -1: 4, -4: xd, -2: other.PublicKey().Bytes()})), "X25519 d does not match x"},
		{write("x-no-d.cose", coseX(map[any]any{1: 1, -1: 4, -2: xx})), "X25519 key has no d"},
		{write("kek20.cose", coseX(map[any]any{1: 4, -1: bytes.Repeat([]byte{6}, 20)})), "16, 24 or 32 bytes, not 20"},
	} {
		_, err := loadDecryptKeys([]string{bad.file})
		if err == nil || !strings.Contains(err.Error(), bad.says) || !strings.Contains(err.Error(), bad.file) {
			t.Errorf("%s: %v; want an error naming the file and saying %q", filepath.Base(bad.file), err, bad.says)
		}
	}
}
