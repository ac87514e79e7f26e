package sign

import (
	"testing"

	"github.com/suitkit/suitkit/internal/testkeys"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

func benchSign(b *testing.B, alg keys.Algorithm) {
	data := testshared.Conformance(b, "example-2-unsigned.suit")
	k, err := testkeys.Generate(b, alg)
	if err != nil {
		b.Fatal(err)
	}
	s, err := ForKey(k, alg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		env, err := suit.Parse(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := Authenticate(env, s); err != nil {
			b.Fatal(err)
		}
		if _, err := env.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// Parse + digest check + one block + encode, for example 2 (847 bytes).
func BenchmarkEnvelopeES256(b *testing.B)   { benchSign(b, keys.ES256) }
func BenchmarkEnvelopeESP256(b *testing.B)  { benchSign(b, keys.ESP256) }
func BenchmarkEnvelopeEd25519(b *testing.B) { benchSign(b, keys.Ed25519) }
func BenchmarkEnvelopeHMAC256(b *testing.B) { benchSign(b, keys.HMAC256) }
