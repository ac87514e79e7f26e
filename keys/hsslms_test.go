package keys

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/internal/cose"
)

// TestHSSLMSPublicKeyForms: an HSS-LMS public key round-trips through
// COSE_Key (kty 5, RFC 8778) and PKIX PEM (RFC 9708), defaults to alg -46,
// and fits no other algorithm; malformed forms are refused.
func TestHSSLMSPublicKeyForms(t *testing.T) {
	o := &hsslms.Options{LMS: []hsslms.LMSType{hsslms.LMS_SHA256_M32_H5}, OTS: []hsslms.OTSType{hsslms.LMOTS_SHA256_N32_W8}}
	priv, err := hsslms.NewPrivateKey(context.Background(), o, [16]byte{1}, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	pub := priv.Public()
	k := &Key{Public: pub, KeyID: []byte("fw"), Algorithm: HSSLMS}
	ck, err := k.MarshalCOSEKey()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePublicKey(ck)
	if err != nil || !pub.Equal(back.Public) || back.Algorithm != HSSLMS || string(back.KeyID) != "fw" {
		t.Fatalf("COSE_Key round trip: %v %+v", err, back)
	}
	pemPub, err := k.MarshalPublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	fromPEM, err := ParsePublicKey(pemPub)
	if err != nil || !pub.Equal(fromPEM.Public) {
		t.Fatalf("PEM round trip: %v", err)
	}
	if a, _ := DefaultAlgorithm(pub); a != HSSLMS {
		t.Fatalf("default algorithm %v", a)
	}
	for _, a := range []Algorithm{ES256, Ed25519, MLDSA44} {
		if err := a.CheckKey(pub); !errors.Is(err, ErrAlgorithm) {
			t.Errorf("%v with an HSS-LMS key: %v", a, err)
		}
	}
	ed, _ := GenerateKey(Ed25519)
	if err := HSSLMS.CheckKey(ed.Public); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("HSS-LMS with an Ed25519 key: %v", err)
	}
	i := func(v int64) []byte { return cose.AppendInt(nil, v) }
	b := func(v []byte) []byte { return cose.AppendBstr(nil, v) }
	for name, m := range map[string]map[int64][]byte{
		"alg ES256":     {1: i(cose.KtyHSSLMS), 3: i(int64(ES256)), -1: b(pub.Bytes())},
		"truncated pub": {1: i(cose.KtyHSSLMS), -1: b(pub.Bytes()[:40])},
		"no pub":        {1: i(cose.KtyHSSLMS)},
		"a d label":     {1: i(cose.KtyHSSLMS), -1: b(pub.Bytes()), -4: b([]byte{1})},
	} {
		if _, err := ParseCOSEKey(encodeLabelMap(m)); !errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm) {
			t.Errorf("%s: %v", name, err)
		}
	}
	der, _ := MarshalPKIX(pub)
	if err := CheckMACSecret(der); !errors.Is(err, ErrKeyType) {
		t.Errorf("DER HSS-LMS key as HMAC secret: %v", err)
	}
}
