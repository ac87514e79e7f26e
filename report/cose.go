package report

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// Authenticator is the device key that protects reports. A secure element
// can implement it: the key never has to leave it.
type Authenticator interface {
	// Algorithm is the COSE algorithm: a signature algorithm gives a
	// COSE_Sign1, an HMAC algorithm a COSE_Mac0.
	Algorithm() keys.Algorithm
	// KeyID is put in the unprotected header (label 4) as a hint for the
	// server; nil for none.
	KeyID() []byte
	// Authenticate returns the COSE signature (raw r||s for ECDSA) or MAC
	// tag over toBeSigned, the Sig_structure or MAC_structure.
	Authenticate(toBeSigned []byte) ([]byte, error)
}

// KeyAuthenticator returns an Authenticator for a private key or MAC
// secret loaded with package keys. alg 0 picks the key's own algorithm
// (COSE_Key alg, else ES256/ES384/ES512 by curve, EdDSA, HMAC 256/256).
func KeyAuthenticator(k *keys.Key, alg keys.Algorithm) (Authenticator, error) {
	if k == nil || !k.IsPrivate() {
		return nil, fmt.Errorf("%w: a report key must be a private key or a MAC secret", ErrKey)
	}
	if alg == 0 {
		alg = k.Algorithm
	}
	if k.IsSymmetric() {
		if alg == 0 {
			alg = keys.HMAC256
		}
		if !alg.IsMAC() {
			return nil, fmt.Errorf("%w: %v is not a MAC algorithm", ErrKey, alg)
		}
		if err := keys.CheckMACSecret(k.Secret); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKey, err)
		}
		return &keyAuth{alg: alg, kid: k.KeyID, secret: k.Secret}, nil
	}
	if alg == 0 {
		var err error
		if alg, err = keys.DefaultAlgorithm(k.Public); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKey, err)
		}
	}
	if err := alg.CheckKey(k.Public); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return &keyAuth{alg: alg, kid: k.KeyID, signer: k.Signer}, nil
}

type keyAuth struct {
	alg    keys.Algorithm
	kid    []byte
	signer crypto.Signer
	secret []byte
}

func (a *keyAuth) Algorithm() keys.Algorithm { return a.alg }
func (a *keyAuth) KeyID() []byte             { return a.kid }

func (a *keyAuth) Authenticate(tbs []byte) ([]byte, error) {
	if a.secret != nil {
		return macTag(a.alg, a.secret, tbs)
	}
	if curve := a.alg.Curve(); curve != nil {
		h := a.alg.Hash().New()
		h.Write(tbs)
		der, err := a.signer.Sign(rand.Reader, h.Sum(nil), a.alg.Hash())
		if err != nil {
			return nil, err
		}
		return cose.DERToRaw(der, (curve.Params().BitSize+7)/8)
	}
	return a.signer.Sign(rand.Reader, tbs, crypto.Hash(0))
}

func macTag(alg keys.Algorithm, secret, tbs []byte) ([]byte, error) {
	var h func() hash.Hash
	switch alg.Hash() {
	case crypto.SHA256:
		h = sha256.New
	case crypto.SHA384:
		h = sha512.New384
	case crypto.SHA512:
		h = sha512.New
	default:
		return nil, fmt.Errorf("%w: %v is not a MAC algorithm", ErrKey, alg)
	}
	m := hmac.New(h, secret)
	m.Write(tbs)
	return m.Sum(nil), nil
}

// Seal encodes r and protects it with a: a tagged COSE_Sign1 (18) for a
// signature algorithm or COSE_Mac0 (17) for HMAC, protected header
// {1: alg}, unprotected {4: kid} (or {}), the encoded report as the
// attached payload. The result is what a device sends
// (application/suit-report+cose).
func Seal(r *Report, a Authenticator) ([]byte, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: no authenticator", ErrKey)
	}
	payload, err := r.Encode()
	if err != nil {
		return nil, err
	}
	return seal(payload, a)
}

// seal wraps payload (an encoded report or COSE_Encrypt0) in a COSE_Sign1
// or COSE_Mac0 made with a.
func seal(payload []byte, a Authenticator) ([]byte, error) {
	alg := a.Algorithm()
	if !alg.Known() {
		return nil, fmt.Errorf("%w: unknown algorithm %v", ErrKey, alg)
	}
	prot := cose.ProtectedAlg(int64(alg))
	ctx, tag := cose.ContextSignature1, uint64(cose.TagSign1)
	if alg.IsMAC() {
		ctx, tag = cose.ContextMAC0, cose.TagMac0
	}
	val, err := a.Authenticate(cose.AppendToBeSigned(nil, ctx, prot, nil, payload))
	if err != nil {
		return nil, fmt.Errorf("%w: %v authentication failed: %w", ErrKey, alg, err)
	}
	out := cbor.AppendHead(nil, cbor.Tag, tag)
	out = cbor.AppendHead(out, cbor.Array, 4)
	out = cose.AppendBstr(out, prot)
	if kid := a.KeyID(); kid != nil {
		out = cose.AppendBstr(append(out, 0xa1, cose.HeaderKid), kid)
	} else {
		out = append(out, 0xa0)
	}
	out = cose.AppendBstr(out, payload)
	return cose.AppendBstr(out, val), nil
}

// Sealed is a parsed, not yet verified, report container.
type Sealed struct {
	MAC       bool           // COSE_Mac0 rather than COSE_Sign1
	Algorithm keys.Algorithm // from the protected header
	KeyID     []byte         // unprotected kid, nil when absent (a hint only)
	Payload   []byte         // the encoded report, or a COSE_Encrypt0 holding it
	// Encrypted is true when Payload is a COSE_Encrypt0 (open it with
	// VerifyEncrypted).
	Encrypted bool
	protected []byte
	value     []byte
}

// Parse parses a COSE_Sign1 or COSE_Mac0 (tagged or untagged) holding a
// report, without checking its signature: for showing a report whose key
// is not at hand. Use Verify to trust it.
func Parse(b []byte, lim *Limits) (*Sealed, error) {
	l := lim.resolve()
	if len(b) > l.size {
		return nil, &DecodeError{Err: ErrLimit, Detail: fmt.Sprintf("container of %d bytes exceeds the limit of %d", len(b), l.size)}
	}
	d := &dec{b: b, lim: l, path: "COSE"}
	s := &Sealed{}
	tagged := false
	if d.peek() == cbor.Tag {
		at := d.off
		_, tag, err := d.head()
		if err != nil {
			return nil, err
		}
		switch tag {
		case cose.TagSign1:
		case cose.TagMac0:
			s.MAC = true
		default:
			return nil, d.fail(ErrMalformed, at, "tag %d is neither COSE_Sign1 (18) nor COSE_Mac0 (17)", tag)
		}
		tagged = true
	}
	start := d.off
	n, err := d.array(4, "COSE message")
	if err != nil {
		return nil, err
	}
	if n != 4 {
		return nil, d.fail(ErrMalformed, start, "COSE_Sign1/COSE_Mac0 must have 4 elements")
	}
	pAt := d.off
	if s.protected, err = d.str(cbor.Bytes, "a bstr (protected header)"); err != nil {
		return nil, err
	}
	alg, hasAlg, err := protectedAlg(s.protected, l)
	if err != nil {
		return nil, d.fail(ErrMalformed, pAt, "protected header: %v", err)
	}
	if !hasAlg {
		return nil, d.fail(ErrMalformed, pAt, "protected header has no algorithm")
	}
	s.Algorithm = alg
	if !tagged {
		s.MAC = alg.IsMAC()
	}
	if s.MAC != alg.IsMAC() {
		return nil, d.fail(ErrMalformed, pAt, "algorithm %v does not fit the container", alg)
	}
	uAt := d.off
	un, err := d.mapHead(l.elements, "unprotected header")
	if err != nil {
		return nil, err
	}
	var prev []byte
	for i := 0; i < un; i++ {
		k, err := d.key(prev, 2)
		if err != nil {
			return nil, err
		}
		prev = k
		label, ok := intItem(k)
		if !ok {
			return nil, d.fail(ErrMalformed, uAt, "unprotected header label is not an integer")
		}
		if label == cose.HeaderKid {
			if s.KeyID, err = d.str(cbor.Bytes, "a bstr (kid)"); err != nil {
				return nil, err
			}
			continue
		}
		if label == cose.HeaderAlg || label == cose.HeaderCrit {
			return nil, d.fail(ErrMalformed, uAt, "header %d must be protected", label)
		}
		if _, err := d.skip(2); err != nil {
			return nil, err
		}
	}
	if s.Payload, err = d.str(cbor.Bytes, "a bstr (attached report; a report is never detached)"); err != nil {
		return nil, err
	}
	if s.value, err = d.str(cbor.Bytes, "a bstr (signature or tag)"); err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, d.fail(ErrMalformed, d.off, "trailing bytes after the COSE message")
	}
	s.Encrypted = encrypted(s.Payload)
	return s, nil
}

// protectedAlg reads the protected header map: it must hold only alg
// (label 1) and optionally content type; crit is refused (nothing here is
// critical-aware).
func protectedAlg(p []byte, l limits) (keys.Algorithm, bool, error) {
	if len(p) == 0 {
		return 0, false, nil
	}
	d := &dec{b: p, lim: l}
	n, err := d.mapHead(l.elements, "protected header")
	if err != nil {
		return 0, false, err
	}
	var alg int64
	has := false
	var prev []byte
	for i := 0; i < n; i++ {
		k, err := d.key(prev, 1)
		if err != nil {
			return 0, false, err
		}
		prev = k
		label, ok := intItem(k)
		switch {
		case ok && label == cose.HeaderAlg:
			if alg, err = d.int(); err != nil {
				return 0, false, err
			}
			has = true
		case ok && label == cose.HeaderContentType:
			if _, err := d.skip(1); err != nil {
				return 0, false, err
			}
		default:
			return 0, false, fmt.Errorf("unsupported protected header %x", k)
		}
	}
	if d.off != len(p) {
		return 0, false, fmt.Errorf("trailing bytes")
	}
	return keys.Algorithm(alg), has, nil
}

// Verify checks a sealed report's signature or MAC with the device's key
// (a public key for COSE_Sign1, the shared secret for COSE_Mac0) and
// decodes the report. A report whose authentication does not verify, or
// whose algorithm does not fit the key (or the key's COSE alg), is refused
// with ErrUnauthenticated before its payload is decoded.
func Verify(b []byte, key *keys.Key, lim *Limits) (*Report, error) {
	s, err := Parse(b, lim)
	if err != nil {
		return nil, err
	}
	if err := s.verify(key); err != nil {
		return nil, err
	}
	if s.Encrypted {
		return nil, fmt.Errorf("%w: the report is a COSE_Encrypt0; use VerifyEncrypted with the content key", ErrEncrypted)
	}
	return Decode(s.Payload, lim)
}

func (s *Sealed) verify(k *keys.Key) error {
	if k == nil {
		return fmt.Errorf("%w: no key", ErrKey)
	}
	alg := s.Algorithm
	if !alg.Known() {
		return fmt.Errorf("%w: unknown algorithm %v", ErrUnauthenticated, alg)
	}
	if k.Algorithm != 0 && k.Algorithm != alg {
		return fmt.Errorf("%w: the key is restricted to %v, the report uses %v", ErrUnauthenticated, k.Algorithm, alg)
	}
	ctx := cose.ContextSignature1
	if s.MAC {
		ctx = cose.ContextMAC0
	}
	tbs := cose.AppendToBeSigned(nil, ctx, s.protected, nil, s.Payload)
	ok := false
	switch {
	case s.MAC:
		if k.Secret == nil {
			return fmt.Errorf("%w: a COSE_Mac0 report needs the device's MAC secret", ErrUnauthenticated)
		}
		tag, err := macTag(alg, k.Secret, tbs)
		ok = err == nil && hmac.Equal(tag, s.value)
	default:
		if k.Public == nil || alg.CheckKey(k.Public) != nil {
			return fmt.Errorf("%w: %v does not fit the key", ErrUnauthenticated, alg)
		}
		switch pub := k.Public.(type) {
		case *ecdsa.PublicKey:
			ok = verifyECDSA(pub, alg, tbs, s.value)
		case ed25519.PublicKey:
			ok = len(s.value) == ed25519.SignatureSize && ed25519.Verify(pub, tbs, s.value)
		}
	}
	if !ok {
		return fmt.Errorf("%w: the %v signature or tag does not verify", ErrUnauthenticated, alg)
	}
	return nil
}

func verifyECDSA(pub *ecdsa.PublicKey, alg keys.Algorithm, tbs, sig []byte) bool {
	curve := alg.Curve()
	if curve == nil || pub.Curve != curve {
		return false
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	h := alg.Hash().New()
	h.Write(tbs)
	der, ok := cose.RawToDER(nil, sig[:size], sig[size:])
	return ok && ecdsa.VerifyASN1(pub, h.Sum(nil), der)
}
