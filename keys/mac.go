package keys

import (
	"bytes"
	"crypto/x509"
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
)

// ParseMACKey loads an HMAC secret: a symmetric COSE_Key (kty 4), or else
// the raw bytes of the file, which must be [MinMACKeySize] to
// [MaxMACKeySize] bytes long ([ErrWeakSecret] otherwise).
//
// Anything that is a key of another kind is refused with an error matching
// [ErrKeyType], however long it is: a PEM block, a DER-encoded public or
// private key, an EC2 or OKP COSE_Key, an OpenSSH public key line. Used as
// an HMAC secret, a public key would let anyone who holds it forge MACs.
// A CBOR map whose kty label says Symmetric must be a valid symmetric
// COSE_Key; raw secrets are random bytes, which are almost never such a
// map (a generated secret that happened to be one would be refused or
// read as the COSE_Key it spells, never used as an asymmetric key).
func ParseMACKey(data []byte) (*Key, error) {
	if len(data) > MaxKeyFileSize {
		return nil, keyErr("HMAC", fmt.Sprintf("larger than %d bytes", MaxKeyFileSize), nil)
	}
	if kty, ok := coseKeyType(data); ok && kty == cose.KtySymmetric {
		k, err := ParseCOSEKey(data)
		if err != nil {
			return nil, err
		}
		if err := CheckMACSecret(k.Secret); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err := CheckMACSecret(data); err != nil {
		return nil, err
	}
	return &Key{Secret: bytes.Clone(data)}, nil
}

// CheckMACSecret reports whether secret may be used as raw HMAC key bytes.
// It refuses, with an error matching [ErrKeyType], bytes that are a key of
// another kind or a key file (see [ParseMACKey]: PEM, DER, OpenSSH, any
// COSE_Key, whose secret is its k parameter, not the file), and, with an
// error matching [ErrWeakSecret], secrets shorter than [MinMACKeySize] or
// longer than [MaxMACKeySize]. sign and verify call it on every secret they
// are given, so that a public key cannot become a MAC key by any path.
func CheckMACSecret(secret []byte) error {
	if reason := asymmetricForm(secret); reason != "" {
		return keyErr("HMAC", reason+" is not an HMAC secret (an asymmetric key signs, it is not shared)", ErrKeyType)
	}
	if kty, ok := coseKeyType(secret); ok {
		if kty == cose.KtySymmetric {
			return keyErr("HMAC", "a symmetric COSE_Key file is not the raw secret (parse it as a MAC key to get its k)", ErrKeyType)
		}
		return keyErr("HMAC", fmt.Sprintf("a COSE_Key of kty %d (asymmetric) is not an HMAC secret", kty), ErrKeyType)
	}
	if len(secret) < MinMACKeySize || len(secret) > MaxMACKeySize {
		return keyErr("HMAC", fmt.Sprintf("secret is %d bytes, want %d to %d", len(secret), MinMACKeySize, MaxMACKeySize), ErrWeakSecret)
	}
	return nil
}

// asymmetricForm names the asymmetric-key encoding data is in, or returns
// "" when it is in none this package recognises.
func asymmetricForm(data []byte) string {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case looksPEM(data):
		return "a PEM block"
	case bytes.HasPrefix(trimmed, []byte("ssh-")), bytes.HasPrefix(trimmed, []byte("ecdsa-sha2-")):
		return "an OpenSSH public key"
	case bytes.HasPrefix(data, []byte("suitkit HSS-LMS key state")): // hsslms/hsskey.Magic
		return "an HSS-LMS key state"
	}
	if len(data) > 0 && data[0] == 0x30 { // an ASN.1 SEQUENCE: try the DER key forms
		if _, ok, _ := parseHSSPKIX(data); ok {
			return "a DER HSS-LMS public key"
		}
		if _, ok, _ := parseMLDSAPKIX(data); ok {
			return "a DER ML-DSA public key"
		}
		if _, ok, _ := parseMLDSAPKCS8(data); ok {
			return "a DER ML-DSA private key"
		}
		if _, err := x509.ParsePKIXPublicKey(data); err == nil {
			return "a DER public key"
		}
		if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
			return "a DER PKCS#8 private key"
		}
		if _, err := x509.ParseECPrivateKey(data); err == nil {
			return "a DER SEC1 private key"
		}
		if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
			return "a DER RSA private key"
		}
		if _, err := x509.ParsePKCS1PublicKey(data); err == nil {
			return "a DER RSA public key"
		}
	}
	return ""
}

// coseKeyType returns the kty of data when data is one complete,
// well-formed CBOR map in which some label 1 (kty) holds 1 (OKP), 2 (EC2),
// 3 (RSA), 4 (Symmetric), 5 (HSS-LMS) or 7 (AKP): a file meant as a COSE_Key, whatever else is
// wrong with it (duplicate or out-of-range labels, tags included). Random
// secret bytes have this form with a probability of about 1e-9 (32 bytes).
func coseKeyType(data []byte) (int64, bool) {
	major, _, n, hl, err := cbor.ReadHead(data)
	if err != nil || major != cbor.Map || n > uint64(sniff.maxItems) {
		return 0, false
	}
	off, kty := hl, int64(0)
	for range n {
		key := off
		if off, err = sniff.skipItem(data, off, 1); err != nil {
			return 0, false
		}
		val := off
		if off, err = sniff.skipItem(data, off, 1); err != nil {
			return 0, false
		}
		if val-key == 1 && data[key] == cose.KeyKty && off-val == 1 && (data[val] >= cose.KtyOKP && data[val] <= cose.KtyHSSLMS || data[val] == cose.KtyAKP) {
			kty = int64(data[val])
		}
	}
	if off != len(data) || kty == 0 {
		return 0, false
	}
	return kty, true
}
