package suit

import (
	"bytes"
	"errors"
	"testing"
)

// TestHasherEqualsComputeDigest checks that streaming in uneven pieces gives
// the one-shot digest for every supported algorithm, so the processor's
// payload checks and the envelope's digest checks read one table.
func TestHasherEqualsComputeDigest(t *testing.T) {
	data := bytes.Repeat([]byte("suitkit firmware "), 1000)
	for _, alg := range []int64{AlgSHA256, AlgSHAKE128, AlgSHA384, AlgSHA512, AlgSHAKE256} {
		want, err := ComputeDigest(alg, data)
		if err != nil {
			t.Fatal(err)
		}
		h, err := NewHasher(alg)
		if err != nil {
			t.Fatal(err)
		}
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+len(rest)%977)
			h.Write(rest[:n])
			rest = rest[n:]
		}
		got := h.Digest()
		if got.Algorithm != alg || !bytes.Equal(got.Value, want.Value) || len(got.Value) != DigestSize(alg) {
			t.Errorf("alg %d: streaming %x, one-shot %x", alg, got.Value, want.Value)
		}
		if !got.Matches(data) {
			t.Errorf("alg %d: Matches rejects its own digest", alg)
		}
	}
	for _, alg := range []int64{0, -1, 1, -17, -9223372036854775808, 9223372036854775807} {
		if _, err := NewHasher(alg); !errors.Is(err, ErrUnsupported) {
			t.Errorf("NewHasher(%d) = %v, want ErrUnsupported", alg, err)
		}
		if DigestSize(alg) != 0 {
			t.Errorf("DigestSize(%d) != 0", alg)
		}
	}
}
