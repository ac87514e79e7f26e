package keys

import (
	"crypto"
	"encoding/asn1"

	"github.com/suitkit/suitkit/hsslms"
)

// HSS-LMS (RFC 8554) public keys are *hsslms.PublicKey. Their encodings:
//
//   - COSE_Key: kty HSS-LMS (5), pub (-1) the HSS public key bytes, alg
//     -46 when present (RFC 8778);
//   - PKIX: SubjectPublicKeyInfo with id-alg-hss-lms-hashsig
//     (1.2.840.113549.1.9.16.3.17), no parameters, the HSS public key bytes
//     as the BIT STRING (RFC 9708).
//
// Private keys are stateful and live in state files (package
// hsslms/hsskey), never in PEM or COSE_Key files: a copied private key
// file is how one-time keys get reused.

var oidHSSLMS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 3, 17}

func hssPublic(pub crypto.PublicKey) *hsslms.PublicKey {
	if p, ok := pub.(*hsslms.PublicKey); ok && p != nil {
		return p
	}
	return nil
}

// VerifyHSSLMS checks an HSS-LMS signature over msg with pub, which must be
// an *hsslms.PublicKey; anything else is false.
func VerifyHSSLMS(pub crypto.PublicKey, msg, sig []byte) bool {
	p := hssPublic(pub)
	return p != nil && p.Verify(msg, sig) == nil
}

// parseHSSPKIX parses DER SPKI if it names the HSS-LMS OID (ok false
// otherwise).
func parseHSSPKIX(der []byte) (pub crypto.PublicKey, ok bool, err error) {
	var info spki
	rest, perr := asn1.Unmarshal(der, &info)
	if perr != nil || !info.Algorithm.OID.Equal(oidHSSLMS) {
		return nil, false, nil
	}
	if len(rest) != 0 || len(info.Algorithm.Params.FullBytes) != 0 || info.PublicKey.BitLength%8 != 0 {
		return nil, true, keyErr("PEM", "malformed HSS-LMS SubjectPublicKeyInfo", nil)
	}
	p, err := hsslms.ParsePublicKey(info.PublicKey.Bytes)
	if err != nil {
		return nil, true, keyErr("PEM", "bad HSS-LMS public key", err)
	}
	return p, true, nil
}

func marshalHSSPKIX(p *hsslms.PublicKey) ([]byte, error) {
	var info spki
	info.Algorithm.OID = oidHSSLMS
	b := p.Bytes()
	info.PublicKey = asn1.BitString{Bytes: b, BitLength: 8 * len(b)}
	return asn1.Marshal(info)
}
