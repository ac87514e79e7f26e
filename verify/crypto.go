package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// algKnown reports whether this package verifies alg: a known signature
// algorithm for a signature, a known MAC algorithm for a MAC.
func algKnown(alg int64, mac bool) bool {
	a := keys.Algorithm(alg)
	return a.Known() && a.IsMAC() == mac
}

// verifyWith checks the signature or tag val over tbs with key k under alg.
// The caller has checked that k allows alg.
func verifyWith(k *Key, alg keys.Algorithm, tbs, val []byte) bool {
	switch pub := k.pub.(type) {
	case *ecdsa.PublicKey:
		return verifyECDSA(pub, alg, tbs, val)
	case ed25519.PublicKey:
		return len(val) == ed25519.SignatureSize && ed25519.Verify(pub, tbs, val)
	}
	if alg.IsMLDSA() {
		return keys.VerifyMLDSA(alg, k.pub, tbs, val)
	}
	if alg.IsHSSLMS() {
		return keys.VerifyHSSLMS(k.pub, tbs, val)
	}
	if k.secret == nil || !alg.IsMAC() {
		return false
	}
	var h func() hash.Hash
	switch alg.Hash() {
	case crypto.SHA256:
		h = sha256.New
	case crypto.SHA384:
		h = sha512.New384
	case crypto.SHA512:
		h = sha512.New
	default:
		return false
	}
	m := hmac.New(h, k.secret)
	m.Write(tbs)
	var sum [64]byte
	return hmac.Equal(m.Sum(sum[:0]), val)
}

// verifyECDSA checks a raw r||s signature (RFC 9053 section 2.1). S is not
// required to be low: other SUIT signers do not normalise it.
func verifyECDSA(pub *ecdsa.PublicKey, alg keys.Algorithm, tbs, sig []byte) bool {
	curve := alg.Curve()
	if curve == nil || pub.Curve != curve {
		return false
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	var digest []byte
	switch alg.Hash() { // the fixed-size sums do not allocate
	case crypto.SHA256:
		d := sha256.Sum256(tbs)
		digest = d[:]
	case crypto.SHA384:
		d := sha512.Sum384(tbs)
		digest = d[:]
	case crypto.SHA512:
		d := sha512.Sum512(tbs)
		digest = d[:]
	default:
		return false
	}
	var der [2*(66+3) + 3]byte
	out, ok := cose.RawToDER(der[:0], sig[:size], sig[size:])
	return ok && ecdsa.VerifyASN1(pub, digest, out)
}
