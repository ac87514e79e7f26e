// Package cose is the one place where suitkit builds the byte strings that
// COSE signs and MACs (RFC 9052 sections 4.4 and 6.3), converts ECDSA
// signatures between ASN.1 DER and the raw r||s form COSE carries (RFC
// 9053 section 2.1), and names COSE's tags, header labels and COSE_Key
// labels.
//
// sign builds these structures to sign them and verify builds them to
// check signatures; if the two wrote them separately, a difference in one
// byte (a context string, the number of elements, the empty external AAD)
// would make every signature fail, or worse, make two structures collide.
// Keeping them here makes agreement a matter of construction. The package
// only formats bytes: it holds no keys and does no cryptography beyond the
// DER conversion.
package cose

import (
	"encoding/asn1"
	"errors"
	"math/big"

	"github.com/suitkit/suitkit/internal/cbor"
)

// Tags of the COSE structures SUIT authentication blocks use (RFC 9052
// section 2).
const (
	TagMac0  = 17
	TagSign1 = 18
	TagMac   = 97
	TagSign  = 98
)

// Header labels (RFC 9052 section 3.1) and the one recipient algorithm
// suitkit understands.
const (
	HeaderAlg         = 1
	HeaderCrit        = 2
	HeaderContentType = 3
	HeaderKid         = 4
	HeaderIV          = 5
	AlgDirect         = -6 // COSE_Mac recipient: the MAC key is used as is
)

// COSE_Key labels (RFC 9052 section 7.1, RFC 9053 section 7, RFC 8778,
// RFC 9964) and values.
const (
	KeyKty       = 1
	KeyKid       = 2
	KeyAlg       = 3
	KeyOps       = 4
	KeyBaseIV    = 5
	KeyCrv       = -1 // also k, the secret, for kty Symmetric
	KeyX         = -2
	KeyY         = -3
	KeyD         = -4
	KeyPub       = -1 // kty HSS-LMS and AKP: the public key
	KeyPriv      = -2 // kty AKP: the private key (the seed, for ML-DSA)
	KtyOKP       = 1
	KtyEC2       = 2
	KtyRSA       = 3
	KtySymmetric = 4
	KtyHSSLMS    = 5 // RFC 8778
	KtyAKP       = 7 // Algorithm Key Pair, RFC 9964 (ML-DSA)
	CrvP256      = 1
	CrvP384      = 2
	CrvP521      = 3
	CrvX25519    = 4
	CrvEd25519   = 6
)

// maxRawECDSALn is the longest ECDSA r or s, a P-521 coordinate.
const maxRawECDSALn = 66

// Contexts of the to-be-signed and to-be-MACed structures.
const (
	ContextSignature1 = "Signature1" // COSE_Sign1
	ContextSignature  = "Signature"  // one COSE_Signature of a COSE_Sign
	ContextMAC0       = "MAC0"       // COSE_Mac0
	ContextMAC        = "MAC"        // COSE_Mac
)

// AppendToBeSigned appends to dst the Sig_structure or MAC_structure for
// context over a detached payload, with empty external AAD:
//
//	[context, body_protected, sign_protected, h'', payload]  for "Signature"
//	[context, body_protected, h'', payload]                  otherwise
//
// bodyProtected and signProtected are the contents of the protected header
// bstrs as they appear in the message (h” when empty); signProtected is
// only used for ContextSignature. The result is deterministic CBOR.
func AppendToBeSigned(dst []byte, context string, bodyProtected, signProtected, payload []byte) []byte {
	items := uint64(4)
	if context == ContextSignature {
		items = 5
	}
	dst = cbor.AppendHead(dst, cbor.Array, items)
	dst = cbor.AppendHead(dst, cbor.Text, uint64(len(context)))
	dst = append(dst, context...)
	dst = AppendBstr(dst, bodyProtected)
	if items == 5 {
		dst = AppendBstr(dst, signProtected)
	}
	dst = append(dst, 0x40) // external_aad = h''
	return AppendBstr(dst, payload)
}

// Contexts of the Enc_structure (RFC 9052 section 5.3).
const (
	ContextEncrypt0 = "Encrypt0" // COSE_Encrypt0
	ContextEncrypt  = "Encrypt"  // COSE_Encrypt
)

// TagEncrypt0 is the tag of COSE_Encrypt0 (RFC 9052 section 2).
const TagEncrypt0 = 16

// AppendEncStructure appends to dst the Enc_structure, the additional
// authenticated data of a COSE AEAD: [context, protected, external_aad]
// with an empty external AAD. protected is the content of the protected
// header bstr (h” when empty).
func AppendEncStructure(dst []byte, context string, protected []byte) []byte {
	dst = cbor.AppendHead(dst, cbor.Array, 3)
	dst = cbor.AppendHead(dst, cbor.Text, uint64(len(context)))
	dst = append(dst, context...)
	dst = AppendBstr(dst, protected)
	return append(dst, 0x40) // external_aad = h''
}

// AppendBstr appends a byte string item holding b.
func AppendBstr(dst, b []byte) []byte {
	return append(cbor.AppendHead(dst, cbor.Bytes, uint64(len(b))), b...)
}

// AppendInt appends an integer item holding v; every int64 has one.
func AppendInt(dst []byte, v int64) []byte {
	if v >= 0 {
		return cbor.AppendHead(dst, cbor.Uint, uint64(v))
	}
	return cbor.AppendHead(dst, cbor.Nint, uint64(-(v + 1)))
}

// ProtectedAlg returns the content of a protected header holding only alg,
// {1: alg}: what every block suitkit makes carries.
func ProtectedAlg(alg int64) []byte {
	return AppendInt([]byte{0xa1, HeaderAlg}, alg)
}

// RawToDER appends to dst the ASN.1 DER ECDSA-Sig-Value (a SEQUENCE of two
// INTEGERs) for the raw big-endian r and s of a COSE signature. It refuses
// a zero r or s, and values longer than a P-521 coordinate; checking them
// against the curve order is the verifier's job.
func RawToDER(dst, r, s []byte) ([]byte, bool) {
	r, s = trimZeros(r), trimZeros(s)
	if len(r) == 0 || len(s) == 0 || len(r) > maxRawECDSALn || len(s) > maxRawECDSALn {
		return nil, false
	}
	intLen := func(v []byte) int { return len(v) + int(v[0]>>7) } // leading 0x00 if the high bit is set
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

// DERToRaw converts an ASN.1 DER ECDSA-Sig-Value, as crypto.Signer
// implementations return it, to r||s with each value left-padded to size
// bytes (the curve's coordinate size). Trailing data, non-positive values
// and values longer than size are refused.
func DERToRaw(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil {
		return nil, errors.New("malformed ECDSA signature: " + err.Error())
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing bytes after the ECDSA signature")
	}
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || len(sig.R.Bytes()) > size || len(sig.S.Bytes()) > size {
		return nil, errors.New("out-of-range ECDSA signature")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}
