package suit

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

func TestDigestStringAndParseAlgorithm(t *testing.T) {
	d, err := ComputeDigest(AlgSHA256, []byte("abc"))
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc"), FIPS 180-2 appendix B.1.
	if got, want := d.String(), "sha-256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for in, want := range map[string]int64{"sha-256": AlgSHA256, "SHA256": AlgSHA256, "Sha-384": AlgSHA384, "sha512": AlgSHA512, "SHAKE128": AlgSHAKE128, "shake-256": AlgSHAKE256, "-16": AlgSHA256} {
		got, err := ParseDigestAlgorithm(in)
		if err != nil || got != want {
			t.Errorf("ParseDigestAlgorithm(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for alg, name := range map[int64]string{AlgSHA256: "sha-256", AlgSHA384: "sha-384", AlgSHAKE256: "shake256"} {
		if got := DigestAlgorithmName(alg); got != name {
			t.Errorf("DigestAlgorithmName(%d) = %q, want %q", alg, got, name)
		}
	}
	for _, bad := range []string{"", "md5", "sha-1", "-17", "sha256x"} {
		if _, err := ParseDigestAlgorithm(bad); !errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseDigestAlgorithm(%q): %v, want ErrUnsupported", bad, err)
		}
	}
	if got := (Digest{Algorithm: -99, Value: []byte{1}}).String(); got != "alg-99:01" {
		t.Errorf("unknown algorithm printed %q", got)
	}
}

func TestDigestReaderMatchesComputeDigest(t *testing.T) {
	data := bytes.Repeat([]byte("firmware"), 100_000)
	for _, alg := range []int64{AlgSHA256, AlgSHAKE128, AlgSHA384, AlgSHA512, AlgSHAKE256} {
		want, err := ComputeDigest(alg, data)
		if err != nil {
			t.Fatal(err)
		}
		// OneByteReader: the helper must not depend on how r splits.
		got, n, err := DigestReader(alg, iotest.OneByteReader(bytes.NewReader(data[:1000])))
		if err != nil || n != 1000 {
			t.Fatalf("alg %d: n=%d err=%v", alg, n, err)
		}
		if w, _ := ComputeDigest(alg, data[:1000]); !got.Equal(w) {
			t.Errorf("alg %d: streaming digest of 1000 bytes differs", alg)
		}
		got, n, err = DigestReader(alg, bytes.NewReader(data))
		if err != nil || n != int64(len(data)) || !got.Equal(want) || !got.Matches(data) {
			t.Errorf("alg %d: DigestReader = %v, %d, %v; want %v", alg, got, n, err, want)
		}
	}
	if _, _, err := DigestReader(-99, bytes.NewReader(nil)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown algorithm: %v", err)
	}
	boom := errors.New("disk on fire")
	if _, _, err := DigestReader(AlgSHA256, iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("read error: %v", err)
	}
}
