package sign

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"testing"
)

func TestIETFKeyCoordinates(t *testing.T) {
	k := ietfKey(t)
	if !k.IsPrivate() {
		t.Fatal("private_key.pem parsed as public")
	}
	ck, err := k.MarshalCOSEKey()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseCOSEKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	pub := back.Public.(*ecdsa.PublicKey)
	point, _ := pub.Bytes()
	// README: x = 8496811a..., y = 3b1f2a4b...; d = 0x0296588d...
	if hex.EncodeToString(point[1:5]) != "8496811a" || hex.EncodeToString(point[33:37]) != "3b1f2a4b" {
		t.Fatalf("coordinates %x", point)
	}
	d, _ := back.Signer.(*ecdsa.PrivateKey).Bytes()
	if hex.EncodeToString(d[:4]) != "0296588d" {
		t.Fatalf("d = %x", d)
	}
}

func TestKeyRoundTripsPEMAndCOSEKey(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg.String(), func(t *testing.T) {
			k, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			k.KeyID = []byte("kid")
			ck, err := k.MarshalCOSEKey()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseCOSEKey(ck)
			if err != nil {
				t.Fatal(err)
			}
			if back.Algorithm != alg || string(back.KeyID) != "kid" {
				t.Fatalf("alg %v kid %q", back.Algorithm, back.KeyID)
			}
			ck2, _ := back.MarshalCOSEKey()
			if !bytes.Equal(ck, ck2) {
				t.Fatalf("COSE_Key round trip differs:\n%x\n%x", ck, ck2)
			}
			if alg.IsMAC() {
				if !bytes.Equal(back.Secret, k.Secret) || len(k.Secret) != 32 {
					t.Fatal("secret lost")
				}
				if _, err := k.MarshalPEM(); !errors.Is(err, ErrKey) {
					t.Fatalf("symmetric PEM: %v", err)
				}
				return
			}
			signAndCheck(t, back, alg, k)
			pemPriv, err := k.MarshalPEM()
			if err != nil {
				t.Fatal(err)
			}
			fromPEM, err := ParseKey(pemPriv)
			if err != nil {
				t.Fatal(err)
			}
			signAndCheck(t, fromPEM, alg, k)
			pemPub, _ := k.MarshalPublicPEM()
			pub, err := ParseKey(pemPub)
			if err != nil || pub.IsPrivate() {
				t.Fatalf("public PEM: %v private=%v", err, pub.IsPrivate())
			}
			if _, err := pub.NewSigner(alg); !errors.Is(err, ErrKey) {
				t.Fatalf("public key signed: %v", err)
			}
			po, _ := k.PublicOnly()
			cpub, _ := po.MarshalCOSEKey()
			pub2, err := ParseCOSEKey(cpub)
			if err != nil || pub2.IsPrivate() {
				t.Fatalf("public COSE_Key: %v", err)
			}
			if _, ok := k.Signer.(*ecdsa.PrivateKey); ok {
				sec1, err := k.MarshalSEC1PEM()
				if err != nil {
					t.Fatal(err)
				}
				params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7}})
				fromSEC1, err := ParseKey(append(params, sec1...))
				if err != nil {
					t.Fatal(err)
				}
				signAndCheck(t, fromSEC1, alg, k)
			}
		})
	}
}

// signAndCheck signs with got and verifies with orig's public key.
func signAndCheck(t *testing.T, got *Key, alg Algorithm, orig *Key) {
	t.Helper()
	s, err := got.NewSigner(alg)
	if err != nil {
		t.Fatal(err)
	}
	payload := syntheticDigestBytes()
	b, err := s.Block(payload)
	if err != nil {
		t.Fatal(err)
	}
	verifySign1(t, b, payload, alg, orig.Public)
}

func TestMalformedPEMRejected(t *testing.T) {
	good, _ := GenerateKey(ES256)
	goodPEM, _ := good.MarshalPEM()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rsaPubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p224DER, _ := x509.MarshalPKCS8PrivateKey(p224)
	enc := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})
	cases := map[string][]byte{
		"empty":          nil,
		"no block":       []byte("hello"),
		"trailing data":  append(append([]byte{}, goodPEM...), "junk"...),
		"two keys":       append(append([]byte{}, goodPEM...), goodPEM...),
		"encrypted":      enc,
		"rsa private":    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaDER}),
		"rsa public":     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPubDER}),
		"p224":           pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p224DER}),
		"garbage der":    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 1, 2, 3}}),
		"garbage sec1":   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{0x30}}),
		"garbage pkix":   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30}}),
		"certificate":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30}}),
		"params only":    pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6}}),
		"oversized file": append(bytes.Repeat([]byte(" "), MaxKeyFileSize), goodPEM...),
	}
	for name, in := range cases {
		k, err := ParsePEM(in)
		if !errors.Is(err, ErrKey) || k != nil {
			t.Errorf("%s: key %v err %v, want ErrKey", name, k, err)
		}
	}
}

func TestMalformedCOSEKeyRejected(t *testing.T) {
	k, _ := GenerateKey(ES256)
	point, _ := k.Public.(*ecdsa.PublicKey).Bytes()
	x, y := point[1:33], point[33:]
	other, _ := GenerateKey(ES256)
	otherD, _ := other.Signer.(*ecdsa.PrivateKey).Bytes()
	ed, _ := GenerateKey(Ed25519)
	edX := []byte(ed.Public.(ed25519.PublicKey))
	offCurve := append([]byte{}, x...)
	offCurve[0] ^= 1
	enc := func(m map[any]any) []byte {
		b, err := encMode.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := map[string]struct {
		in   []byte
		want error
	}{
		"not a map":         {[]byte{0x80}, ErrKey},
		"empty":             {nil, ErrKey},
		"trailing bytes":    {append(enc(map[any]any{1: 4, -1: make([]byte, 32)}), 0), ErrKey},
		"duplicate label":   {[]byte{0xa3, 0x01, 0x04, 0x20, 0x41, 0x00, 0x01, 0x04}, ErrKey},
		"text label":        {enc(map[any]any{1: 4, -1: []byte{1}, "x": 1}), ErrKey},
		"indefinite map":    {[]byte{0xbf, 0x01, 0x04, 0x20, 0x41, 0x00, 0xff}, ErrKey},
		"tagged":            {[]byte{0xc1, 0xa1, 0x01, 0x04}, ErrKey},
		"huge declared":     {[]byte{0xa2, 0x01, 0x04, 0x20, 0x5b, 0, 0, 0, 1, 0, 0, 0, 0}, ErrKey},
		"kty text":          {enc(map[any]any{1: "EC2"}), ErrKey},
		"missing kty":       {enc(map[any]any{-1: 1}), ErrKey},
		"unknown kty":       {enc(map[any]any{1: 3, -1: 1}), ErrKey},
		"unknown label":     {enc(map[any]any{1: 2, -1: 1, -2: x, -3: y, 99: 1}), ErrKey},
		"y on OKP":          {enc(map[any]any{1: 1, -1: 6, -2: edX, -3: y}), ErrKey},
		"unknown curve":     {enc(map[any]any{1: 2, -1: 8, -2: x, -3: y}), ErrKey},
		"x25519":            {enc(map[any]any{1: 1, -1: 4, -2: edX}), ErrKey},
		"short x":           {enc(map[any]any{1: 2, -1: 1, -2: x[1:], -3: y}), ErrKey},
		"x as int":          {enc(map[any]any{1: 2, -1: 1, -2: 5, -3: y}), ErrKey},
		"x as array":        {enc(map[any]any{1: 2, -1: 1, -2: []int{1, 2}, -3: y}), ErrKey},
		"compressed y":      {enc(map[any]any{1: 2, -1: 1, -2: x, -3: true}), ErrKey},
		"off curve":         {enc(map[any]any{1: 2, -1: 1, -2: offCurve, -3: y}), ErrKey},
		"d mismatch":        {enc(map[any]any{1: 2, -1: 1, -2: x, -3: y, -4: otherD}), ErrKey},
		"d zero":            {enc(map[any]any{1: 2, -1: 1, -4: make([]byte, 32)}), ErrKey},
		"no point":          {enc(map[any]any{1: 2, -1: 1}), ErrKey},
		"ed short x":        {enc(map[any]any{1: 1, -1: 6, -2: edX[:31]}), ErrKey},
		"ed d mismatch":     {enc(map[any]any{1: 1, -1: 6, -2: edX, -4: make([]byte, 32)}), ErrKey},
		"symmetric empty":   {enc(map[any]any{1: 4, -1: []byte{}}), ErrKey},
		"symmetric no k":    {enc(map[any]any{1: 4}), ErrKey},
		"kid text":          {enc(map[any]any{1: 4, 2: "kid", -1: []byte{1}}), ErrKey},
		"kid too long":      {enc(map[any]any{1: 4, 2: make([]byte, MaxKeyIDSize+1), -1: []byte{1}}), ErrKey},
		"empty key_ops":     {enc(map[any]any{1: 4, 4: []int{}, -1: []byte{1}}), ErrKey},
		"alg text":          {enc(map[any]any{1: 4, 3: "HS256", -1: []byte{1}}), ErrKey},
		"alg huge":          {[]byte{0xa3, 0x01, 0x04, 0x03, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x20, 0x41, 0x01}, ErrKey},
		"alg/key confusion": {enc(map[any]any{1: 2, 3: int64(EdDSA), -1: 1, -2: x, -3: y}), ErrAlgorithm},
		"alg curve":         {enc(map[any]any{1: 2, 3: int64(ES384), -1: 1, -2: x, -3: y}), ErrAlgorithm},
		"symmetric ES256":   {enc(map[any]any{1: 4, 3: int64(ES256), -1: []byte{1}}), ErrAlgorithm},
		"unknown alg":       {enc(map[any]any{1: 2, 3: -37, -1: 1, -2: x, -3: y}), ErrAlgorithm},
	}
	for name, tc := range cases {
		k, err := ParseCOSEKey(tc.in)
		if !errors.Is(err, tc.want) || k != nil {
			t.Errorf("%s: key %v, err %v; want %v", name, k, err, tc.want)
		}
	}
	// Sanity: the base map used above is valid.
	if _, err := ParseCOSEKey(enc(map[any]any{1: 2, -1: 1, -2: x, -3: y})); err != nil {
		t.Fatalf("valid public EC2 rejected: %v", err)
	}
}

func TestSymmetricKeyMACsOnly(t *testing.T) {
	k, _ := GenerateKey(HMAC256)
	if _, err := k.NewSigner(ES256); !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("symmetric key as ES256: %v", err)
	}
	s, err := k.NewSigner(0)
	if err != nil || !s.Algorithm().IsMAC() {
		t.Fatalf("symmetric default: %v %v", s, err)
	}
}

// A COSE_Key's alg restricts the key (RFC 9052 section 7.1).
func TestCOSEKeyAlgorithmRestrictsSigner(t *testing.T) {
	k, _ := GenerateKey(ESP256)
	ck, _ := k.MarshalCOSEKey()
	back, err := ParseCOSEKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.NewSigner(ES256); !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("ES256 with an ESP256-restricted key: %v", err)
	}
	s, err := back.NewSigner(0)
	if err != nil || s.Algorithm() != ESP256 {
		t.Fatalf("default: %v %v", s, err)
	}
	// A PEM key has no restriction: either P-256 identifier works.
	p, _ := k.MarshalPEM()
	pk, _ := ParsePEM(p)
	for _, a := range []Algorithm{ES256, ESP256} {
		if _, err := pk.NewSigner(a); err != nil {
			t.Fatalf("%v: %v", a, err)
		}
	}
}
