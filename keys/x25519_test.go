package keys

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// TestParseCOSEKeyX25519: an OKP COSE_Key on X25519 with d (and x, when
// it is the public key d derives) parses to a key-agreement key that
// cannot sign and is not a public key; it re-encodes byte for byte.
func TestParseCOSEKeyX25519(t *testing.T) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, x := priv.Bytes(), priv.PublicKey().Bytes()
	for name, m := range map[string]map[any]any{
		"d only":  {1: 1, -1: 4, -4: d},
		"d and x": {1: 1, -1: 4, -4: d, -2: x, 2: []byte("dev")},
	} {
		data, err := cbor.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ParseCOSEKey(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if k.Agreement == nil || !k.Agreement.Equal(priv) || k.Signer != nil || k.IsPrivate() {
			t.Fatalf("%s: agreement %v, signer %T", name, k.Agreement, k.Signer)
		}
		if pub, ok := k.Public.(*ecdh.PublicKey); !ok || !pub.Equal(priv.PublicKey()) {
			t.Fatalf("%s: public %T", name, k.Public)
		}
		if _, err := ParsePublicKey(data); !errors.Is(err, ErrKeyType) {
			t.Fatalf("%s: ParsePublicKey accepted a private X25519 key: %v", name, err)
		}
		if kk, err := ParseKey(data); err != nil || !kk.Agreement.Equal(priv) {
			t.Fatalf("%s: ParseKey: %v", name, err)
		}
		enc, err := k.MarshalCOSEKey()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseCOSEKey(enc)
		if err != nil || !back.Agreement.Equal(priv) || !bytes.Equal(back.KeyID, k.KeyID) {
			t.Fatalf("%s: round trip: %v", name, err)
		}
	}
	// A public-only X25519 key has no COSE_Key form here.
	if _, err := (&Key{Public: priv.PublicKey()}).MarshalCOSEKey(); !errors.Is(err, ErrKey) {
		t.Fatalf("public-only X25519 marshalled: %v", err)
	}
}

// TestParseCOSEKeyX25519Refused: a d or x that is not 32 bytes, an x that
// d does not derive, and a key without d each give a *KeyError (matching
// ErrKey) that says which; an alg on an X25519 key is refused.
func TestParseCOSEKeyX25519Refused(t *testing.T) {
	priv, _ := ecdh.X25519().GenerateKey(rand.Reader)
	other, _ := ecdh.X25519().GenerateKey(rand.Reader)
	d, x := priv.Bytes(), priv.PublicKey().Bytes()
	cases := map[string]struct {
		m      map[any]any
		reason string
	}{
		"short d":    {map[any]any{1: 1, -1: 4, -4: d[:31]}, "X25519 d must be 32 bytes, got 31"},
		"long d":     {map[any]any{1: 1, -1: 4, -4: append(bytes.Clone(d), 0)}, "X25519 d must be 32 bytes, got 33"},
		"empty d":    {map[any]any{1: 1, -1: 4, -4: []byte{}}, "X25519 d must be 32 bytes, got 0"},
		"short x":    {map[any]any{1: 1, -1: 4, -4: d, -2: x[:31]}, "X25519 x must be 32 bytes, got 31"},
		"x mismatch": {map[any]any{1: 1, -1: 4, -4: d, -2: other.PublicKey().Bytes()}, "X25519 d does not match x"},
		"no d":       {map[any]any{1: 1, -1: 4, -2: x}, "X25519 key has no d"},
		"d as int":   {map[any]any{1: 1, -1: 4, -4: 7}, "d must be a byte string"},
		"y on OKP":   {map[any]any{1: 1, -1: 4, -4: d, -3: x}, "unsupported label -3"},
	}
	for name, tc := range cases {
		data, err := cbor.Marshal(tc.m)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ParseCOSEKey(data)
		var ke *KeyError
		if k != nil || !errors.Is(err, ErrKey) || !errors.As(err, &ke) || !strings.Contains(ke.Reason, tc.reason) {
			t.Errorf("%s: key %v, err %v; want a KeyError saying %q", name, k, err, tc.reason)
		}
	}
	data, _ := cbor.Marshal(map[any]any{1: 1, -1: 4, -4: d, 3: -29}) // ECDH-ES + A128KW
	if k, err := ParseCOSEKey(data); k != nil || !errors.Is(err, ErrAlgorithm) {
		t.Errorf("X25519 with alg: key %v, err %v", k, err)
	}
}
