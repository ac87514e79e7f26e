package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	circlsign "github.com/cloudflare/circl/sign"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/internal/testshared"
)

// testEnc is fxamacker/cbor in core deterministic mode: an encoder
// independent of the package's own, for building test COSE_Keys.
var testEnc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

func ietfKey(t testing.TB) *Key {
	t.Helper()
	k, err := ParsePEM(testshared.Conformance(t, "private_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

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

// sameKey checks that got holds the same key as want, by signing with got
// (when private) and verifying with want's public half.
func sameKey(t *testing.T, got, want *Key) {
	t.Helper()
	if want.IsSymmetric() {
		if !bytes.Equal(got.Secret, want.Secret) {
			t.Fatal("secret lost")
		}
		return
	}
	msg := []byte("suitkit keys test")
	switch pub := want.Public.(type) {
	case *ecdsa.PublicKey:
		if !pub.Equal(got.Public) {
			t.Fatal("public key differs")
		}
		if got.Signer != nil {
			sum := sha256.Sum256(msg)
			der, err := got.Signer.Sign(rand.Reader, sum[:], crypto.SHA256)
			if err != nil || !ecdsa.VerifyASN1(pub, sum[:], der) {
				t.Fatalf("private half does not match: %v", err)
			}
		}
	case ed25519.PublicKey:
		if !pub.Equal(got.Public) {
			t.Fatal("public key differs")
		}
		if got.Signer != nil {
			sig, err := got.Signer.Sign(rand.Reader, msg, crypto.Hash(0))
			if err != nil || !ed25519.Verify(pub, msg, sig) {
				t.Fatalf("private half does not match: %v", err)
			}
		}
	case circlsign.PublicKey:
		if !pub.Equal(got.Public) {
			t.Fatal("public key differs")
		}
		if got.Signer != nil {
			sig, err := got.Signer.Sign(rand.Reader, msg, crypto.Hash(0))
			if err != nil || !pub.Scheme().Verify(pub, msg, sig, nil) {
				t.Fatalf("private half does not match: %v", err)
			}
		}
	default:
		t.Fatalf("unexpected key type %T", pub)
	}
}

func TestKeyRoundTripsPEMAndCOSEKey(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(alg.String(), func(t *testing.T) {
			k, err := GenerateKey(alg)
			if alg.IsHSSLMS() {
				if !errors.Is(err, ErrAlgorithm) {
					t.Fatalf("GenerateKey(HSS-LMS), a stateful key: %v", err)
				}
				return // see TestHSSLMSPublicKeyForms
			}
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
			sameKey(t, back, k)
			if alg.IsMAC() {
				if len(k.Secret) < MinMACKeySize || len(k.Secret) != max(32, alg.Hash().Size()) {
					t.Fatalf("generated %d-byte secret for %v", len(k.Secret), alg)
				}
				if _, err := k.MarshalPEM(); !errors.Is(err, ErrKey) || !errors.Is(err, ErrKeyType) {
					t.Fatalf("symmetric PEM: %v", err)
				}
				return
			}
			pemPriv, err := k.MarshalPEM()
			if err != nil {
				t.Fatal(err)
			}
			fromPEM, err := ParseKey(pemPriv)
			if err != nil {
				t.Fatal(err)
			}
			sameKey(t, fromPEM, k)
			pemPub, _ := k.MarshalPublicPEM()
			pub, err := ParseKey(pemPub)
			if err != nil || pub.IsPrivate() {
				t.Fatalf("public PEM: %v private=%v", err, pub.IsPrivate())
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
				sameKey(t, fromSEC1, k)
			}
		})
	}
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
		b, err := testEnc.Marshal(m)
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
		"symmetric alg 99":  {enc(map[any]any{1: 4, 3: 99, -1: []byte{1}}), ErrAlgorithm},
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

func TestParseAlgorithmNames(t *testing.T) {
	for _, a := range Algorithms() {
		got, err := ParseAlgorithm(a.String())
		if err != nil || got != a {
			t.Errorf("ParseAlgorithm(%q) = %v, %v", a.String(), got, err)
		}
		got, err = ParseAlgorithm(fmt.Sprint(int64(a)))
		if err != nil || got != a {
			t.Errorf("ParseAlgorithm(%d) = %v, %v", a, got, err)
		}
	}
	for _, s := range []string{"", "RS256", "-37", "007", "es", "+5", "0", "HMAC-128", "9223372036854775807", "-9223372036854775808", "18446744073709551615"} {
		if a, err := ParseAlgorithm(s); err == nil || !errors.Is(err, ErrAlgorithm) {
			t.Errorf("ParseAlgorithm(%q) = %v, %v; want ErrAlgorithm", s, a, err)
		}
	}
	for s, want := range map[string]Algorithm{"hmac-256": HMAC256, "HMAC256/256": HMAC256, "hmac-sha384": HMAC384, "HMAC-512/512": HMAC512, " es256 ": ES256} {
		if a, _ := ParseAlgorithm(s); a != want {
			t.Errorf("%q = %v, want %v", s, a, want)
		}
	}
}

func TestAlgorithmKeyFit(t *testing.T) {
	p256, _ := GenerateKey(ES256)
	p384, _ := GenerateKey(ES384)
	ed, _ := GenerateKey(Ed25519)
	for _, tc := range []struct {
		alg Algorithm
		pub crypto.PublicKey
	}{
		{ES256, p384.Public}, {ESP256, p384.Public}, {ES384, p256.Public}, {ESP512, p256.Public},
		{ES256, ed.Public}, {Ed25519, p256.Public}, {EdDSA, p384.Public},
		{HMAC256, p256.Public}, {0, p256.Public}, {-37, p256.Public}, {-257, p256.Public}, {-46, ed.Public},
		{ES256, (*ecdsa.PublicKey)(nil)}, {ES256, nil},
	} {
		if err := tc.alg.CheckKey(tc.pub); !errors.Is(err, ErrAlgorithm) {
			t.Errorf("CheckKey(%v, %T): err = %v, want ErrAlgorithm", tc.alg, tc.pub, err)
		}
	}
	for _, tc := range []struct {
		alg Algorithm
		pub crypto.PublicKey
	}{{ES256, p256.Public}, {ESP256, p256.Public}, {ES384, p384.Public}, {Ed25519, ed.Public}, {EdDSA, ed.Public}} {
		if err := tc.alg.CheckKey(tc.pub); err != nil {
			t.Errorf("CheckKey(%v): %v", tc.alg, err)
		}
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if _, err := DefaultAlgorithm(&p224.PublicKey); !errors.Is(err, ErrKey) {
		t.Errorf("DefaultAlgorithm(P-224): %v", err)
	}
	if err := ES256.CheckKey(&p224.PublicKey); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("ES256 with P-224: %v", err)
	}
	for alg, want := range map[Algorithm]crypto.Hash{ES256: crypto.SHA256, ESP384: crypto.SHA384, ES512: crypto.SHA512, HMAC384: crypto.SHA384, EdDSA: 0, -1: 0} {
		if got := alg.Hash(); got != want {
			t.Errorf("%v.Hash() = %v, want %v", alg, got, want)
		}
	}
	if ES256.IsMAC() || !HMAC512.IsMAC() || Algorithm(8).IsMAC() || !Ed25519.IsEdDSA() || Algorithm(-7).Curve() != elliptic.P256() {
		t.Error("algorithm table wrong")
	}
	if s := Algorithm(-1 << 63).String(); s != "alg(-9223372036854775808)" {
		t.Errorf("String of MinInt64 = %q", s)
	}
}

// TestMarshalCOSEKeyMatchesIndependentEncoder: the package's own COSE_Key
// writer gives exactly the deterministic encoding fxamacker/cbor gives for
// the same map (what MarshalCOSEKey produced before it stopped using that
// library), so key files stay byte-identical.
func TestMarshalCOSEKeyMatchesIndependentEncoder(t *testing.T) {
	for _, alg := range Algorithms() {
		if alg.IsHSSLMS() {
			continue // no private key form; TestHSSLMSPublicKeyForms
		}
		k, _ := GenerateKey(alg)
		k.KeyID = []byte("kid-1")
		forms := []*Key{k}
		if po, err := k.PublicOnly(); err == nil {
			forms = append(forms, po)
		}
		for _, f := range forms {
			got, err := f.MarshalCOSEKey()
			if err != nil {
				t.Fatal(err)
			}
			var m map[int64]any
			if err := cbor.Unmarshal(got, &m); err != nil {
				t.Fatalf("%v: our COSE_Key does not decode: %v", alg, err)
			}
			want, _ := testEnc.Marshal(m)
			if !bytes.Equal(got, want) {
				t.Errorf("%v private=%v:\n got %x\nwant %x", alg, f.IsPrivate(), got, want)
			}
		}
	}
}
