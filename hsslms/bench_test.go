package hsslms

import (
	"context"
	"testing"
)

// BenchmarkSignIndex is the stateless HSS-LMS primitive (no reservation,
// no file): two levels of height 10, per w, over a 100-byte message.
func BenchmarkSignIndex(b *testing.B) {
	for _, ot := range []OTSType{LMOTS_SHA256_N32_W4, LMOTS_SHA256_N32_W8} {
		k := newKey(b, []LMSType{LMS_SHA256_M32_H10, LMS_SHA256_M32_H10}, []OTSType{ot, ot})
		msg := make([]byte, 100)
		b.Run(ot.String(), func(b *testing.B) {
			var idx uint64
			for b.Loop() {
				if _, err := k.SignIndex(context.Background(), idx%1024, msg); err != nil {
					b.Fatal(err)
				}
				idx++
			}
		})
	}
}
