package report

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/keys"
)

// FuzzDecode: any input either decodes, and then re-encodes to exactly the
// same bytes (the decoder keeps everything and accepts only deterministic
// CBOR), or fails with an error matching ErrMalformed or ErrLimit; it never
// panics. Seeds: the sample report (every member, both record kinds, a
// failure result), a success report, a minimal hand-written one.
func FuzzDecode(f *testing.F) {
	r := sampleReport()
	b, err := r.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	r.Result = Result{Success: true}
	r.Capability, r.Extensions = nil, nil
	b, _ = r.Encode()
	f.Add(b)
	f.Add(hx("a3 03 80 04 f5 18 63 82 60 82 2f 41 00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Decode(in, nil)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		out, err := got.Encode()
		if err != nil {
			t.Fatalf("decoded but does not encode: %v", err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip changed the report:\n in %x\nout %x", in, out)
		}
		_ = got.Outcome()
		_ = got.SystemProperties()
	})
}

// FuzzVerify: the COSE container parser and verifier never panic, give
// typed errors, and whatever verifies carries the payload that was sealed
// (the unprotected header may change; the report may not). Seeds are sealed reports (COSE_Sign1 with Ed25519,
// COSE_Mac0).
func FuzzVerify(f *testing.F) {
	ek, err := keys.GenerateKey(keys.Ed25519)
	if err != nil {
		f.Fatal(err)
	}
	mk, _ := keys.GenerateKey(keys.HMAC256)
	ea, _ := KeyAuthenticator(ek, 0)
	ma, _ := KeyAuthenticator(mk, 0)
	pub, _ := ek.PublicOnly()
	payload, err := sampleReport().Encode()
	if err != nil {
		f.Fatal(err)
	}
	ck := &ContentKey{Algorithm: A128GCM, Key: make([]byte, 16)}
	for _, a := range []Authenticator{ea, ma} {
		s, err := Seal(sampleReport(), a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s)
		if s, err = SealEncrypted(sampleReport(), a, ck); err != nil {
			f.Fatal(err)
		}
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if _, err := Parse(in, nil); err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
			t.Fatalf("Parse: untyped error: %v", err)
		}
		for _, k := range []*keys.Key{pub, mk} {
			r, err := VerifyEncrypted(in, k, ck, nil)
			if err == nil {
				if got, err := r.Encode(); err != nil || !bytes.Equal(got, payload) {
					t.Fatalf("verified a report that was never sealed: %x", in)
				}
				continue
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrUnauthenticated) && !errors.Is(err, ErrEncrypted) {
				t.Fatalf("Verify: untyped error: %v", err)
			}
		}
	})
}
