package sign

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/keys"
)

func TestKeyRoundTripsPEMAndCOSEKey(t *testing.T) {
	for _, alg := range Algorithms() {
		if alg.IsHSSLMS() {
			continue // its private key is a state file (hsslms/hsskey tests)
		}
		t.Run(alg.String(), func(t *testing.T) {
			k, err := keys.GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			k.KeyID = []byte("kid")
			ck, err := k.MarshalCOSEKey()
			if err != nil {
				t.Fatal(err)
			}
			back, err := keys.ParseCOSEKey(ck)
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
				if _, err := k.MarshalPEM(); !errors.Is(err, keys.ErrKey) {
					t.Fatalf("symmetric PEM: %v", err)
				}
				return
			}
			signAndCheck(t, back, alg, k)
			pemPriv, err := k.MarshalPEM()
			if err != nil {
				t.Fatal(err)
			}
			fromPEM, err := keys.ParseKey(pemPriv)
			if err != nil {
				t.Fatal(err)
			}
			signAndCheck(t, fromPEM, alg, k)
			pemPub, _ := k.MarshalPublicPEM()
			pub, err := keys.ParseKey(pemPub)
			if err != nil || pub.IsPrivate() {
				t.Fatalf("public PEM: %v private=%v", err, pub.IsPrivate())
			}
			if _, err := ForKey(pub, alg); !errors.Is(err, keys.ErrKey) {
				t.Fatalf("public key signed: %v", err)
			}
			po, _ := k.PublicOnly()
			cpub, _ := po.MarshalCOSEKey()
			pub2, err := keys.ParseCOSEKey(cpub)
			if err != nil || pub2.IsPrivate() {
				t.Fatalf("public COSE_Key: %v", err)
			}
			if _, ok := k.Signer.(*ecdsa.PrivateKey); ok {
				sec1, err := k.MarshalSEC1PEM()
				if err != nil {
					t.Fatal(err)
				}
				params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7}})
				fromSEC1, err := keys.ParseKey(append(params, sec1...))
				if err != nil {
					t.Fatal(err)
				}
				signAndCheck(t, fromSEC1, alg, k)
			}
		})
	}
}

// signAndCheck signs with got and verifies with orig's public key.
func signAndCheck(t *testing.T, got *keys.Key, alg keys.Algorithm, orig *keys.Key) {
	t.Helper()
	s, err := ForKey(got, alg)
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

func TestSymmetricKeyMACsOnly(t *testing.T) {
	k, _ := keys.GenerateKey(keys.HMAC256)
	if _, err := ForKey(k, keys.ES256); !errors.Is(err, keys.ErrAlgorithm) {
		t.Fatalf("symmetric key as keys.ES256: %v", err)
	}
	s, err := ForKey(k, 0)
	if err != nil || !s.Algorithm().IsMAC() {
		t.Fatalf("symmetric default: %v %v", s, err)
	}
}

// A COSE_Key's alg restricts the key (RFC 9052 section 7.1).
func TestCOSEKeyAlgorithmRestrictsSigner(t *testing.T) {
	k, _ := keys.GenerateKey(keys.ESP256)
	ck, _ := k.MarshalCOSEKey()
	back, err := keys.ParseCOSEKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ForKey(back, keys.ES256); !errors.Is(err, keys.ErrAlgorithm) {
		t.Fatalf("keys.ES256 with an keys.ESP256-restricted key: %v", err)
	}
	s, err := ForKey(back, 0)
	if err != nil || s.Algorithm() != keys.ESP256 {
		t.Fatalf("default: %v %v", s, err)
	}
	// A PEM key has no restriction: either P-256 identifier works.
	p, _ := k.MarshalPEM()
	pk, _ := keys.ParsePEM(p)
	for _, a := range []keys.Algorithm{keys.ES256, keys.ESP256} {
		if _, err := ForKey(pk, a); err != nil {
			t.Fatalf("%v: %v", a, err)
		}
	}
}
