package profile

import (
	"errors"
	"testing"

	"github.com/suitkit/suitkit/keys"
)

// TestProfilesMatchTheDraft: the six descriptors of draft-ietf-suit-mti
// ([digest, auth, key exchange, encryption]), found by name in any case;
// an unknown name and every algorithm outside a profile give errors
// matching ErrProfile; a nil profile allows everything.
func TestProfilesMatchTheDraft(t *testing.T) {
	want := map[string][4]int64{
		"suit-sha256-hmac-a128kw-a128ctr":      {-16, 5, -3, -65534},
		"suit-sha256-esp256-ecdh-a128ctr":      {-16, -9, -29, -65534},
		"suit-sha256-ed25519-ecdh-a128ctr":     {-16, -19, -29, -65534},
		"suit-sha256-esp256-ecdh-a128gcm":      {-16, -9, -29, 1},
		"suit-sha256-ed25519-ecdh-chacha-poly": {-16, -19, -29, 24},
		"suit-sha256-hsslms-a256kw-a256ctr":    {-16, -46, -5, -65532},
	}
	if len(All()) != len(want) {
		t.Fatalf("%d profiles", len(All()))
	}
	for name, d := range want {
		p, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := [4]int64{p.Digest, int64(p.Auth), p.KeyExchange, p.Encryption}; got != d {
			t.Errorf("%s = %v, want %v", name, got, d)
		}
		if err := p.CheckAuth(keys.ES256); !errors.Is(err, ErrProfile) {
			t.Errorf("%s allows ES256: %v", name, err)
		}
		if p.CheckAuth(p.Auth) != nil || p.CheckDigest(-16) != nil || p.CheckEncryption(d[3]) != nil || p.CheckKeyExchange(d[2]) != nil {
			t.Errorf("%s refuses its own algorithms", name)
		}
		if p.CheckDigest(-44) == nil || p.CheckEncryption(3) == nil || p.CheckKeyExchange(-31) == nil {
			t.Errorf("%s allows SHA-512, A256GCM or ECDH-ES+A256KW", name)
		}
	}
	if p, err := ByName("SUIT-SHA256-HSSLMS-A256KW-A256CTR"); err != nil || p.Auth != keys.HSSLMS {
		t.Errorf("case-insensitive name: %v", err)
	}
	if _, err := ByName("suit-sha256-es256"); !errors.Is(err, ErrProfile) {
		t.Errorf("unknown name: %v", err)
	}
	var none *Profile
	if none.CheckAuth(keys.ES256) != nil || none.CheckDigest(-44) != nil {
		t.Error("a nil profile restricts")
	}
}
