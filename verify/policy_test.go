package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"slices"
	"testing"

	"github.com/suitkit/suitkit/keys"
)

// TestNewKeyRejectsUnsupported (threats K3): RSA, P-224, malformed keys,
// algorithms that do not suit the key, and short HMAC secrets are refused
// when the trust anchor is created.
func TestNewKeyRejectsUnsupported(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	//lint:ignore SA1019 deliberately builds a point that is not on the curve
	offCurve := &ecdsa.PublicKey{Curve: elliptic.P256(), X: p256.X, Y: p256.X}
	for name, pub := range map[string]any{
		"RSA":              &rsaKey.PublicKey,
		"P-224":            &p224.PublicKey,
		"point off curve":  offCurve,
		"short Ed25519":    ed25519.PublicKey(make([]byte, 31)),
		"nil ECDSA":        (*ecdsa.PublicKey)(nil),
		"private key type": p256,
		"nil":              nil,
	} {
		if k, err := NewKey(pub, nil); err == nil || k != nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := NewKey(&p256.PublicKey, &Binding{Algorithms: []keys.Algorithm{keys.ES384}}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("ES384 on a P-256 key: %v", err)
	}
	if _, err := NewKey(&p256.PublicKey, &Binding{Algorithms: []keys.Algorithm{keys.HMAC256}}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("HMAC on a P-256 key: %v", err)
	}
	if _, err := NewMACKey(make([]byte, 15), nil); err == nil {
		t.Error("15-byte HMAC secret accepted")
	}
	if _, err := NewMACKey(make([]byte, 32), &Binding{Algorithms: []keys.Algorithm{keys.ES256}}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("ES256 on an HMAC key: %v", err)
	}
}

func TestKeyDefaultAlgorithms(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	cases := []struct {
		k    func() (*Key, error)
		want []keys.Algorithm
	}{
		{func() (*Key, error) { return NewKey(ietfKey(t).Public(), nil) }, []keys.Algorithm{keys.ES256, keys.ESP256}},
		{func() (*Key, error) { return NewKey(&p384.PublicKey, nil) }, []keys.Algorithm{keys.ES384, keys.ESP384}},
		{func() (*Key, error) { return NewKey(&p521.PublicKey, nil) }, []keys.Algorithm{keys.ES512, keys.ESP512}},
		{func() (*Key, error) { return NewKey(edPub, nil) }, []keys.Algorithm{keys.Ed25519, keys.EdDSA}},
		{func() (*Key, error) { return NewMACKey(make([]byte, 32), nil) }, []keys.Algorithm{keys.HMAC256}},
	}
	for i, c := range cases {
		k, err := c.k()
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Algorithms(); !slices.Equal(got, c.want) {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
	// The fingerprint is the SHA-256 of the PKIX encoding: the same key
	// parsed twice has the same one; an HMAC key's does not reveal the secret.
	a, b := ietfKey(t), ietfKey(t)
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("fingerprint differs for the same key")
	}
}

// TestNewMACKeyRefusesKeyFiles (issue 9 item 2): on main (9d84ca8)
// NewMACKey took any 16 bytes as a secret, a public key PEM included, so
// a device configured that way accepted MACs anyone with the public key
// could make. Key files of any kind and secrets shorter than 32 bytes are
// refused, with keys.ErrKeyType or keys.ErrWeakSecret.
func TestNewMACKeyRefusesKeyFiles(t *testing.T) {
	k, _ := keys.GenerateKey(keys.ES256)
	pubPEM, _ := k.MarshalPublicPEM()
	privPEM, _ := k.MarshalPEM()
	pubCOSE, _ := k.MarshalCOSEKey()
	sym, _ := keys.GenerateKey(keys.HMAC256)
	symCOSE, _ := sym.MarshalCOSEKey()
	for name, data := range map[string][]byte{"public PEM": pubPEM, "private PEM": privPEM, "EC2 COSE_Key": pubCOSE, "symmetric COSE_Key file": symCOSE} {
		if key, err := NewMACKey(data, nil); key != nil || !errors.Is(err, keys.ErrKeyType) {
			t.Errorf("%s as an HMAC secret: %v", name, err)
		}
	}
	for _, n := range []int{16, 31} {
		if _, err := NewMACKey(bytes.Repeat([]byte{0x42}, n), nil); !errors.Is(err, keys.ErrWeakSecret) {
			t.Errorf("%d-byte secret: %v", n, err)
		}
	}
	if _, err := NewMACKey(sym.Secret, nil); err != nil {
		t.Fatalf("a generated secret: %v", err)
	}
}
