// Package profile names the SUIT algorithm profiles of draft-ietf-suit-mti
// (the six MANDATORY ones) and checks algorithms against them, so that a
// builder, a signer, an encrypter, a verifier and a processor can each be
// restricted to one profile and refuse anything outside it with a typed
// error.
//
// A profile is the descriptor [digest, auth, key exchange, encryption] of
// COSE algorithm identifiers. The numbers are kept as plain integers so
// that this package stays beneath everything (a device that verifies
// links it without the encryption code): Auth is a keys.Algorithm,
// KeyExchange and Encryption are the values of package encryption's
// Algorithm type, Digest a SUIT digest algorithm (suit.AlgSHA256 = -16).
package profile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/keys"
)

// Profile is one MTI profile.
type Profile struct {
	Name        string
	Digest      int64          // SUIT digest algorithm
	Auth        keys.Algorithm // signature or MAC algorithm
	KeyExchange int64          // COSE key distribution algorithm of the recipients
	Encryption  int64          // COSE content encryption algorithm
}

// The COSE algorithm identifiers the profiles use (IANA "COSE
// Algorithms"; the same numbers package encryption names).
const (
	SHA256        = -16
	A128KW        = -3
	A256KW        = -5
	ECDHESA128KW  = -29
	A128GCM       = 1
	ChaCha20Poly  = 24
	A128CTR       = -65534
	A256CTR       = -65532
	nameHMAC      = "suit-sha256-hmac-a128kw-a128ctr"
	nameESPCTR    = "suit-sha256-esp256-ecdh-a128ctr"
	nameEdCTR     = "suit-sha256-ed25519-ecdh-a128ctr"
	nameESPGCM    = "suit-sha256-esp256-ecdh-a128gcm"
	nameEdChaCha  = "suit-sha256-ed25519-ecdh-chacha-poly"
	nameHSSLMSCTR = "suit-sha256-hsslms-a256kw-a256ctr"
)

var all = []Profile{
	{nameHMAC, SHA256, keys.HMAC256, A128KW, A128CTR},
	{nameESPCTR, SHA256, keys.ESP256, ECDHESA128KW, A128CTR},
	{nameEdCTR, SHA256, keys.Ed25519, ECDHESA128KW, A128CTR},
	{nameESPGCM, SHA256, keys.ESP256, ECDHESA128KW, A128GCM},
	{nameEdChaCha, SHA256, keys.Ed25519, ECDHESA128KW, ChaCha20Poly},
	{nameHSSLMSCTR, SHA256, keys.HSSLMS, A256KW, A256CTR},
}

// All returns the six profiles in the draft's order.
func All() []Profile { return append([]Profile(nil), all...) }

// Names returns the profiles' names in the draft's order.
func Names() []string {
	var n []string
	for _, p := range all {
		n = append(n, p.Name)
	}
	return n
}

// ErrProfile matches every error of this package: an unknown profile
// name, or an algorithm outside the profile in force.
var ErrProfile = errors.New("profile: outside the algorithm profile")

// Error says which algorithm a profile refused.
type Error struct {
	Profile string // the profile's name
	What    string // "digest", "authentication", "key exchange", "encryption"
	Got     int64  // the algorithm found
	Want    int64  // the profile's
}

// Error implements error.
func (e *Error) Error() string {
	if e.What == "" {
		return fmt.Sprintf("profile: unknown profile %q (known: %s)", e.Profile, strings.Join(Names(), ", "))
	}
	return fmt.Sprintf("profile %s: %s algorithm %d is outside the profile (it allows %d)", e.Profile, e.What, e.Got, e.Want)
}

// Is reports whether target is ErrProfile.
func (e *Error) Is(target error) bool { return target == ErrProfile }

// ByName returns the profile named name (exactly, or without regard to
// case).
func ByName(name string) (*Profile, error) {
	for _, p := range all {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			q := p
			return &q, nil
		}
	}
	return nil, &Error{Profile: name}
}

func (p *Profile) check(what string, got, want int64) error {
	if p == nil || got == want {
		return nil
	}
	return &Error{Profile: p.Name, What: what, Got: got, Want: want}
}

// CheckDigest refuses a digest algorithm other than the profile's. A nil
// profile allows everything (so do the other checks).
func (p *Profile) CheckDigest(alg int64) error {
	if p == nil {
		return nil
	}
	return p.check("digest", alg, p.Digest)
}

// CheckAuth refuses a signature or MAC algorithm other than the profile's.
func (p *Profile) CheckAuth(alg keys.Algorithm) error {
	if p == nil {
		return nil
	}
	return p.check("authentication", int64(alg), int64(p.Auth))
}

// CheckKeyExchange refuses a recipient (key distribution) algorithm other
// than the profile's.
func (p *Profile) CheckKeyExchange(alg int64) error {
	if p == nil {
		return nil
	}
	return p.check("key exchange", alg, p.KeyExchange)
}

// CheckEncryption refuses a content encryption algorithm other than the
// profile's.
func (p *Profile) CheckEncryption(alg int64) error {
	if p == nil {
		return nil
	}
	return p.check("encryption", alg, p.Encryption)
}

// String returns the name.
func (p *Profile) String() string {
	if p == nil {
		return "no profile"
	}
	return p.Name
}
