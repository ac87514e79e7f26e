package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
)

// TestMACKeyRefusesAsymmetricKeys (issue 9 item 2): on main (9d84ca8)
// `suitkit sign --mac-key k.pub.pem` and `suitkit verify --mac-key
// k.pub.pem` used the public key file as the HMAC secret, so anyone with
// the public key could forge. Every asymmetric form is refused as a MAC
// key with ErrKeyType, whatever its length.
func TestMACKeyRefusesAsymmetricKeys(t *testing.T) {
	forms := map[string][]byte{}
	for _, alg := range []Algorithm{ES256, ES384, ES512, Ed25519} {
		k, _ := GenerateKey(alg)
		n := alg.String()
		forms[n+" PKIX PEM"], _ = k.MarshalPublicPEM()
		forms[n+" PKCS#8 PEM"], _ = k.MarshalPEM()
		forms[n+" COSE_Key"], _ = k.MarshalCOSEKey()
		po, _ := k.PublicOnly()
		forms[n+" public COSE_Key"], _ = po.MarshalCOSEKey()
		forms[n+" PKIX DER"], _ = x509.MarshalPKIXPublicKey(k.Public)
		forms[n+" PKCS#8 DER"], _ = x509.MarshalPKCS8PrivateKey(k.Signer)
		if p, ok := k.Signer.(*ecdsa.PrivateKey); ok {
			forms[n+" SEC1 PEM"], _ = k.MarshalSEC1PEM()
			forms[n+" SEC1 DER"], _ = x509.MarshalECPrivateKey(p)
		}
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	forms["RSA PKCS#1 DER"] = x509.MarshalPKCS1PrivateKey(rsaKey)
	forms["RSA PKCS#1 public DER"] = x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)
	forms["certificate PEM"] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: bytes.Repeat([]byte{1}, 64)})
	forms["leading blank PEM"] = append([]byte("\n  "), forms["ES256 PKIX PEM"]...)
	forms["OpenSSH public key"] = []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n")
	forms["OpenSSH ECDSA key"] = []byte("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEw= user@host\n")
	forms["RSA COSE_Key"] = []byte{0xa3, 0x01, 0x03, 0x20, 0x58, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21, 0x43, 1, 0, 1}
	for name, data := range forms {
		k, err := ParseMACKey(data)
		if k != nil || !errors.Is(err, ErrKey) || !errors.Is(err, ErrKeyType) {
			t.Errorf("ParseMACKey(%s) = %v, %v; want ErrKeyType", name, k, err)
		}
		if err := CheckMACSecret(data); !errors.Is(err, ErrKeyType) {
			t.Errorf("CheckMACSecret(%s) = %v; want ErrKeyType", name, err)
		}
	}
}

// TestMACKeyLength: a secret shorter than 32 bytes (or longer than 1024)
// is refused with ErrWeakSecret, raw or in a COSE_Key.
func TestMACKeyLength(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31, MaxMACKeySize + 1} {
		if _, err := ParseMACKey(bytes.Repeat([]byte{0x77}, n)); !errors.Is(err, ErrWeakSecret) || !errors.Is(err, ErrKey) {
			t.Errorf("%d-byte raw secret: %v", n, err)
		}
		if n == 0 {
			continue
		}
		ck, err := (&Key{Secret: bytes.Repeat([]byte{0x77}, n)}).MarshalCOSEKey()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseMACKey(ck); !errors.Is(err, ErrKey) {
			t.Errorf("%d-byte COSE_Key secret: %v", n, err)
		}
	}
	for _, n := range []int{MinMACKeySize, 64, MaxMACKeySize} {
		secret := bytes.Repeat([]byte{0x77}, n)
		k, err := ParseMACKey(secret)
		if err != nil || !bytes.Equal(k.Secret, secret) || !k.IsSymmetric() {
			t.Errorf("%d-byte raw secret refused: %v", n, err)
		}
	}
	if _, err := ParseMACKey(make([]byte, MaxKeyFileSize+1)); !errors.Is(err, ErrKey) {
		t.Errorf("oversized file: %v", err)
	}
}

// TestMACKeyFromCOSEKey: a symmetric COSE_Key gives its k, with kid and
// alg; its encoding itself is not a raw secret.
func TestMACKeyFromCOSEKey(t *testing.T) {
	for _, alg := range []Algorithm{HMAC256, HMAC384, HMAC512} {
		g, _ := GenerateKey(alg)
		g.KeyID = []byte("device-1")
		ck, _ := g.MarshalCOSEKey()
		k, err := ParseMACKey(ck)
		if err != nil || !bytes.Equal(k.Secret, g.Secret) || k.Algorithm != alg || string(k.KeyID) != "device-1" {
			t.Fatalf("%v: %v %v", alg, k, err)
		}
		if err := CheckMACSecret(ck); !errors.Is(err, ErrKeyType) {
			t.Errorf("%v: a COSE_Key file as raw secret bytes: %v", alg, err)
		}
	}
	// A generated raw secret (random bytes) is taken as is.
	g, _ := GenerateKey(HMAC256)
	if k, err := ParseMACKey(g.Secret); err != nil || !bytes.Equal(k.Secret, g.Secret) {
		t.Fatalf("raw secret: %v", err)
	}
}

// TestKeyFileKinds: where an asymmetric key is expected, a raw secret is
// refused with ErrKeyType (the CLI turns this into "use --mac-key"), and
// ParsePublicKey refuses secrets and private keys.
func TestKeyFileKinds(t *testing.T) {
	secret, _ := GenerateKey(HMAC256)
	for name, data := range map[string][]byte{
		"raw secret": secret.Secret,
		"text":       []byte("correct horse battery staple, a passphrase"),
		"empty":      nil,
	} {
		if _, err := ParseKey(data); !errors.Is(err, ErrKeyType) {
			t.Errorf("ParseKey(%s): %v; want ErrKeyType", name, err)
		}
	}
	p256, _ := GenerateKey(ES256)
	privPEM, _ := p256.MarshalPEM()
	privCOSE, _ := p256.MarshalCOSEKey()
	symCOSE, _ := secret.MarshalCOSEKey()
	for name, data := range map[string][]byte{"private PEM": privPEM, "private COSE_Key": privCOSE, "symmetric COSE_Key": symCOSE, "raw secret": secret.Secret} {
		if k, err := ParsePublicKey(data); k != nil || !errors.Is(err, ErrKeyType) {
			t.Errorf("ParsePublicKey(%s): %v; want ErrKeyType", name, err)
		}
	}
	pubPEM, _ := p256.MarshalPublicPEM()
	k, err := ParsePublicKey(pubPEM)
	if err != nil || k.IsPrivate() || !k.Public.(*ecdsa.PublicKey).Equal(p256.Public) {
		t.Fatalf("public PEM: %v", err)
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&p224.PublicKey)
	if _, err := ParsePublicKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); !errors.Is(err, ErrKey) {
		t.Errorf("P-224 public key: %v", err)
	}
}

// TestParsePublicKeyRejects: a trust anchor file must hold a public key
// (moved from verify, which no longer parses PEM itself).
func TestParsePublicKeyRejects(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(p256)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	for name, data := range map[string][]byte{
		"empty":       nil,
		"not PEM":     []byte("hello"),
		"private key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"RSA":         pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaDER}),
		"garbage DER": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0x01}}),
	} {
		if _, err := ParsePublicKey(data); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// TestRawSecretWithMapHeadIsNotAKeyFile: one random secret in eight starts
// with a CBOR map head (0xa0-0xbf). Given where an asymmetric key file is
// expected, it must still be recognised as "not a key file" (ErrKeyType),
// so that the CLI can point to --mac-key, not fail with a COSE_Key parse
// error. Every map-head first byte is tried, deterministically.
func TestRawSecretWithMapHeadIsNotAKeyFile(t *testing.T) {
	for first := 0xa0; first <= 0xbf; first++ {
		secret := bytes.Repeat([]byte{0x5a}, 32)
		secret[0] = byte(first)
		if _, err := ParseKey(secret); !errors.Is(err, ErrKeyType) {
			t.Errorf("secret starting %#x: ParseKey = %v, want ErrKeyType", first, err)
		}
		if _, err := ParsePublicKey(secret); !errors.Is(err, ErrKeyType) {
			t.Errorf("secret starting %#x: ParsePublicKey = %v, want ErrKeyType", first, err)
		}
		if k, err := ParseMACKey(secret); err != nil || !bytes.Equal(k.Secret, secret) {
			t.Errorf("secret starting %#x: ParseMACKey = %v", first, err)
		}
	}
}

// TestGeneratedSecretsAreNeverKeyFiles: GenerateKey redraws a secret that
// would be read as a key file of another kind.
func TestGeneratedSecretsAreNeverKeyFiles(t *testing.T) {
	for range 2000 {
		k, err := GenerateKey(HMAC256)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckMACSecret(k.Secret); err != nil {
			t.Fatalf("generated secret %x refused: %v", k.Secret, err)
		}
		if _, err := ParseKey(k.Secret); !errors.Is(err, ErrKeyType) {
			t.Fatalf("generated secret %x parses as a key file: %v", k.Secret, err)
		}
	}
}
