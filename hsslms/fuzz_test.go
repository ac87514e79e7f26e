package hsslms

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// FuzzParseSignature: any input either parses into parts whose sizes add
// up to the input and re-encode to it, or gives a typed error. (Verifying
// every input stalls the coverage-instrumented fuzzer: tens of thousands
// of instrumented hash calls per input. TestMutatedSignaturesNeverVerify
// checks "only the genuine signature verifies" on random mutations.)
func FuzzParseSignature(f *testing.F) {
	// Small chains (w=1, 2) keep one verification cheap under the fuzzer's
	// instrumentation.
	k := newKey(f, []LMSType{LMS_SHA256_M32_H5, LMS_SHA256_M24_H5}, []OTSType{LMOTS_SHA256_N32_W2, LMOTS_SHA256_N24_W1})
	genuine, _ := k.SignIndex(context.Background(), 3, []byte("fuzz"))
	f.Add(genuine)
	f.Add(genuine[:len(genuine)-1])
	for _, name := range []string{"rfc8554-tc1.txt", "rfc8554-tc2.txt"} {
		f.Add(readVector(f, name)["sig"])
	}
	for _, c := range []string{"a1", "a2", "a3"} {
		f.Add(readVector(f, "rfc9858.txt")[c+"sig"])
	}
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSignature(data)
		if err == nil {
			n := 4 + s.Message.LMS.SignatureSize(s.Message.OTS)
			for i := range s.Signed {
				n += s.Signed[i].LMS.SignatureSize(s.Signed[i].OTS) + s.Keys[i].LMS.PublicKeySize()
			}
			if n != len(data) {
				t.Fatalf("parsed %d bytes of %d", n, len(data))
			}
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && !bytes.Equal(encodeSignature(s), data) {
			t.Fatalf("signature does not re-encode")
		}
	})
}

// FuzzParsePublicKey: any input is a key that re-encodes to itself, or a
// typed error.
func FuzzParsePublicKey(f *testing.F) {
	f.Add(readVector(f, "rfc8554-tc1.txt")["pub"])
	f.Add(readVector(f, "rfc8554-tc2.txt")["pub"])
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0x18, 0, 0, 0, 0x10})
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePublicKey(data)
		if err != nil {
			return
		}
		if !bytes.Equal(k.Bytes(), data) {
			t.Fatalf("key does not re-encode")
		}
		_ = k.Verify([]byte("m"), data) // never panics
	})
}

// encodeSignature writes a parsed signature back, from its parts.
func encodeSignature(s *Signature) []byte {
	lms := func(b []byte, l *LMSSignature) []byte {
		b = binary.BigEndian.AppendUint32(b, l.Q)
		b = binary.BigEndian.AppendUint32(b, uint32(l.OTS.Type))
		b = append(append(b, l.C...), l.Y...)
		b = binary.BigEndian.AppendUint32(b, uint32(l.LMS.Type))
		return append(b, l.Path...)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(len(s.Signed)))
	for i := range s.Signed {
		b = lms(b, &s.Signed[i])
		b = append(b, s.Keys[i].Bytes()...)
	}
	return lms(b, &s.Message)
}

// TestMutatedSignaturesNeverVerify: random byte changes and truncations
// of a genuine signature never verify and never panic.
func TestMutatedSignaturesNeverVerify(t *testing.T) {
	k := newKey(t, []LMSType{LMS_SHA256_M32_H5, LMS_SHA256_M24_H5}, []OTSType{LMOTS_SHA256_N32_W8, LMOTS_SHA256_N24_W4})
	pub := k.Public()
	msg := []byte("fuzz")
	genuine, _ := k.SignIndex(context.Background(), 3, msg)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		d := bytes.Clone(genuine)
		for m := rng.IntN(4) + 1; m > 0; m-- {
			d[rng.IntN(len(d))] ^= byte(rng.IntN(255) + 1)
		}
		if rng.IntN(4) == 0 {
			d = d[:rng.IntN(len(d))]
		}
		if bytes.Equal(d, genuine) {
			continue
		}
		if err := pub.Verify(msg, d); err == nil {
			t.Fatalf("mutated signature verifies")
		} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrParameterSet) {
			t.Fatalf("untyped error %v", err)
		}
	}
}
