package encryption

import (
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/keys"
)

// TestX25519COSEKeyRoundTrip: firmware encrypted for an X25519 recipient
// decrypts with the device key read from its COSE_Key form (kty OKP, crv
// X25519, d, x, kid) through package keys; a different X25519 key is not
// addressed (ErrNoKey).
func TestX25519COSEKeyRoundTrip(t *testing.T) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	coseKey, err := (&keys.Key{Agreement: priv, Public: priv.PublicKey(), KeyID: []byte("dev-x")}).MarshalCOSEKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.ParseKey(coseKey)
	if err != nil {
		t.Fatal(err)
	}
	if k.Agreement == nil {
		t.Fatal("X25519 COSE_Key parsed without its key-agreement key")
	}
	device := &ECDHKey{Private: k.Agreement, KeyID: k.KeyID}
	plain := []byte("firmware image for an X25519 device")
	for _, alg := range []Algorithm{ECDHESA128KW, ECDHESA256KW} {
		ct, info, err := Encrypt(plain, &EncryptOptions{Recipients: []To{{Public: priv.PublicKey(), Alg: alg, KeyID: []byte("dev-x")}}})
		if err != nil {
			t.Fatal(err)
		}
		cek, err := info.ContentKey(device)
		if err != nil {
			t.Fatalf("%v: %v", alg, err)
		}
		got, err := info.Decrypt(cek, ct)
		if err != nil || string(got) != string(plain) {
			t.Fatalf("%v: decrypt: %v", alg, err)
		}
		stranger, _ := ecdh.X25519().GenerateKey(rand.Reader)
		if _, err := info.ContentKey(&ECDHKey{Private: stranger, KeyID: []byte("other")}); !errors.Is(err, ErrNoKey) {
			t.Fatalf("%v: another key's kid: %v", alg, err)
		}
	}
}
