package keys

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"testing"

	circlsign "github.com/cloudflare/circl/sign"
	"github.com/suitkit/suitkit/internal/cose"
)

// TestMLDSAPKCS8Forms reads the three ML-DSA-PrivateKey forms of RFC 9881
// (seed, expandedKey, both) as the same key, and refuses a "both" whose
// halves disagree, parameters in the AlgorithmIdentifier, and keys of the
// wrong size.
func TestMLDSAPKCS8Forms(t *testing.T) {
	for _, set := range mldsaSets {
		t.Run(set.alg.String(), func(t *testing.T) {
			k, err := GenerateKey(set.alg)
			if err != nil {
				t.Fatal(err)
			}
			seed := mldsaSeed(k.Signer)
			expanded, _ := k.Signer.(circlsign.PrivateKey).MarshalBinary()
			wrap := func(inner []byte, params bool) []byte {
				var info pkcs8
				info.Algorithm.OID = set.oid
				if params {
					info.Algorithm.Params = asn1.NullRawValue
				}
				info.PrivateKey = inner
				der, err := asn1.Marshal(info)
				if err != nil {
					t.Fatal(err)
				}
				return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			}
			seedForm, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: seed})
			expandedForm, _ := asn1.Marshal(expanded)
			bothForm, _ := asn1.Marshal(struct{ Seed, Expanded []byte }{seed, expanded})
			for name, inner := range map[string][]byte{"seed": seedForm, "expandedKey": expandedForm, "both": bothForm} {
				got, err := ParsePEM(wrap(inner, false))
				if err != nil {
					t.Fatalf("%s form: %v", name, err)
				}
				sameKey(t, got, k)
				if a, _ := DefaultAlgorithm(got.Public); a != set.alg {
					t.Fatalf("%s form: default algorithm %v", name, a)
				}
			}
			otherSeed := bytes.Clone(seed)
			otherSeed[0] ^= 1
			badBoth, _ := asn1.Marshal(struct{ Seed, Expanded []byte }{otherSeed, expanded})
			shortSeed, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: seed[:31]})
			shortExpanded, _ := asn1.Marshal(expanded[:len(expanded)-1])
			for name, p := range map[string][]byte{
				"mismatched both":  wrap(badBoth, false),
				"NULL parameters":  wrap(seedForm, true),
				"31-byte seed":     wrap(shortSeed, false),
				"short expanded":   wrap(shortExpanded, false),
				"unknown CHOICE":   wrap([]byte{0x81, 1, 0}, false),
				"trailing garbage": wrap(append(bytes.Clone(seedForm), 0), false),
			} {
				if _, err := ParsePEM(p); !errors.Is(err, ErrKey) {
					t.Errorf("%s: %v, want ErrKey", name, err)
				}
			}
			// A public key of the wrong size for its OID.
			pubDER, _ := MarshalPKIX(k.Public)
			var info spki
			asn1.Unmarshal(pubDER, &info)
			info.PublicKey.Bytes = info.PublicKey.Bytes[1:]
			info.PublicKey.BitLength -= 8
			bad, _ := asn1.Marshal(info)
			if _, err := ParsePEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: bad})); !errors.Is(err, ErrKey) {
				t.Errorf("short public key: %v", err)
			}
			// DER ML-DSA keys are never taken for HMAC secrets.
			der, _ := marshalMLDSAPKCS8(k.Signer)
			if err := CheckMACSecret(der); !errors.Is(err, ErrKeyType) {
				t.Errorf("DER ML-DSA private key as HMAC secret: %v", err)
			}
			if err := CheckMACSecret(pubDER); !errors.Is(err, ErrKeyType) {
				t.Errorf("DER ML-DSA public key as HMAC secret: %v", err)
			}
		})
	}
}

// TestMLDSACOSEKeyStrict: an AKP COSE_Key needs an ML-DSA alg, a pub of
// the set's size, and a priv seed that derives pub.
func TestMLDSACOSEKeyStrict(t *testing.T) {
	k44, _ := GenerateKey(MLDSA44)
	k65, _ := GenerateKey(MLDSA65)
	pub44, _ := k44.Public.(circlsign.PublicKey).MarshalBinary()
	pub65, _ := k65.Public.(circlsign.PublicKey).MarshalBinary()
	build := func(m map[int64][]byte) []byte { return encodeLabelMap(m) }
	i := func(v int64) []byte { return cose.AppendInt(nil, v) }
	b := func(v []byte) []byte { return cose.AppendBstr(nil, v) }
	seed44 := mldsaSeed(k44.Signer)
	good := build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44)), -1: b(pub44), -2: b(seed44)})
	got, err := ParseCOSEKey(good)
	if err != nil {
		t.Fatal(err)
	}
	sameKey(t, got, k44)
	if got.Algorithm != MLDSA44 {
		t.Fatalf("alg %v", got.Algorithm)
	}
	for name, data := range map[string][]byte{
		"no alg":             build(map[int64][]byte{1: i(cose.KtyAKP), -1: b(pub44)}),
		"alg ES256":          build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(ES256)), -1: b(pub44)}),
		"65 pub, 44 alg":     build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44)), -1: b(pub65)}),
		"44 pub, 65 alg":     build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA65)), -1: b(pub44)}),
		"seed of other key":  build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44)), -1: b(pub44), -2: b(mldsaSeed(k65.Signer))}),
		"short seed":         build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44)), -2: b(seed44[:16])}),
		"neither pub nor d":  build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44))}),
		"EC2 label x on AKP": build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44)), -1: b(pub44), -3: b(pub44[:32])}),
		"pub as integer":     build(map[int64][]byte{1: i(cose.KtyAKP), 3: i(int64(MLDSA44)), -1: i(7)}),
	} {
		if _, err := ParseCOSEKey(data); !errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A key restricted to one parameter set does not fit another.
	if err := MLDSA65.CheckKey(k44.Public); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("ML-DSA-65 with a 44 key: %v", err)
	}
	if err := ES256.CheckKey(k44.Public); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("ES256 with an ML-DSA key: %v", err)
	}
	if err := MLDSA44.CheckKey(k65.Public); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("ML-DSA-44 with a 65 key: %v", err)
	}
}
