package report

import (
	"testing"

	"github.com/suitkit/suitkit/keys"
)

// What a report costs a device (encode + seal) and a server (verify +
// decode), for the sample report (3 records, a failure result).
func BenchmarkReport(b *testing.B) {
	for _, alg := range []keys.Algorithm{keys.Ed25519, keys.ES256, keys.HMAC256} {
		k, _ := keys.GenerateKey(alg)
		a, _ := KeyAuthenticator(k, 0)
		r := sampleReport()
		vk := k
		if !k.IsSymmetric() {
			vk, _ = k.PublicOnly()
		}
		sealed, _ := Seal(r, a)
		b.Run("seal/"+alg.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Seal(r, a); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("verify/"+alg.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Verify(sealed, vk, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
