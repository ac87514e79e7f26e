package sign

import (
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

func benchSign(b *testing.B, alg Algorithm) {
	data := testshared.Conformance(b, "example-2-unsigned.suit")
	k, err := GenerateKey(alg)
	if err != nil {
		b.Fatal(err)
	}
	s, err := k.NewSigner(alg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		env, err := suit.Parse(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := Envelope(env, s); err != nil {
			b.Fatal(err)
		}
		if _, err := env.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// Parse + digest check + one block + encode, for example 2 (847 bytes).
func BenchmarkEnvelopeES256(b *testing.B)   { benchSign(b, ES256) }
func BenchmarkEnvelopeESP256(b *testing.B)  { benchSign(b, ESP256) }
func BenchmarkEnvelopeEd25519(b *testing.B) { benchSign(b, Ed25519) }
func BenchmarkEnvelopeHMAC256(b *testing.B) { benchSign(b, HMAC256) }
