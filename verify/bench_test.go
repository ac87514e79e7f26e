package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"testing"

	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// BenchmarkVerifyExample2 measures the whole Verify of IETF example 2
// (923 bytes, severed install and text present): copy, strict parse, one
// ES256 verification, manifest digest, manifest decode, severed digests.
func BenchmarkVerifyExample2(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	v := mustVerifier(b, []*Key{ietfKey(b)}, &Options{Store: NewMemoryStore()})
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := v.Verify(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyExample0 is the minimal example (237 bytes).
func BenchmarkVerifyExample0(b *testing.B) {
	data := testshared.Conformance(b, "example-0.suit")
	v := mustVerifier(b, []*Key{ietfKey(b)}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkP256Verify is the reference: one bare ECDSA P-256 verification
// of example 2's signature with crypto/ecdsa (the floor for Verify).
func BenchmarkP256Verify(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	env, err := suit.Parse(data, nil)
	if err != nil {
		b.Fatal(err)
	}
	var sigs []coseSig
	sigs, err = parseBlock(env.Authentication.Blocks[0], sigs)
	if err != nil {
		b.Fatal(err)
	}
	tbs := sigs[0].toBeSigned(nil, env.Authentication.DigestBytes)
	digest := sha256.Sum256(tbs)
	der, _ := cose.RawToDER(nil, sigs[0].val[:32], sigs[0].val[32:])
	pub := ietfKey(b).Public().(*ecdsa.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.VerifyASN1(pub, digest[:], der) {
			b.Fatal("signature does not verify")
		}
	}
}

// BenchmarkParseExample2 and BenchmarkDecodeManifestExample2 isolate the
// suit codec's share.
func BenchmarkParseExample2(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := suit.Parse(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeManifestExample2(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	b.ReportAllocs()
	for b.Loop() {
		env, err := suit.Parse(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := env.DecodeManifest(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCOSEOnly is the COSE part of Verify without the crypto: parse
// the block and build the Sig_structure.
func BenchmarkCOSEOnly(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	env, _ := suit.Parse(data, nil)
	blk := env.Authentication.Blocks[0]
	var buf [maxTBS]byte
	var sigs [4]coseSig
	b.ReportAllocs()
	for b.Loop() {
		s, err := parseBlock(blk, sigs[:0])
		if err != nil {
			b.Fatal(err)
		}
		if t := s[0].toBeSigned(buf[:0], env.Authentication.DigestBytes); bytes.Equal(t, nil) {
			b.Fatal("empty")
		}
	}
}

// BenchmarkVerifyOverheadExample2 is Verify of example 2 re-authenticated
// with an HMAC-256 COSE_Mac0 instead of ES256: everything Verify does
// besides the public-key operation (HMAC costs about 1 µs), i.e. the
// overhead over one P-256 verification.
func BenchmarkVerifyOverheadExample2(b *testing.B) {
	env, err := suit.Parse(testshared.Conformance(b, "example-2.suit"), nil)
	if err != nil {
		b.Fatal(err)
	}
	secret := bytes.Repeat([]byte{7}, 32)
	key, _ := NewMACKey(secret, nil)
	env.Authentication.Blocks = [][]byte{signer{alg: int64(keys.HMAC256), secret: secret}.block(b, env.Authentication.DigestBytes, nil, nil)}
	data, err := env.Encode()
	if err != nil {
		b.Fatal(err)
	}
	v := mustVerifier(b, []*Key{key}, &Options{Store: NewMemoryStore()})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyThenManifestExample2 is what a device that runs the
// update pays: Verify, then Verified.Manifest, which builds the command
// model that Verify only validated.
func BenchmarkVerifyThenManifestExample2(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	v := mustVerifier(b, []*Key{ietfKey(b)}, &Options{Store: NewMemoryStore()})
	b.ReportAllocs()
	for b.Loop() {
		res, err := v.Verify(data)
		if err != nil {
			b.Fatal(err)
		}
		if res.Manifest() == nil {
			b.Fatal("no manifest")
		}
	}
}

// BenchmarkCheckManifestExample2 is the validate-only manifest check Verify
// makes (suit.Envelope.CheckManifest), next to BenchmarkDecodeManifestExample2.
func BenchmarkCheckManifestExample2(b *testing.B) {
	data := testshared.Conformance(b, "example-2.suit")
	b.ReportAllocs()
	for b.Loop() {
		env, err := suit.Parse(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := env.CheckManifest(nil); err != nil {
			b.Fatal(err)
		}
	}
}
