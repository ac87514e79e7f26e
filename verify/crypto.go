package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// algKnown reports whether this package implements alg.
func algKnown(alg int64, mac bool) bool {
	switch alg {
	case AlgES256, AlgESP256, AlgES384, AlgESP384, AlgES512, AlgESP512, AlgEdDSA, AlgEd25519:
		return !mac
	case AlgHMAC256, AlgHMAC384, AlgHMAC512:
		return mac
	}
	return false
}

// verifyWith checks the signature or tag val over tbs with key k under alg.
// The caller has checked that k allows alg.
func verifyWith(k *Key, alg int64, tbs, val []byte) bool {
	switch pub := k.pub.(type) {
	case *ecdsa.PublicKey:
		return verifyECDSA(pub, alg, tbs, val)
	case ed25519.PublicKey:
		return len(val) == ed25519.SignatureSize && ed25519.Verify(pub, tbs, val)
	}
	if k.secret == nil {
		return false
	}
	var h func() hash.Hash
	switch alg {
	case AlgHMAC256:
		h = sha256.New
	case AlgHMAC384:
		h = sha512.New384
	case AlgHMAC512:
		h = sha512.New
	default:
		return false
	}
	m := hmac.New(h, k.secret)
	m.Write(tbs)
	var sum [64]byte
	return hmac.Equal(m.Sum(sum[:0]), val)
}

// verifyECDSA checks a raw r||s signature (RFC 9053 §2.1). S is not
// required to be low: other SUIT signers do not normalise it.
func verifyECDSA(pub *ecdsa.PublicKey, alg int64, tbs, sig []byte) bool {
	var digest []byte
	var size, bits int
	switch alg {
	case AlgES256, AlgESP256:
		d := sha256.Sum256(tbs)
		digest, size, bits = d[:], 32, 256
	case AlgES384, AlgESP384:
		d := sha512.Sum384(tbs)
		digest, size, bits = d[:], 48, 384
	case AlgES512, AlgESP512:
		d := sha512.Sum512(tbs)
		digest, size, bits = d[:], 66, 521
	default:
		return false
	}
	if pub.Curve.Params().BitSize != bits || len(sig) != 2*size {
		return false
	}
	var der [2*(66+3) + 3]byte
	out, ok := rawToDER(der[:0], sig[:size], sig[size:])
	return ok && ecdsa.VerifyASN1(pub, digest, out)
}

// rawToDER encodes r and s as an ASN.1 SEQUENCE of two INTEGERs. Zero
// values are refused (ECDSA requires 0 < r, s < n; the range check against
// n is VerifyASN1's).
func rawToDER(dst, r, s []byte) ([]byte, bool) {
	r, s = trimZeros(r), trimZeros(s)
	if len(r) == 0 || len(s) == 0 {
		return nil, false
	}
	intLen := func(v []byte) int { return len(v) + int(v[0]>>7) } // leading 0x00 if high bit set
	body := 2 + intLen(r) + 2 + intLen(s)
	dst = append(dst, 0x30)
	if body >= 0x80 {
		dst = append(dst, 0x81)
	}
	dst = append(dst, byte(body))
	for _, v := range [2][]byte{r, s} {
		dst = append(dst, 0x02, byte(intLen(v)))
		if v[0]&0x80 != 0 {
			dst = append(dst, 0)
		}
		dst = append(dst, v...)
	}
	return dst, true
}

func trimZeros(v []byte) []byte {
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	return v
}
