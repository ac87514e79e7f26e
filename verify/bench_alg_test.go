package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/hsslms/hsskey"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

// benchAlg is one signature algorithm (and, for HSS-LMS, parameter set)
// of the per-algorithm figures in BENCHMARKS.md.
type benchAlg struct {
	name string
	alg  keys.Algorithm
	hss  *hsslms.Options
}

func hssSet(lms hsslms.LMSType, ots hsslms.OTSType) *hsslms.Options {
	return &hsslms.Options{LMS: []hsslms.LMSType{lms, lms}, OTS: []hsslms.OTSType{ots, ots}}
}

var benchAlgs = []benchAlg{
	{"ES256", keys.ES256, nil},
	{"Ed25519", keys.Ed25519, nil},
	{"ML-DSA-44", keys.MLDSA44, nil},
	{"ML-DSA-65", keys.MLDSA65, nil},
	{"ML-DSA-87", keys.MLDSA87, nil},
	{"HSS-LMS_H10+H10_W4", keys.HSSLMS, hssSet(hsslms.LMS_SHA256_M32_H10, hsslms.LMOTS_SHA256_N32_W4)},
	{"HSS-LMS_H10+H10_W8", keys.HSSLMS, hssSet(hsslms.LMS_SHA256_M32_H10, hsslms.LMOTS_SHA256_N32_W8)},
	{"HSS-LMS_N24_H10+H10_W4", keys.HSSLMS, hssSet(hsslms.LMS_SHA256_M24_H10, hsslms.LMOTS_SHA256_N24_W4)},
}

// benchKey returns a private key for a; HSS-LMS keys are stateful files
// (reservations of 16 indices, each an fsynced write, are part of the
// signing time).
func benchKey(b *testing.B, a benchAlg) *keys.Key {
	if a.hss == nil {
		k, err := keys.GenerateKey(a.alg)
		if err != nil {
			b.Fatal(err)
		}
		return k
	}
	dir := b.TempDir()
	k, err := hsskey.Generate(context.Background(), filepath.Join(dir, "k"), a.hss, &hsskey.Options{WitnessDir: filepath.Join(dir, "w")})
	if err != nil {
		b.Fatal(err)
	}
	return &keys.Key{Signer: k, Public: k.Public(), Algorithm: keys.HSSLMS}
}

// BenchmarkAlgorithms signs IETF example 2 (unsigned) with one block and
// verifies it, per algorithm, beside the raw primitive over the same
// to-be-signed bytes (rawsign: the key's crypto.Signer on the
// Sig_structure or its hash; for HSS-LMS that is the stateful key,
// reservation included; rawverify: the signature check alone).
// sig-bytes is the signature, envelope-bytes the signed envelope.
func BenchmarkAlgorithms(b *testing.B) {
	data := testshared.Conformance(b, "example-2-unsigned.suit")
	for _, a := range benchAlgs {
		k := benchKey(b, a)
		s, err := sign.ForKey(k, a.alg)
		if err != nil {
			b.Fatal(err)
		}
		signed, err := sign.SignBytes(data, s)
		if err != nil {
			b.Fatal(err)
		}
		env, _ := suit.Parse(bytes.Clone(signed), nil)
		sigs, err := parseBlock(env.Authentication.Blocks[0], nil)
		if err != nil {
			b.Fatal(err)
		}
		tbs := sigs[0].toBeSigned(nil, env.Authentication.DigestBytes)
		sigLen := len(sigs[0].val)
		anchor, err := NewKey(k.Public, nil)
		if err != nil {
			b.Fatal(err)
		}
		v := mustVerifier(b, []*Key{anchor}, &Options{NoRollbackCheckUnsafe: true})
		b.Run("sign/"+a.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := sign.SignBytes(data, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sigLen), "sig-bytes")
			b.ReportMetric(float64(len(signed)), "envelope-bytes")
		})
		b.Run("rawsign/"+a.name, func(b *testing.B) {
			var opts crypto.SignerOpts = crypto.Hash(0)
			msg := tbs
			if h := a.alg.Hash(); h != 0 {
				d := h.New()
				d.Write(tbs)
				msg, opts = d.Sum(nil), h
			}
			for b.Loop() {
				if _, err := k.Signer.Sign(rand.Reader, msg, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("verify/"+a.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(signed); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("rawverify/"+a.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !verifyWith(anchor, a.alg, tbs, sigs[0].val) {
					b.Fatal("does not verify")
				}
			}
		})
	}
}
