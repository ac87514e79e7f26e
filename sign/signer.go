package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"

	"github.com/suitkit/suitkit/keys"
	"github.com/veraison/go-cose"
)

// Signer makes one authentication block: a COSE_Sign1 (tag 18) with a
// signature algorithm, or a COSE_Mac0 (tag 17) with HMAC 256/256. Create one
// with [NewSigner] or [NewMACer]. A Signer is safe for concurrent use if its
// crypto.Signer is.
type Signer struct {
	alg    keys.Algorithm
	kid    []byte
	cs     cose.Signer // signature algorithms
	secret []byte      // HMAC
}

// NewSigner returns a Signer that signs with alg using key. The key may be
// any crypto.Signer (an *ecdsa.PrivateKey, an ed25519.PrivateKey, or a
// handle to a key in a KMS, HSM or PKCS#11 token): the library only calls
// its Public and Sign methods. ECDSA keys get the hash of the
// Sig_structure with opts naming the hash (SHA-256/384/512) and must return
// an ASN.1 DER signature, as crypto/ecdsa does; it is converted to the raw
// r||s form COSE requires. Ed25519 keys get the Sig_structure itself with
// opts crypto.Hash(0).
//
// alg must fit the key: ES256/ESP256 need P-256, ES384/ESP384 P-384,
// ES512/ESP512 P-521, EdDSA/Ed25519 an Ed25519 key; otherwise the error
// matches [keys.ErrAlgorithm]. kid, if not nil, is put in the unprotected header
// (label 4) as a hint for verifiers; it is not authenticated.
func NewSigner(alg keys.Algorithm, key crypto.Signer, kid []byte) (*Signer, error) {
	if key == nil {
		return nil, keyErr("crypto.Signer", "nil key", nil)
	}
	if len(kid) > keys.MaxKeyIDSize {
		return nil, keyErr("crypto.Signer", fmt.Sprintf("kid longer than %d bytes", keys.MaxKeyIDSize), nil)
	}
	pub := key.Public()
	if err := alg.CheckKey(pub); err != nil {
		return nil, err
	}
	var cs cose.Signer
	_, isECDSAKey := key.(*ecdsa.PrivateKey)
	_, isEdKey := key.(ed25519.PrivateKey)
	switch {
	case (isECDSAKey && (alg == keys.ES256 || alg == keys.ES384 || alg == keys.ES512)) || (isEdKey && alg == keys.EdDSA):
		// In-memory keys under identifiers go-cose knows: let it do the
		// work. (go-cose passes nil SignerOpts to other crypto.Signers,
		// which some KMS/PKCS#11 wrappers reject, so those use our
		// adapters, which pass the hash.)
		s, err := cose.NewSigner(cose.Algorithm(alg), key)
		if err != nil {
			return nil, keyErr("crypto.Signer", "go-cose refused the key", err)
		}
		cs = s
	case alg.Curve() != nil:
		cs = &ecdsaSigner{alg: alg, key: key, hash: alg.Hash(), size: (alg.Curve().Params().BitSize + 7) / 8}
	default: // Ed25519 keys
		cs = &ed25519Signer{alg: alg, key: key}
	}
	return &Signer{alg: alg, kid: cloneBytes(kid), cs: cs}, nil
}

// NewMACer returns a Signer that makes COSE_Mac0 blocks with HMAC 256/256
// (alg 5), for the suit-sha256-hmac profile. secret is the raw shared key,
// [keys.MinMACKeySize] to [keys.MaxMACKeySize] bytes; bytes that are a key
// of another kind (a PEM or DER public key, a COSE_Key file) are refused
// (see [keys.CheckMACSecret]): load key files with [keys.ParseMACKey]. kid,
// if not nil, goes in the unprotected header.
func NewMACer(secret, kid []byte) (*Signer, error) {
	if err := keys.CheckMACSecret(secret); err != nil {
		return nil, err
	}
	if len(kid) > keys.MaxKeyIDSize {
		return nil, keyErr("HMAC", fmt.Sprintf("kid longer than %d bytes", keys.MaxKeyIDSize), nil)
	}
	return &Signer{alg: keys.HMAC256, kid: cloneBytes(kid), secret: cloneBytes(secret)}, nil
}

// signable lists the algorithms this package signs or MACs with.
var signable = []keys.Algorithm{keys.ES256, keys.ESP256, keys.ES384, keys.ESP384, keys.ES512, keys.ESP512, keys.EdDSA, keys.Ed25519, keys.HMAC256}

// Algorithms returns the algorithms this package signs or MACs with, in a
// fixed order: every signature algorithm of [keys.Algorithms] and HMAC
// 256/256 (HMAC 384 and 512 are verified, not made).
func Algorithms() []keys.Algorithm { return append([]keys.Algorithm(nil), signable...) }

// ForKey returns a Signer for a parsed key with alg, or with k.Algorithm,
// or with [keys.DefaultAlgorithm] when alg is 0. Symmetric keys give an
// HMAC Signer (see [NewMACer]). A key whose COSE_Key names an algorithm is
// restricted to it (RFC 9052 section 7.1): asking for another gives an
// error matching [keys.ErrAlgorithm]; a public key gives one matching
// [keys.ErrKeyType].
func ForKey(k *keys.Key, alg keys.Algorithm) (*Signer, error) {
	if k == nil {
		return nil, keyErr("COSE_Key", "nil key", nil)
	}
	if alg != 0 && k.Algorithm != 0 && alg != k.Algorithm {
		return nil, &keys.AlgorithmError{Algorithm: alg, Reason: fmt.Sprintf("the key is restricted to %v by its COSE_Key alg", k.Algorithm)}
	}
	if alg == 0 {
		alg = k.Algorithm
	}
	if k.IsSymmetric() {
		if alg != 0 && alg != keys.HMAC256 {
			return nil, &keys.AlgorithmError{Algorithm: alg, Reason: "a symmetric key only MACs with HMAC-256 here"}
		}
		return NewMACer(k.Secret, k.KeyID)
	}
	if k.Signer == nil {
		return nil, keyErr("PEM", "a public key cannot sign", keys.ErrKeyType)
	}
	if alg == 0 {
		var err error
		if alg, err = keys.DefaultAlgorithm(k.Public); err != nil {
			return nil, err
		}
	}
	return NewSigner(alg, k.Signer, k.KeyID)
}

// Algorithm returns the COSE algorithm the Signer uses.
func (s *Signer) Algorithm() keys.Algorithm {
	if s == nil {
		return 0
	}
	return s.alg
}

// KeyID returns the kid the Signer puts in its blocks (nil if none).
func (s *Signer) KeyID() []byte {
	if s == nil {
		return nil
	}
	return cloneBytes(s.kid)
}

// Block returns one tagged authentication block over payload, which must be
// the encoded SUIT_Digest (the content of the authentication wrapper's
// first element, [suit.Authentication].DigestBytes). The payload is
// detached: the block carries nil in its place. Signature algorithms give a
// COSE_Sign1 (tag 18) with protected header {1: alg}; HMAC gives a
// COSE_Mac0 (tag 17) with protected header {1: 5}.
func (s *Signer) Block(payload []byte) ([]byte, error) {
	if s == nil || (s.cs == nil && s.secret == nil) {
		return nil, keyErr("crypto.Signer", "nil or zero Signer (use NewSigner or NewMACer)", nil)
	}
	if len(payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload (want the encoded SUIT_Digest)", ErrEnvelope)
	}
	if s.secret != nil {
		return mac0(s, payload)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.Algorithm(s.alg))
	if s.kid != nil {
		msg.Headers.Unprotected[cose.HeaderLabelKeyID] = cloneBytes(s.kid)
	}
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, s.cs); err != nil {
		return nil, fmt.Errorf("sign: %v signing failed: %w", s.alg, err)
	}
	msg.Payload = nil // detached
	return msg.MarshalCBOR()
}

// ecdsaSigner signs with any crypto.Signer holding an ECDSA key, for the
// identifiers go-cose does not know (ESP256/384/512). It hashes the
// ToBe-Signed bytes and converts the DER signature to fixed-size r||s.
type ecdsaSigner struct {
	alg  keys.Algorithm
	key  crypto.Signer
	hash crypto.Hash
	size int // bytes per coordinate
}

func (e *ecdsaSigner) Algorithm() cose.Algorithm { return cose.Algorithm(e.alg) }

func (e *ecdsaSigner) Sign(rnd io.Reader, content []byte) ([]byte, error) {
	h := e.hash.New()
	h.Write(content)
	der, err := e.key.Sign(rnd, h.Sum(nil), e.hash)
	if err != nil {
		return nil, err
	}
	return derToRaw(der, e.size)
}

// derToRaw converts an ASN.1 ECDSA-Sig-Value to r||s, each left-padded to
// size bytes, rejecting trailing data and out-of-range values.
func derToRaw(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil {
		return nil, fmt.Errorf("signer returned a malformed ECDSA signature: %w", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("signer returned trailing bytes after the ECDSA signature")
	}
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || len(sig.R.Bytes()) > size || len(sig.S.Bytes()) > size {
		return nil, fmt.Errorf("signer returned an out-of-range ECDSA signature")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

// ed25519Signer signs with a crypto.Signer holding an Ed25519 key under the
// fully specified identifier -19.
type ed25519Signer struct {
	alg keys.Algorithm
	key crypto.Signer
}

func (e *ed25519Signer) Algorithm() cose.Algorithm { return cose.Algorithm(e.alg) }

func (e *ed25519Signer) Sign(rnd io.Reader, content []byte) ([]byte, error) {
	return e.key.Sign(rnd, content, crypto.Hash(0))
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
