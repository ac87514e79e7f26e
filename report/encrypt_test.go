package report

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/keys"
)

func TestSealEncryptedRoundTrip(t *testing.T) {
	sk, _ := keys.GenerateKey(keys.ES256)
	mk, _ := keys.GenerateKey(keys.HMAC256)
	spub, _ := sk.PublicOnly()
	for _, c := range []struct {
		auth, verify *keys.Key
		ck           *ContentKey
	}{
		{sk, spub, &ContentKey{Algorithm: A128GCM, Key: bytes.Repeat([]byte{1}, 16), KeyID: []byte("ck1")}},
		{mk, mk, &ContentKey{Algorithm: A256GCM, Key: bytes.Repeat([]byte{2}, 32)}},
		{sk, spub, &ContentKey{Algorithm: A192GCM, Key: bytes.Repeat([]byte{3}, 24)}},
	} {
		a, err := KeyAuthenticator(c.auth, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := sampleReport()
		sealed, err := SealEncrypted(want, a, c.ck)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte(want.Reference.URI)) {
			t.Fatal("the manifest URI is visible in an encrypted report")
		}
		s, err := Parse(sealed, nil)
		if err != nil || !s.Encrypted {
			t.Fatalf("Parse: %+v %v", s, err)
		}
		got, err := VerifyEncrypted(sealed, c.verify, c.ck, nil)
		if err != nil {
			t.Fatalf("VerifyEncrypted: %v", err)
		}
		b1, _ := got.Encode()
		b2, _ := want.Encode()
		if !bytes.Equal(b1, b2) {
			t.Fatal("decrypted report differs")
		}
		// Without the content key, or with another, it does not open.
		if _, err := Verify(sealed, c.verify, nil); !errors.Is(err, ErrEncrypted) {
			t.Errorf("Verify on an encrypted report: %v", err)
		}
		other := *c.ck
		other.Key = bytes.Repeat([]byte{9}, len(c.ck.Key))
		if _, err := VerifyEncrypted(sealed, c.verify, &other, nil); !errors.Is(err, ErrEncrypted) {
			t.Errorf("wrong content key: %v", err)
		}
		// The signature still covers the ciphertext.
		bad := bytes.Clone(sealed)
		bad[len(bad)-len(s.value)-5] ^= 1
		if _, err := VerifyEncrypted(bad, c.verify, c.ck, nil); !errors.Is(err, ErrUnauthenticated) && !errors.Is(err, ErrMalformed) {
			t.Errorf("altered ciphertext: %v", err)
		}
	}
	// Two seals of one report use different IVs.
	a, _ := KeyAuthenticator(mk, 0)
	ck := &ContentKey{Algorithm: A128GCM, Key: make([]byte, 16)}
	x, _ := SealEncrypted(sampleReport(), a, ck)
	y, _ := SealEncrypted(sampleReport(), a, ck)
	if bytes.Equal(x, y) {
		t.Error("IV reused")
	}
	if _, err := SealEncrypted(sampleReport(), a, &ContentKey{Algorithm: A128GCM, Key: make([]byte, 32)}); !errors.Is(err, ErrKey) {
		t.Errorf("wrong key size: %v", err)
	}
	// An unencrypted report opens with VerifyEncrypted too.
	plain, _ := Seal(sampleReport(), a)
	if _, err := VerifyEncrypted(plain, mk, ck, nil); err != nil {
		t.Errorf("plain report through VerifyEncrypted: %v", err)
	}
}
