package keys

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"
	"slices"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
)

// ParseCOSEKey parses one COSE_Key (RFC 9052 §7): kty EC2 with crv P-256,
// P-384 or P-521 (x, y, optional d), kty OKP with crv Ed25519 (x and/or d)
// or crv X25519 (d, optional x; a key-agreement key, see [Key.Agreement]),
// kty HSS-LMS (pub; RFC 8778), kty AKP with alg ML-DSA-44/65/87 (pub, optional priv: the 32-byte seed;
// RFC 9964), or kty Symmetric (k). Parsing is strict: deterministic-CBOR-style limits,
// no duplicate labels, no tags, no text labels, no unknown labels,
// coordinates of exactly the curve's size, points on the curve, and a
// private scalar that matches the public point. key_ops (4) and Base IV (5)
// are checked for type and otherwise ignored. If alg (3) is present it must
// be a known algorithm that fits the key (an HMAC algorithm for a
// symmetric key).
func ParseCOSEKey(data []byte) (*Key, error) {
	if len(data) > MaxKeyFileSize {
		return nil, keyErr("COSE_Key", fmt.Sprintf("larger than %d bytes", MaxKeyFileSize), nil)
	}
	m, err := decodeLabelMap(data, strictKey)
	if err != nil {
		return nil, keyErr("COSE_Key", "not a CBOR map with integer labels", err)
	}
	kty, err := keyInt(m, cose.KeyKty, true)
	if err != nil {
		return nil, err
	}
	k := &Key{}
	if raw, ok := m[cose.KeyKid]; ok {
		if k.KeyID, err = bstr(raw, "kid"); err != nil {
			return nil, err
		}
		if len(k.KeyID) > MaxKeyIDSize {
			return nil, keyErr("COSE_Key", "kid too long", nil)
		}
	}
	alg, err := keyInt(m, cose.KeyAlg, false)
	if err != nil {
		return nil, err
	}
	if _, present := m[cose.KeyAlg]; present && alg == 0 {
		// 0 is reserved; taking it for "no alg" would lift the restriction.
		return nil, &AlgorithmError{Algorithm: 0, Reason: "COSE_Key alg 0 is reserved"}
	}
	k.Algorithm = Algorithm(alg)
	if raw, ok := m[cose.KeyOps]; ok {
		if major, _, n, _, err := cbor.ReadHead(raw); err != nil || major != cbor.Array || n == 0 {
			return nil, keyErr("COSE_Key", "key_ops must be a non-empty array", nil)
		}
	}
	if raw, ok := m[cose.KeyBaseIV]; ok {
		if _, err := bstr(raw, "Base IV"); err != nil {
			return nil, err
		}
	}
	allowed := map[int64]bool{cose.KeyKty: true, cose.KeyKid: true, cose.KeyAlg: true, cose.KeyOps: true, cose.KeyBaseIV: true, cose.KeyCrv: true}
	switch kty {
	case cose.KtyEC2:
		allowed[cose.KeyX], allowed[cose.KeyY], allowed[cose.KeyD] = true, true, true
	case cose.KtyOKP:
		allowed[cose.KeyX], allowed[cose.KeyD] = true, true
	case cose.KtyAKP:
		allowed[cose.KeyPriv] = true
	}
	if kty == cose.KtyHSSLMS {
		// pub (-1) only: HSS-LMS private keys are state files.
		allowed = map[int64]bool{cose.KeyKty: true, cose.KeyKid: true, cose.KeyAlg: true, cose.KeyOps: true, cose.KeyPub: true}
	}
	for label := range m {
		if !allowed[label] {
			return nil, keyErr("COSE_Key", fmt.Sprintf("unsupported label %d for kty %d", label, kty), nil)
		}
	}
	switch kty {
	case cose.KtyEC2:
		err = parseEC2(m, k)
	case cose.KtyOKP:
		err = parseOKP(m, k)
	case cose.KtyAKP:
		err = parseAKP(m, k)
	case cose.KtyHSSLMS:
		var b []byte
		if b, err = bstr(m[cose.KeyPub], "pub"); err == nil {
			var p *hsslms.PublicKey
			if p, err = hsslms.ParsePublicKey(b); err != nil {
				err = keyErr("COSE_Key", "bad HSS-LMS public key", err)
			} else {
				k.Public = p
			}
		}
	case cose.KtySymmetric:
		k.Secret, err = bstr(m[cose.KeyCrv], "k")
		if err == nil && (len(k.Secret) == 0 || len(k.Secret) > MaxMACKeySize) {
			err = keyErr("COSE_Key", fmt.Sprintf("symmetric key of %d bytes", len(k.Secret)), nil)
		}
		if err == nil && k.Algorithm != 0 && !k.Algorithm.IsMAC() {
			err = &AlgorithmError{Algorithm: k.Algorithm, Reason: "a symmetric key is only used with an HMAC algorithm"}
		}
	default:
		err = keyErr("COSE_Key", fmt.Sprintf("unsupported kty %d", kty), nil)
	}
	if err != nil {
		return nil, err
	}
	if k.Public != nil && k.Algorithm != 0 {
		if err := k.Algorithm.CheckKey(k.Public); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func parseEC2(m map[int64][]byte, k *Key) error {
	crv, err := keyInt(m, cose.KeyCrv, true)
	if err != nil {
		return err
	}
	var curve elliptic.Curve
	switch crv {
	case cose.CrvP256:
		curve = elliptic.P256()
	case cose.CrvP384:
		curve = elliptic.P384()
	case cose.CrvP521:
		curve = elliptic.P521()
	default:
		return keyErr("COSE_Key", fmt.Sprintf("unsupported EC2 curve %d", crv), nil)
	}
	size := (curve.Params().BitSize + 7) / 8
	var pub *ecdsa.PublicKey
	_, hasX := m[cose.KeyX]
	_, hasY := m[cose.KeyY]
	if hasX || hasY {
		x, err := bstr(m[cose.KeyX], "x")
		if err != nil {
			return err
		}
		y, err := bstr(m[cose.KeyY], "y (compressed points are not supported)")
		if err != nil {
			return err
		}
		if len(x) != size || len(y) != size {
			return keyErr("COSE_Key", fmt.Sprintf("EC2 coordinates must be %d bytes each", size), nil)
		}
		point := append(append([]byte{4}, x...), y...)
		if pub, err = ecdsa.ParseUncompressedPublicKey(curve, point); err != nil {
			return keyErr("COSE_Key", "EC2 point is not on the curve", err)
		}
	}
	if raw, ok := m[cose.KeyD]; ok {
		d, err := bstr(raw, "d")
		if err != nil {
			return err
		}
		priv, err := ecdsa.ParseRawPrivateKey(curve, d)
		if err != nil {
			return keyErr("COSE_Key", "bad EC2 private scalar", err)
		}
		if pub != nil && !pub.Equal(&priv.PublicKey) {
			return keyErr("COSE_Key", "EC2 d does not match x, y", nil)
		}
		k.Signer, k.Public = priv, &priv.PublicKey
		return nil
	}
	if pub == nil {
		return keyErr("COSE_Key", "EC2 key has neither x/y nor d", nil)
	}
	k.Public = pub
	return nil
}

func parseOKP(m map[int64][]byte, k *Key) error {
	crv, err := keyInt(m, cose.KeyCrv, true)
	if err != nil {
		return err
	}
	if crv == cose.CrvX25519 {
		return parseX25519(m, k)
	}
	if crv != cose.CrvEd25519 {
		return keyErr("COSE_Key", fmt.Sprintf("unsupported OKP curve %d (only Ed25519 and X25519)", crv), nil)
	}
	var pub ed25519.PublicKey
	if raw, ok := m[cose.KeyX]; ok {
		x, err := bstr(raw, "x")
		if err != nil {
			return err
		}
		if len(x) != ed25519.PublicKeySize {
			return keyErr("COSE_Key", "Ed25519 x must be 32 bytes", nil)
		}
		pub = ed25519.PublicKey(x)
	}
	if raw, ok := m[cose.KeyD]; ok {
		d, err := bstr(raw, "d")
		if err != nil {
			return err
		}
		if len(d) != ed25519.SeedSize {
			return keyErr("COSE_Key", "Ed25519 d must be 32 bytes", nil)
		}
		priv := ed25519.NewKeyFromSeed(d)
		derived := priv.Public().(ed25519.PublicKey)
		if pub != nil && !bytes.Equal(pub, derived) {
			return keyErr("COSE_Key", "Ed25519 d does not match x", nil)
		}
		k.Signer, k.Public = priv, derived
		return nil
	}
	if pub == nil {
		return keyErr("COSE_Key", "OKP key has neither x nor d", nil)
	}
	k.Public = pub
	return nil
}

// parseX25519 reads an X25519 key-agreement private key (kty OKP, crv
// X25519): d is required, and x, when present, must be the public key d
// derives. A public-only X25519 COSE_Key is refused: nothing here verifies
// with one, and a decryption key needs d.
func parseX25519(m map[int64][]byte, k *Key) error {
	raw, ok := m[cose.KeyD]
	if !ok {
		return keyErr("COSE_Key", "X25519 key has no d (only X25519 private keys are accepted)", nil)
	}
	d, err := bstr(raw, "d")
	if err != nil {
		return err
	}
	if len(d) != x25519Size {
		return keyErr("COSE_Key", fmt.Sprintf("X25519 d must be %d bytes, got %d", x25519Size, len(d)), nil)
	}
	priv, err := ecdh.X25519().NewPrivateKey(d)
	clear(d)
	if err != nil {
		return keyErr("COSE_Key", "bad X25519 private key", err)
	}
	if raw, ok := m[cose.KeyX]; ok {
		x, err := bstr(raw, "x")
		if err != nil {
			return err
		}
		if len(x) != x25519Size {
			return keyErr("COSE_Key", fmt.Sprintf("X25519 x must be %d bytes, got %d", x25519Size, len(x)), nil)
		}
		if !bytes.Equal(x, priv.PublicKey().Bytes()) {
			return keyErr("COSE_Key", "X25519 d does not match x", nil)
		}
	}
	k.Agreement, k.Public = priv, priv.PublicKey()
	return nil
}

// x25519Size is the length of an X25519 private scalar and public key.
const x25519Size = 32

// parseAKP reads an ML-DSA key of kty AKP: alg is required and names the
// parameter set; pub (-1) and/or priv (-2, the seed).
func parseAKP(m map[int64][]byte, k *Key) error {
	set, ok := mldsaByAlg(k.Algorithm)
	if !ok {
		return &AlgorithmError{Algorithm: k.Algorithm, Reason: "a COSE_Key of kty AKP needs alg ML-DSA-44, ML-DSA-65 or ML-DSA-87"}
	}
	var pubBytes []byte
	if raw, ok := m[cose.KeyPub]; ok {
		var err error
		if pubBytes, err = bstr(raw, "pub"); err != nil {
			return err
		}
		if _, err := mldsaPublicFromBytes(set, pubBytes, "COSE_Key"); err != nil {
			return err
		}
	}
	if raw, ok := m[cose.KeyPriv]; ok {
		seed, err := bstr(raw, "priv")
		if err != nil {
			return err
		}
		got, err := mldsaFromSeed(set, seed, pubBytes, "COSE_Key")
		if err != nil {
			return err
		}
		k.Signer, k.Public = got.Signer, got.Public
		return nil
	}
	if pubBytes == nil {
		return keyErr("COSE_Key", "AKP key has neither pub nor priv", nil)
	}
	pub, err := mldsaPublicFromBytes(set, pubBytes, "COSE_Key")
	if err != nil {
		return err
	}
	k.Public = pub
	return nil
}

// keyInt reads an integer label; text values are rejected.
func keyInt(m map[int64][]byte, label int64, required bool) (int64, error) {
	raw, ok := m[label]
	if !ok {
		if required {
			return 0, keyErr("COSE_Key", fmt.Sprintf("missing label %d", label), nil)
		}
		return 0, nil
	}
	if len(raw) == 0 || (raw[0]>>5 != cbor.Uint && raw[0]>>5 != cbor.Nint) {
		return 0, keyErr("COSE_Key", fmt.Sprintf("label %d must be an integer", label), nil)
	}
	v, ok := readInt64(raw)
	if !ok {
		return 0, keyErr("COSE_Key", fmt.Sprintf("label %d out of range", label), nil)
	}
	return v, nil
}

// bstr returns the content of a byte string value (major type 2 only).
func bstr(raw []byte, what string) ([]byte, error) {
	if len(raw) == 0 {
		return nil, keyErr("COSE_Key", "missing "+what, nil)
	}
	major, _, n, hl, err := cbor.ReadHead(raw)
	if err != nil || major != cbor.Bytes {
		return nil, keyErr("COSE_Key", what+" must be a byte string", nil)
	}
	if uint64(len(raw)-hl) != n {
		return nil, keyErr("COSE_Key", "bad "+what, nil)
	}
	return bytes.Clone(raw[hl:]), nil
}

// MarshalCOSEKey encodes k as a deterministic COSE_Key: EC2 (x, y and d
// when private), OKP Ed25519 (x and d when private), OKP X25519 (x and d;
// only with Agreement set), AKP ML-DSA (alg, pub
// and the seed as priv when private) or Symmetric (k). kid
// and alg are included when set.
func (k *Key) MarshalCOSEKey() ([]byte, error) {
	if k == nil {
		return nil, keyErr("COSE_Key", "nil key", nil)
	}
	m := map[int64][]byte{}
	if k.KeyID != nil {
		m[cose.KeyKid] = cose.AppendBstr(nil, k.KeyID)
	}
	if k.Algorithm != 0 {
		m[cose.KeyAlg] = cose.AppendInt(nil, int64(k.Algorithm))
	}
	switch pub := k.Public.(type) {
	case nil:
		if len(k.Secret) == 0 {
			return nil, keyErr("COSE_Key", "empty key", nil)
		}
		m[cose.KeyKty] = cose.AppendInt(nil, cose.KtySymmetric)
		m[cose.KeyCrv] = cose.AppendBstr(nil, k.Secret)
	case *ecdsa.PublicKey:
		m[cose.KeyKty] = cose.AppendInt(nil, cose.KtyEC2)
		switch pub.Curve {
		case elliptic.P256():
			m[cose.KeyCrv] = cose.AppendInt(nil, cose.CrvP256)
		case elliptic.P384():
			m[cose.KeyCrv] = cose.AppendInt(nil, cose.CrvP384)
		case elliptic.P521():
			m[cose.KeyCrv] = cose.AppendInt(nil, cose.CrvP521)
		default:
			return nil, keyErr("COSE_Key", "unsupported curve "+curveName(pub), nil)
		}
		point, err := pub.Bytes()
		if err != nil {
			return nil, keyErr("COSE_Key", "bad public key", err)
		}
		size := (len(point) - 1) / 2
		m[cose.KeyX], m[cose.KeyY] = cose.AppendBstr(nil, point[1:1+size]), cose.AppendBstr(nil, point[1+size:])
		if k.Signer != nil {
			priv, ok := k.Signer.(*ecdsa.PrivateKey)
			if !ok {
				return nil, keyErr("COSE_Key", fmt.Sprintf("cannot export private key of type %T", k.Signer), nil)
			}
			d, err := priv.Bytes()
			if err != nil {
				return nil, keyErr("COSE_Key", "bad private key", err)
			}
			m[cose.KeyD] = cose.AppendBstr(nil, d)
		}
	case ed25519.PublicKey:
		m[cose.KeyKty] = cose.AppendInt(nil, cose.KtyOKP)
		m[cose.KeyCrv] = cose.AppendInt(nil, cose.CrvEd25519)
		m[cose.KeyX] = cose.AppendBstr(nil, pub)
		if k.Signer != nil {
			priv, ok := k.Signer.(ed25519.PrivateKey)
			if !ok {
				return nil, keyErr("COSE_Key", fmt.Sprintf("cannot export private key of type %T", k.Signer), nil)
			}
			m[cose.KeyD] = cose.AppendBstr(nil, priv.Seed())
		}
	case *ecdh.PublicKey:
		if k.Agreement == nil || pub.Curve() != ecdh.X25519() || !k.Agreement.PublicKey().Equal(pub) {
			return nil, keyErr("COSE_Key", "only an X25519 private key (with its own public key) has an ECDH COSE_Key form here", nil)
		}
		m[cose.KeyKty] = cose.AppendInt(nil, cose.KtyOKP)
		m[cose.KeyCrv] = cose.AppendInt(nil, cose.CrvX25519)
		m[cose.KeyX] = cose.AppendBstr(nil, pub.Bytes())
		m[cose.KeyD] = cose.AppendBstr(nil, k.Agreement.Bytes())
	case *hsslms.PublicKey:
		if k.Signer != nil {
			return nil, keyErr("COSE_Key", "an HSS-LMS private key is a state file, it has no COSE_Key form", nil)
		}
		m[cose.KeyKty] = cose.AppendInt(nil, cose.KtyHSSLMS)
		m[cose.KeyPub] = cose.AppendBstr(nil, pub.Bytes())
	default:
		alg := mldsaAlgOf(pub)
		if alg == 0 {
			return nil, keyErr("COSE_Key", fmt.Sprintf("unsupported public key type %T", pub), nil)
		}
		if k.Algorithm != 0 && k.Algorithm != alg {
			return nil, &AlgorithmError{Algorithm: k.Algorithm, Reason: "does not fit a " + alg.String() + " key"}
		}
		m[cose.KeyKty] = cose.AppendInt(nil, cose.KtyAKP)
		m[cose.KeyAlg] = cose.AppendInt(nil, int64(alg)) // required for AKP
		b, err := pub.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
		if err != nil {
			return nil, keyErr("COSE_Key", "bad public key", err)
		}
		m[cose.KeyPub] = cose.AppendBstr(nil, b)
		if k.Signer != nil {
			seed := mldsaSeed(k.Signer)
			if len(seed) != MLDSASeedSize {
				return nil, keyErr("COSE_Key", "an ML-DSA private key without its seed has no COSE_Key form (RFC 9964 carries the seed)", nil)
			}
			m[cose.KeyPriv] = cose.AppendBstr(nil, seed)
		}
	}
	return encodeLabelMap(m), nil
}

// encodeLabelMap writes m as a deterministic CBOR map (RFC 8949 section
// 4.2.1: keys sorted by their encoding).
func encodeLabelMap(m map[int64][]byte) []byte {
	type pair struct{ k, v []byte }
	pairs := make([]pair, 0, len(m))
	for label, v := range m {
		pairs = append(pairs, pair{cose.AppendInt(nil, label), v})
	}
	slices.SortFunc(pairs, func(a, b pair) int { return bytes.Compare(a.k, b.k) })
	out := cbor.AppendHead(nil, cbor.Map, uint64(len(pairs)))
	for _, p := range pairs {
		out = append(append(out, p.k...), p.v...)
	}
	return out
}
