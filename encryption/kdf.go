package encryption

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
)

// kdfOther is the "other" field of the SUIT KDF context: a byte string
// (draft-ietf-suit-firmware-encryption, section on ES-DH).
const kdfOther = "SUIT Payload Encryption"

// KDFContext returns the COSE_KDF_Context (RFC 9053 section 5.2) that the
// firmware-encryption draft uses for an ECDH-ES + AES-KW recipient:
//
//	[AlgorithmID: the key-wrap algorithm (A128KW -3, A256KW -5),
//	 PartyUInfo: [nil, nil, nil], PartyVInfo: [nil, nil, nil],
//	 SuppPubInfo: [keyDataLength in bits, the recipient's protected
//	 header as received, other: 'SUIT Payload Encryption' (a bstr)]]
//
// An HSM implementation of RecipientKey can use it with DeriveKEK.
func KDFContext(r *Recipient) ([]byte, error) {
	if !r.Alg.IsECDH() {
		return nil, &AlgorithmError{Algorithm: r.Alg, Where: "recipient", Reason: "has no KDF context (not ECDH-ES + AES-KW)"}
	}
	b := []byte{0x84}
	b = appendInt(b, int64(r.Alg.wrapAlg()))
	b = append(b, 0x83, 0xf6, 0xf6, 0xf6, 0x83, 0xf6, 0xf6, 0xf6, 0x83)
	b = cbor.AppendHead(b, cbor.Uint, uint64(8*r.Alg.KEKSize()))
	b = appendBstr(b, r.Protected)
	return appendBstr(b, []byte(kdfOther)), nil
}

// DeriveKEK derives the key-encryption key of an ECDH-ES + AES-KW
// recipient from the ECDH shared secret: HKDF-SHA256 with the recipient's
// salt header (none when absent), the KDF context as info, and the
// key-wrap algorithm's key size as length.
func DeriveKEK(r *Recipient, sharedSecret []byte) ([]byte, error) {
	info, err := KDFContext(r)
	if err != nil {
		return nil, err
	}
	kek, err := hkdf.Key(sha256.New, sharedSecret, r.Salt, string(info), r.Alg.KEKSize())
	if err != nil {
		return nil, fmt.Errorf("%w: HKDF: %v", ErrKey, err)
	}
	return kek, nil
}
