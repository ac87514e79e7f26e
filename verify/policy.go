package verify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/keys"
)

// Key is a trust anchor: a public key (ECDSA P-256/P-384/P-521, Ed25519,
// ML-DSA-44/65/87 or HSS-LMS) or an HMAC secret, bound to the COSE algorithms it may verify. The message
// never chooses the algorithm: a block whose protected "alg" is not one of
// the key's algorithms is not verified with that key. Create keys with
// [NewKey] or [NewMACKey]; a Key is immutable afterwards.
type Key struct {
	pub      crypto.PublicKey
	secret   []byte
	algs     []keys.Algorithm
	prefixes [][][]byte
	name     string
	id       [32]byte
}

// Binding says what a trust anchor may verify. It is checked once, when
// the Key is made. The zero value (and a nil *Binding) binds the key to
// the default algorithms for its type, for any component, without a name.
type Binding struct {
	// Algorithms restricts the key to these COSE algorithms, which must
	// suit the key type. Empty means the defaults: P-256 -> ES256, ESP256;
	// P-384 -> ES384, ESP384; P-521 -> ES512, ESP512; Ed25519 -> Ed25519
	// (-19), EdDSA (-8); ML-DSA-44/65/87 -> its own algorithm (-48, -49,
	// -50); HSS-LMS -> HSS-LMS (-46); HMAC secret -> HMAC 256/256.
	Algorithms []keys.Algorithm

	// ComponentPrefixes limits the key to manifests whose components all
	// fall under one of these prefixes (RFC 9124 access-control model 2).
	// A component identifier (an array of bstrs) falls under a prefix when
	// the prefix's elements equal its leading elements. Empty means the
	// key may sign for any component.
	ComponentPrefixes [][][]byte

	// Name names the key in results and messages.
	Name string
}

// NewKey returns a trust anchor for a public key (*ecdsa.PublicKey on
// P-256, P-384 or P-521, ed25519.PublicKey, or an ML-DSA public key of
// circl: *mldsa44.PublicKey, *mldsa65.PublicKey, *mldsa87.PublicKey, or
// an *hsslms.PublicKey) bound as b says (nil: the
// defaults). Parse key files with package keys (keys.ParsePublicKey).
func NewKey(pub crypto.PublicKey, b *Binding) (*Key, error) {
	k := &Key{}
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		if p == nil || p.Curve == nil || curveAlgs(p.Curve) == nil {
			return nil, &AlgorithmError{Kind: "key", Reason: "unsupported ECDSA curve"}
		}
		if _, err := p.ECDH(); err != nil { // rejects points off the curve
			return nil, fmt.Errorf("verify: invalid ECDSA public key: %w", err)
		}
		k.pub = p
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return nil, errors.New("verify: invalid Ed25519 public key length")
		}
		k.pub = slices.Clone(p)
	case *ed25519.PublicKey:
		if p == nil {
			return nil, errors.New("verify: nil Ed25519 key")
		}
		return NewKey(*p, b)
	default:
		alg, err := keys.DefaultAlgorithm(pub)
		if err != nil || !(alg.IsMLDSA() || alg.IsHSSLMS()) {
			return nil, &AlgorithmError{Kind: "key", Reason: fmt.Sprintf("type %T is not supported", pub)}
		}
		if alg.IsHSSLMS() {
			// A copy: the caller's *hsslms.PublicKey stays theirs.
			p, err := hsslms.ParsePublicKey(pub.(*hsslms.PublicKey).Bytes())
			if err != nil {
				return nil, fmt.Errorf("verify: invalid HSS-LMS public key: %w", err)
			}
			pub = p
		}
		k.pub = pub // circl's ML-DSA public keys are immutable after decoding
	}
	der, err := keys.MarshalPKIX(k.pub)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	k.id = sha256.Sum256(der)
	return k.finish(b)
}

// NewMACKey returns a trust anchor for an HMAC secret bound as b says
// (nil: HMAC 256/256 only). The secret is the raw key bytes, at least
// keys.MinMACKeySize (32) long; bytes that are a key of another kind (a
// PEM or DER public key, a COSE_Key file) are refused, because a public
// key used as a MAC secret lets anyone forge: the error matches
// keys.ErrKeyType or keys.ErrWeakSecret (see keys.CheckMACSecret). Load
// key files with keys.ParseMACKey.
func NewMACKey(secret []byte, b *Binding) (*Key, error) {
	if err := keys.CheckMACSecret(secret); err != nil {
		return nil, err
	}
	k := &Key{secret: bytes.Clone(secret)}
	// Domain-separated so the identifier reveals nothing usable about the secret.
	h := sha256.New()
	h.Write([]byte("suitkit verify HMAC key id\x00"))
	h.Write(secret)
	copy(k.id[:], h.Sum(nil))
	return k.finish(b)
}

// finish applies and checks the binding.
func (k *Key) finish(b *Binding) (*Key, error) {
	if b == nil {
		b = &Binding{}
	}
	k.name = b.Name
	k.algs = defaultAlgorithms(k)
	if len(b.Algorithms) > 0 {
		allowed := k.algs
		if k.secret != nil {
			allowed = []keys.Algorithm{keys.HMAC256, keys.HMAC384, keys.HMAC512}
		}
		for _, a := range b.Algorithms {
			if !slices.Contains(allowed, a) {
				return nil, &AlgorithmError{Kind: "key", Algorithm: int64(a), Reason: "does not suit this key type"}
			}
		}
		k.algs = slices.Clone(b.Algorithms)
	}
	for _, p := range b.ComponentPrefixes {
		cp := make([][]byte, len(p))
		for i, e := range p {
			cp[i] = bytes.Clone(e)
		}
		k.prefixes = append(k.prefixes, cp)
	}
	return k, nil
}

func defaultAlgorithms(k *Key) []keys.Algorithm {
	switch p := k.pub.(type) {
	case *ecdsa.PublicKey:
		return curveAlgs(p.Curve)
	case ed25519.PublicKey:
		return []keys.Algorithm{keys.Ed25519, keys.EdDSA}
	case nil:
		return []keys.Algorithm{keys.HMAC256}
	}
	if alg, err := keys.DefaultAlgorithm(k.pub); err == nil {
		return []keys.Algorithm{alg} // ML-DSA (one per parameter set), HSS-LMS
	}
	return nil
}

func curveAlgs(c elliptic.Curve) []keys.Algorithm {
	switch c {
	case elliptic.P256():
		return []keys.Algorithm{keys.ES256, keys.ESP256}
	case elliptic.P384():
		return []keys.Algorithm{keys.ES384, keys.ESP384}
	case elliptic.P521():
		return []keys.Algorithm{keys.ES512, keys.ESP512}
	}
	return nil
}

// Algorithms returns the COSE algorithms the key may verify.
func (k *Key) Algorithms() []keys.Algorithm { return slices.Clone(k.algs) }

// Allows reports whether the key may verify a block using alg.
func (k *Key) Allows(alg keys.Algorithm) bool { return slices.Contains(k.algs, alg) }

// Public returns the public key, or nil for an HMAC key.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Fingerprint identifies the key: SHA-256 of its PKIX encoding for a public
// key, a domain-separated SHA-256 of the secret for an HMAC key. Policies
// count each fingerprint once, however many blocks it signed.
func (k *Key) Fingerprint() [32]byte { return k.id }

// Name returns the name given in its [Binding], or the first 8 bytes of the
// fingerprint in hex.
func (k *Key) Name() string {
	if k.name != "" {
		return k.name
	}
	return hex.EncodeToString(k.id[:8])
}

// authorises reports whether component falls under one of k's prefixes.
func (k *Key) authorises(component [][]byte) bool {
	if k.prefixes == nil {
		return true
	}
	for _, p := range k.prefixes {
		if len(p) > len(component) {
			continue
		}
		match := true
		for i := range p {
			if !bytes.Equal(p[i], component[i]) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// Policy says how many distinct trusted keys must have signed (or MACed) an
// envelope. The zero value is [RequireAny].
type Policy struct {
	all       bool
	threshold int
}

// RequireAny accepts an envelope with at least one valid block by a trusted key.
func RequireAny() Policy { return Policy{threshold: 1} }

// RequireAll requires a valid block from every trusted key.
func RequireAll() Policy { return Policy{all: true} }

// RequireThreshold requires valid blocks from at least k distinct trusted
// keys (k of n). Keys are distinct by [Key.Fingerprint]: one key signing
// twice, or listed twice, counts once. k below 1 means 1. [New] refuses a
// threshold larger than the number of distinct trusted keys.
func RequireThreshold(k int) Policy { return Policy{threshold: k} }

func (p Policy) need(nkeys int) int {
	if p.all {
		return nkeys
	}
	if p.threshold < 1 {
		return 1
	}
	return p.threshold
}

// String describes the policy, e.g. "2 distinct trusted keys".
func (p Policy) String() string {
	switch {
	case p.all:
		return "all trusted keys"
	case p.threshold <= 1:
		return "any trusted key"
	}
	return fmt.Sprintf("%d distinct trusted keys", p.threshold)
}
