package keys

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"fmt"

	circlsign "github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
)

// ML-DSA (FIPS 204) keys are the types of github.com/cloudflare/circl:
// *mldsa44.PublicKey, *mldsa65.PublicKey, *mldsa87.PublicKey and their
// *PrivateKey counterparts. Their encodings here are:
//
//   - COSE_Key: kty AKP (7) with alg -48, -49 or -50 (required), pub (-1)
//     the FIPS 204 public key encoding and priv (-2) the 32-byte seed ξ
//     (draft-ietf-cose-dilithium, now RFC 9964);
//   - PKIX: SubjectPublicKeyInfo with id-ml-dsa-44/65/87
//     (2.16.840.1.101.3.4.3.17/18/19), no parameters, the public key in the
//     BIT STRING (RFC 9881);
//   - PKCS#8: the same AlgorithmIdentifier, privateKey holding the
//     ML-DSA-PrivateKey CHOICE: seed [0] (written here), expandedKey, or
//     both (read, checked for consistency).

// mldsaSet is one ML-DSA parameter set.
type mldsaSet struct {
	alg    Algorithm
	oid    asn1.ObjectIdentifier
	scheme circlsign.Scheme
}

var mldsaSets = []mldsaSet{
	{MLDSA44, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}, mldsa44.Scheme()},
	{MLDSA65, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}, mldsa65.Scheme()},
	{MLDSA87, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}, mldsa87.Scheme()},
}

// MLDSASeedSize is the size of an ML-DSA private key seed (ξ).
const MLDSASeedSize = 32

func mldsaByAlg(a Algorithm) (mldsaSet, bool) {
	for _, s := range mldsaSets {
		if s.alg == a {
			return s, true
		}
	}
	return mldsaSet{}, false
}

func mldsaByOID(oid asn1.ObjectIdentifier) (mldsaSet, bool) {
	for _, s := range mldsaSets {
		if s.oid.Equal(oid) {
			return s, true
		}
	}
	return mldsaSet{}, false
}

// mldsaAlgOf returns the ML-DSA algorithm of a public key, 0 if pub is not
// an ML-DSA public key.
func mldsaAlgOf(pub crypto.PublicKey) Algorithm {
	switch p := pub.(type) {
	case *mldsa44.PublicKey:
		if p != nil {
			return MLDSA44
		}
	case *mldsa65.PublicKey:
		if p != nil {
			return MLDSA65
		}
	case *mldsa87.PublicKey:
		if p != nil {
			return MLDSA87
		}
	}
	return 0
}

// MLDSASignatureSize returns the size of an ML-DSA signature of
// algorithm a (2420, 3309 or 4627 bytes), 0 if a is not ML-DSA.
func (a Algorithm) MLDSASignatureSize() int {
	if s, ok := mldsaByAlg(a); ok {
		return s.scheme.SignatureSize()
	}
	return 0
}

// IsMLDSA reports whether a is ML-DSA-44, ML-DSA-65 or ML-DSA-87.
func (a Algorithm) IsMLDSA() bool {
	_, ok := mldsaByAlg(a)
	return ok
}

// VerifyMLDSA checks a pure ML-DSA signature with an empty context string
// (the COSE use, RFC 9964) over msg. pub must be an ML-DSA public key of
// algorithm a; anything else, and a signature of the wrong size, is false.
func VerifyMLDSA(a Algorithm, pub crypto.PublicKey, msg, sig []byte) bool {
	s, ok := mldsaByAlg(a)
	if !ok || mldsaAlgOf(pub) != a || len(sig) != s.scheme.SignatureSize() {
		return false
	}
	return s.scheme.Verify(pub.(circlsign.PublicKey), msg, sig, nil)
}

// generateMLDSA makes a key pair from a fresh random seed.
func generateMLDSA(s mldsaSet, seed []byte) *Key {
	pub, priv := s.scheme.DeriveKey(seed)
	return &Key{Signer: priv.(crypto.Signer), Public: pub, Algorithm: s.alg}
}

// mldsaPublicFromBytes decodes an encoded public key of exactly the set's
// size.
func mldsaPublicFromBytes(s mldsaSet, b []byte, format string) (crypto.PublicKey, error) {
	if len(b) != s.scheme.PublicKeySize() {
		return nil, keyErr(format, fmt.Sprintf("%v public key is %d bytes, want %d", s.alg, len(b), s.scheme.PublicKeySize()), nil)
	}
	pub, err := s.scheme.UnmarshalBinaryPublicKey(b)
	if err != nil {
		return nil, keyErr(format, "bad "+s.alg.String()+" public key", err)
	}
	return pub, nil
}

// mldsaFromSeed derives the key pair of a seed and, when pub is given,
// checks it is the seed's public key.
func mldsaFromSeed(s mldsaSet, seed, pub []byte, format string) (*Key, error) {
	if len(seed) != MLDSASeedSize {
		return nil, keyErr(format, fmt.Sprintf("%v seed is %d bytes, want %d", s.alg, len(seed), MLDSASeedSize), nil)
	}
	k := generateMLDSA(s, seed)
	if pub != nil {
		got, _ := k.Public.(circlsign.PublicKey).MarshalBinary()
		if !bytes.Equal(got, pub) {
			return nil, keyErr(format, s.alg.String()+" private seed does not match the public key", nil)
		}
	}
	return k, nil
}

// mldsaSeed returns the seed of an ML-DSA private key, nil if it does not
// have one (a key read from an expanded-only PKCS#8 file).
func mldsaSeed(priv crypto.Signer) []byte {
	if p, ok := priv.(interface{ Seed() []byte }); ok {
		return p.Seed()
	}
	return nil
}

// spki is a SubjectPublicKeyInfo with the parameters left raw, so that
// their absence can be checked.
type spki struct {
	Algorithm struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	}
	PublicKey asn1.BitString
}

// pkcs8 is a OneAsymmetricKey without attributes or public key.
type pkcs8 struct {
	Version   int
	Algorithm struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	}
	PrivateKey []byte
}

// parseMLDSAPKIX parses DER SubjectPublicKeyInfo if it names an ML-DSA
// OID. ok is false for any other algorithm (and for data that is not an
// SPKI), so that the caller can try the standard library.
func parseMLDSAPKIX(der []byte) (pub crypto.PublicKey, ok bool, err error) {
	var info spki
	rest, perr := asn1.Unmarshal(der, &info)
	if perr != nil {
		return nil, false, nil
	}
	s, isML := mldsaByOID(info.Algorithm.OID)
	if !isML {
		return nil, false, nil
	}
	if len(rest) != 0 {
		return nil, true, keyErr("PEM", "trailing data after the ML-DSA public key", nil)
	}
	if len(info.Algorithm.Params.FullBytes) != 0 {
		return nil, true, keyErr("PEM", s.alg.String()+" AlgorithmIdentifier must have no parameters", nil)
	}
	if info.PublicKey.BitLength%8 != 0 {
		return nil, true, keyErr("PEM", "ML-DSA public key BIT STRING is not whole bytes", nil)
	}
	pub, err = mldsaPublicFromBytes(s, info.PublicKey.Bytes, "PEM")
	return pub, true, err
}

// parseMLDSAPKCS8 parses a DER PKCS#8 private key if it names an ML-DSA
// OID (ok false otherwise).
func parseMLDSAPKCS8(der []byte) (k *Key, ok bool, err error) {
	var info pkcs8
	rest, perr := asn1.Unmarshal(der, &info)
	if perr != nil {
		return nil, false, nil
	}
	s, isML := mldsaByOID(info.Algorithm.OID)
	if !isML {
		return nil, false, nil
	}
	fail := func(reason string) (*Key, bool, error) {
		return nil, true, keyErr("PEM", s.alg.String()+" PKCS#8: "+reason, nil)
	}
	if len(rest) != 0 {
		return fail("trailing data")
	}
	if info.Version != 0 {
		return fail("unsupported version")
	}
	if len(info.Algorithm.Params.FullBytes) != 0 {
		return fail("AlgorithmIdentifier must have no parameters")
	}
	inner := info.PrivateKey
	if len(inner) == 0 {
		return fail("empty private key")
	}
	var seed, expanded []byte
	switch inner[0] {
	case 0x80: // seed [0] IMPLICIT OCTET STRING
		var raw asn1.RawValue
		if r, err := asn1.Unmarshal(inner, &raw); err != nil || len(r) != 0 || raw.Class != asn1.ClassContextSpecific || raw.Tag != 0 || raw.IsCompound {
			return fail("malformed seed")
		}
		seed = raw.Bytes
	case 0x04: // expandedKey OCTET STRING
		if r, err := asn1.Unmarshal(inner, &expanded); err != nil || len(r) != 0 {
			return fail("malformed expandedKey")
		}
	case 0x30: // both SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING }
		var both struct{ Seed, Expanded []byte }
		if r, err := asn1.Unmarshal(inner, &both); err != nil || len(r) != 0 {
			return fail("malformed seed and expandedKey")
		}
		seed, expanded = both.Seed, both.Expanded
	default:
		return fail("private key is none of seed, expandedKey, both")
	}
	if seed != nil {
		k, err := mldsaFromSeed(s, seed, nil, "PEM")
		if err != nil {
			return nil, true, err
		}
		if expanded != nil {
			got, _ := k.Signer.(circlsign.PrivateKey).MarshalBinary()
			if !bytes.Equal(got, expanded) {
				return fail("seed does not expand to expandedKey")
			}
		}
		k.Algorithm = 0 // PEM does not restrict the algorithm beyond the key type
		return k, true, nil
	}
	if len(expanded) != s.scheme.PrivateKeySize() {
		return fail(fmt.Sprintf("expandedKey is %d bytes, want %d", len(expanded), s.scheme.PrivateKeySize()))
	}
	priv, err := s.scheme.UnmarshalBinaryPrivateKey(expanded)
	if err != nil {
		return fail("bad expandedKey")
	}
	return &Key{Signer: priv.(crypto.Signer), Public: priv.Public()}, true, nil
}

// marshalMLDSAPKIX encodes an ML-DSA public key as DER SPKI.
func marshalMLDSAPKIX(pub crypto.PublicKey) ([]byte, error) {
	s, _ := mldsaByAlg(mldsaAlgOf(pub))
	b, err := pub.(circlsign.PublicKey).MarshalBinary()
	if err != nil {
		return nil, keyErr("PEM", "cannot encode ML-DSA public key", err)
	}
	var info spki
	info.Algorithm.OID = s.oid
	info.PublicKey = asn1.BitString{Bytes: b, BitLength: 8 * len(b)}
	return asn1.Marshal(info)
}

// marshalMLDSAPKCS8 encodes an ML-DSA private key as DER PKCS#8: the seed
// form when the seed is known, the expandedKey form otherwise.
func marshalMLDSAPKCS8(priv crypto.Signer) ([]byte, error) {
	s, _ := mldsaByAlg(mldsaAlgOf(priv.Public()))
	var inner []byte
	var err error
	if seed := mldsaSeed(priv); seed != nil {
		inner, err = asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: seed})
	} else {
		var expanded []byte
		if expanded, err = priv.(circlsign.PrivateKey).MarshalBinary(); err == nil {
			inner, err = asn1.Marshal(expanded)
		}
	}
	if err != nil {
		return nil, keyErr("PEM", "cannot encode ML-DSA private key", err)
	}
	var info pkcs8
	info.Algorithm.OID = s.oid
	info.PrivateKey = inner
	return asn1.Marshal(info)
}
