package sign

import (
	"crypto"
	"crypto/rand"
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// Signer makes one authentication block: a COSE_Sign1 (tag 18) with a
// signature algorithm, or a COSE_Mac0 (tag 17) with HMAC 256/256. Create one
// with [NewSigner] or [NewMACer]. A Signer is safe for concurrent use if its
// crypto.Signer is.
type Signer struct {
	alg    keys.Algorithm
	kid    []byte
	key    crypto.Signer // signature algorithms
	secret []byte        // HMAC
}

// NewSigner returns a Signer that signs with alg using key. The key may be
// any crypto.Signer (an *ecdsa.PrivateKey, an ed25519.PrivateKey, or a
// handle to a key in a KMS, HSM or PKCS#11 token): the library only calls
// its Public and Sign methods. ECDSA keys get the hash of the
// Sig_structure with opts naming the hash (SHA-256/384/512) and must return
// an ASN.1 DER signature, as crypto/ecdsa does; it is converted to the raw
// r||s form COSE requires. Ed25519 and ML-DSA keys get the Sig_structure
// itself with opts crypto.Hash(0) (ML-DSA: pure ML-DSA, empty context, as
// RFC 9964 specifies; circl's keys sign deterministically).
//
// alg must fit the key: ES256/ESP256 need P-256, ES384/ESP384 P-384,
// ES512/ESP512 P-521, EdDSA/Ed25519 an Ed25519 key, ML-DSA-44/65/87 an
// ML-DSA key of that parameter set, HSS-LMS a stateful HSS-LMS key
// (hsslms/hsskey: its Sign reserves a one-time key durably first);
// otherwise the error
// matches [keys.ErrAlgorithm]. kid, if not nil, is put in the unprotected
// header (label 4) as a hint for verifiers; it is not authenticated.
func NewSigner(alg keys.Algorithm, key crypto.Signer, kid []byte) (*Signer, error) {
	if key == nil {
		return nil, keyErr("crypto.Signer", "nil key", nil)
	}
	if len(kid) > keys.MaxKeyIDSize {
		return nil, keyErr("crypto.Signer", fmt.Sprintf("kid longer than %d bytes", keys.MaxKeyIDSize), nil)
	}
	if err := alg.CheckKey(key.Public()); err != nil {
		return nil, err
	}
	return &Signer{alg: alg, kid: cloneBytes(kid), key: key}, nil
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
var signable = []keys.Algorithm{keys.ES256, keys.ESP256, keys.ES384, keys.ESP384, keys.ES512, keys.ESP512, keys.EdDSA, keys.Ed25519, keys.HMAC256, keys.MLDSA44, keys.MLDSA65, keys.MLDSA87, keys.HSSLMS}

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
	if s == nil || (s.key == nil && s.secret == nil) {
		return nil, keyErr("crypto.Signer", "nil or zero Signer (use NewSigner or NewMACer)", nil)
	}
	if len(payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload (want the encoded SUIT_Digest)", ErrEnvelope)
	}
	if s.secret != nil {
		return mac0(s, payload)
	}
	prot := cose.ProtectedAlg(int64(s.alg))
	sig, err := s.sign(cose.AppendToBeSigned(nil, cose.ContextSignature1, prot, nil, payload))
	if err != nil {
		return nil, err
	}
	out := cbor.AppendHead(nil, cbor.Tag, cose.TagSign1)
	return appendBlockBody(out, prot, s.kid, sig), nil
}

// sign signs the to-be-signed bytes tbs: ECDSA keys get their hash and
// return DER, converted to fixed-size r||s; Ed25519 keys get tbs itself.
func (s *Signer) sign(tbs []byte) ([]byte, error) {
	var sig []byte
	var err error
	if curve := s.alg.Curve(); curve != nil {
		h := s.alg.Hash().New()
		h.Write(tbs)
		var der []byte
		if der, err = s.key.Sign(rand.Reader, h.Sum(nil), s.alg.Hash()); err == nil {
			if sig, err = cose.DERToRaw(der, (curve.Params().BitSize+7)/8); err != nil {
				err = fmt.Errorf("signer returned a %w", err)
			}
		}
	} else {
		sig, err = s.key.Sign(rand.Reader, tbs, crypto.Hash(0))
	}
	if err != nil {
		return nil, fmt.Errorf("sign: %v signing failed: %w", s.alg, err)
	}
	return sig, nil
}

// appendBlockBody appends the array of a COSE_Sign1 or COSE_Mac0 with a
// detached payload: [protected, unprotected {4: kid} or {}, nil, value].
func appendBlockBody(dst, prot, kid, value []byte) []byte {
	dst = cbor.AppendHead(dst, cbor.Array, 4)
	dst = cose.AppendBstr(dst, prot)
	dst = appendUnprotected(dst, kid)
	dst = append(dst, 0xf6) // nil: detached payload
	return cose.AppendBstr(dst, value)
}

// appendUnprotected appends the unprotected header: {4: kid}, or {}.
func appendUnprotected(dst, kid []byte) []byte {
	if kid == nil {
		return append(dst, 0xa0)
	}
	dst = append(dst, 0xa1, cose.HeaderKid)
	return cose.AppendBstr(dst, kid)
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
