package encryption

import (
	"crypto/ecdh"
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
)

// COSE tags and header labels used here (RFC 9052, RFC 9053).
const (
	tagEncrypt  = 96
	tagEncrypt0 = 16

	hdrAlg       = 1
	hdrCrit      = 2
	hdrKid       = 4
	hdrIV        = 5
	hdrPartialIV = 6
	hdrEphemeral = -1
	hdrStaticKey = -2
	hdrStaticID  = -3
	hdrSalt      = -20
	// -21 .. -26: PartyU/PartyV identity, nonce and other.
	hdrPartyFirst = -26
	hdrPartyLast  = -21

	keyKty    = 1
	keyCrv    = -1
	keyX      = -2
	keyY      = -3
	ktyOKP    = 1
	ktyEC2    = 2
	crvP256   = 1
	crvX25519 = 4
)

// Info is a decoded SUIT_Encryption_Info (draft-ietf-suit-firmware-encryption):
// a tagged COSE_Encrypt whose ciphertext is detached (it is the payload),
// with one recipient per device or device group.
type Info struct {
	// Protected is the body's protected header as received (the bstr
	// content, empty for h''); the AEAD's additional data covers it.
	Protected []byte
	// Alg is the content-encryption algorithm.
	Alg Algorithm
	// IV is the nonce (12 bytes) for AES-GCM and ChaCha20/Poly1305, the
	// initial counter block (16 bytes) for AES-CTR.
	IV []byte
	// Recipients hold the content key, wrapped for each recipient.
	Recipients []Recipient
}

// Recipient is one COSE_recipient of the encryption info.
type Recipient struct {
	// Protected is the recipient's protected header as received; the KDF
	// context of ECDH-ES covers it.
	Protected []byte
	// Alg is the key-distribution algorithm (A128KW ... ECDH-ES+A256KW).
	Alg Algorithm
	// KeyID is the kid header, nil when absent: a hint for which device
	// key opens this recipient, never a reason to trust anything.
	KeyID []byte
	// Ephemeral is the sender's ephemeral public key (ECDH-ES), on P-256
	// or X25519.
	Ephemeral *ecdh.PublicKey
	// Salt is the HKDF salt header (-20), nil when absent.
	Salt []byte
	// WrappedKey is the content key wrapped with AES-KW.
	WrappedKey []byte
}

// headers collects what this package reads from a protected + unprotected
// header pair.
type headers struct {
	alg       int64
	hasAlg    bool
	iv        []byte
	kid       []byte
	ephemeral *ecdh.PublicKey
	salt      []byte
}

// ParseInfo decodes encryption info: the content of
// suit-parameter-encryption-info, a tagged COSE_Encrypt. It checks the
// structure and that every algorithm is one this package implements; it
// does no cryptography. Errors match ErrMalformed, ErrUnsupported or
// ErrUnsupportedAlgorithm.
func ParseInfo(b []byte) (*Info, error) {
	r := &reader{b: b}
	m, _, tag, err := r.head()
	if err != nil {
		return nil, err
	}
	if m != cbor.Tag {
		return nil, malformed("encryption info is not a tagged COSE structure")
	}
	switch tag {
	case tagEncrypt:
	case tagEncrypt0:
		return nil, fmt.Errorf("%w: COSE_Encrypt0 (no recipients) as encryption info", ErrUnsupported)
	default:
		return nil, malformed("encryption info has tag %d, not 96 (COSE_Encrypt)", tag)
	}
	n, err := r.array(4, "COSE_Encrypt")
	if err != nil {
		return nil, err
	}
	if n != 4 {
		return nil, malformed("COSE_Encrypt has %d elements, not 4", n)
	}
	info := &Info{}
	h, err := r.headerPair(&info.Protected, "COSE_Encrypt")
	if err != nil {
		return nil, err
	}
	if _, isNil, err := r.bytesOrNil("ciphertext"); err != nil {
		return nil, err
	} else if !isNil {
		return nil, malformed("COSE_Encrypt ciphertext must be detached (nil): the payload is the ciphertext")
	}
	if !h.hasAlg {
		return nil, malformed("COSE_Encrypt has no content algorithm")
	}
	info.Alg = Algorithm(h.alg)
	if !info.Alg.IsContent() {
		return nil, &AlgorithmError{Algorithm: info.Alg, Where: "content", Reason: "is not supported (A128GCM, A256GCM, ChaCha20/Poly1305, A128CTR, A256CTR)"}
	}
	if len(h.iv) != info.Alg.ivSize() {
		return nil, malformed("%s needs a %d-byte IV, the header holds %d bytes", info.Alg, info.Alg.ivSize(), len(h.iv))
	}
	info.IV = h.iv
	if h.kid != nil || h.ephemeral != nil || h.salt != nil {
		return nil, fmt.Errorf("%w: key headers on the COSE_Encrypt body", ErrUnsupported)
	}
	nr, err := r.array(maxRecipients, "recipients")
	if err != nil {
		return nil, err
	}
	if nr == 0 {
		return nil, malformed("COSE_Encrypt has no recipients")
	}
	info.Recipients = make([]Recipient, nr)
	for i := range info.Recipients {
		if err := r.recipient(&info.Recipients[i], info.Alg); err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i, err)
		}
	}
	if r.off != len(b) {
		return nil, malformed("%d bytes after the COSE_Encrypt", len(b)-r.off)
	}
	return info, nil
}

func (r *reader) recipient(rc *Recipient, content Algorithm) error {
	n, err := r.array(4, "COSE_recipient")
	if err != nil {
		return err
	}
	switch n {
	case 3:
	case 4:
		return fmt.Errorf("%w: nested recipients", ErrUnsupported)
	default:
		return malformed("COSE_recipient has %d elements, not 3", n)
	}
	h, err := r.headerPair(&rc.Protected, "recipient")
	if err != nil {
		return err
	}
	if rc.WrappedKey, err = r.bytes("wrapped key"); err != nil {
		return err
	}
	if !h.hasAlg {
		return malformed("recipient has no algorithm")
	}
	rc.Alg = Algorithm(h.alg)
	if rc.Alg.KEKSize() == 0 {
		return &AlgorithmError{Algorithm: rc.Alg, Where: "recipient", Reason: "is not supported (A128KW, A192KW, A256KW, ECDH-ES+A128KW, ECDH-ES+A256KW)"}
	}
	rc.KeyID, rc.Salt = h.kid, h.salt
	if h.iv != nil {
		return malformed("recipient carries an IV")
	}
	if rc.Alg.IsECDH() {
		if h.ephemeral == nil {
			return malformed("%s recipient has no ephemeral key", rc.Alg)
		}
		rc.Ephemeral = h.ephemeral
	} else if h.ephemeral != nil || h.salt != nil {
		return malformed("%s recipient carries ECDH headers", rc.Alg)
	}
	if len(rc.WrappedKey) != content.ContentKeySize()+8 {
		return malformed("wrapped key of %d bytes, %s needs %d", len(rc.WrappedKey), content, content.ContentKeySize()+8)
	}
	return nil
}

// headerPair reads a protected header (bstr, stored in *prot) and an
// unprotected header map.
func (r *reader) headerPair(prot *[]byte, what string) (headers, error) {
	var h headers
	p, err := r.bytes(what + " protected header")
	if err != nil {
		return h, err
	}
	*prot = p
	var protLabels []label
	if len(p) > 0 {
		pr := &reader{b: p}
		n, err := pr.mapHead(what + " protected header")
		if err != nil {
			return h, err
		}
		err = pr.mapItems(n, what+" protected header", 1, func(l label) error {
			protLabels = append(protLabels, l)
			return pr.header(&h, l)
		})
		if err != nil {
			return h, err
		}
		if pr.off != len(p) {
			return h, malformed("%s protected header: trailing bytes", what)
		}
	}
	n, err := r.mapHead(what + " unprotected header")
	if err != nil {
		return h, err
	}
	err = r.mapItems(n, what+" unprotected header", 1, func(l label) error {
		for _, pl := range protLabels {
			if pl == l {
				return malformed("%s: label in both the protected and the unprotected header", what)
			}
		}
		return r.header(&h, l)
	})
	return h, err
}

// header reads the value of header label l into h.
func (r *reader) header(h *headers, l label) error {
	if l.isText {
		return r.skip(2)
	}
	var err error
	switch l.n {
	case hdrAlg:
		h.alg, err = r.int("alg")
		h.hasAlg = true
	case hdrCrit:
		return fmt.Errorf("%w: crit header", ErrUnsupported)
	case hdrKid:
		h.kid, err = r.bytes("kid")
	case hdrIV:
		h.iv, err = r.bytes("IV")
	case hdrPartialIV:
		return fmt.Errorf("%w: partial IV header", ErrUnsupported)
	case hdrEphemeral:
		h.ephemeral, err = r.coseKey()
	case hdrStaticKey, hdrStaticID:
		return fmt.Errorf("%w: static-key ECDH headers", ErrUnsupported)
	case hdrSalt:
		h.salt, err = r.bytes("salt")
	default:
		if l.n >= hdrPartyFirst && l.n <= hdrPartyLast {
			return fmt.Errorf("%w: PartyU/PartyV header %d (the draft's KDF context has none)", ErrUnsupported, l.n)
		}
		err = r.skip(2)
	}
	return err
}

// coseKey reads an ephemeral public COSE_Key: EC2 on P-256 (x and y) or
// OKP on X25519.
func (r *reader) coseKey() (*ecdh.PublicKey, error) {
	n, err := r.mapHead("ephemeral key")
	if err != nil {
		return nil, err
	}
	var kty, crv int64
	var x, y []byte
	err = r.mapItems(n, "ephemeral key", 2, func(l label) error {
		if l.isText {
			return r.skip(3)
		}
		var err error
		switch l.n {
		case keyKty:
			kty, err = r.int("kty")
		case keyCrv:
			crv, err = r.int("crv")
		case keyX:
			x, err = r.bytes("x")
		case keyY:
			if r.off < len(r.b) && (r.b[r.off] == 0xf4 || r.b[r.off] == 0xf5) {
				return fmt.Errorf("%w: compressed EC2 point", ErrUnsupported)
			}
			y, err = r.bytes("y")
		case -4:
			return malformed("ephemeral key holds a private part")
		default:
			err = r.skip(3)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case kty == ktyEC2 && crv == crvP256:
		if len(x) != 32 || len(y) != 32 {
			return nil, malformed("P-256 ephemeral key coordinates must be 32 bytes")
		}
		pt := append(append([]byte{4}, x...), y...)
		k, err := ecdh.P256().NewPublicKey(pt)
		if err != nil {
			return nil, malformed("ephemeral key is not a P-256 point")
		}
		return k, nil
	case kty == ktyOKP && crv == crvX25519:
		if len(x) != 32 || y != nil {
			return nil, malformed("X25519 ephemeral key must be a 32-byte x")
		}
		k, err := ecdh.X25519().NewPublicKey(x)
		if err != nil {
			return nil, malformed("ephemeral key: %v", err)
		}
		return k, nil
	}
	return nil, &AlgorithmError{Where: "", Reason: fmt.Sprintf("ephemeral key kty %d crv %d is not supported (EC2 P-256, OKP X25519)", kty, crv)}
}

// encStructure returns the AEAD additional data: the Enc_structure
// ["Encrypt", protected, h”] (RFC 9052 section 5.3).
func (info *Info) encStructure() []byte {
	b := []byte{0x83, 0x67}
	b = append(b, "Encrypt"...)
	b = appendBstr(b, info.Protected)
	return append(b, 0x40)
}

// Encode returns the deterministic encoding of info as a tagged
// COSE_Encrypt with detached ciphertext: the value for
// suit-parameter-encryption-info. AES-CTR is written as the draft's
// examples write it: the algorithm and IV in the unprotected header and an
// empty protected header (there is no AAD to cover one).
func (info *Info) Encode() ([]byte, error) {
	if !info.Alg.IsContent() {
		return nil, &AlgorithmError{Algorithm: info.Alg, Where: "content", Reason: "is not supported"}
	}
	if len(info.IV) != info.Alg.ivSize() {
		return nil, malformed("%s needs a %d-byte IV", info.Alg, info.Alg.ivSize())
	}
	if len(info.Recipients) == 0 || len(info.Recipients) > maxRecipients {
		return nil, malformed("%d recipients (1 to %d)", len(info.Recipients), maxRecipients)
	}
	for i := range info.Recipients {
		if a := info.Recipients[i].Alg; a.KEKSize() == 0 {
			return nil, &AlgorithmError{Algorithm: a, Where: "recipient", Reason: "is not supported"}
		}
	}
	return info.encodeUnchecked()
}

// encodeUnchecked encodes without checking algorithms and sizes (tests use
// it to build refused inputs).
func (info *Info) encodeUnchecked() ([]byte, error) {
	b := cbor.AppendHead(nil, cbor.Tag, tagEncrypt)
	b = append(b, 0x84)
	if info.Alg != A128CTR && info.Alg != A256CTR {
		b = appendBstr(b, info.Protected)
		b = append(b, 0xa1, hdrIV)
	} else {
		if len(info.Protected) != 0 {
			return nil, malformed("%s takes an empty protected header", info.Alg)
		}
		b = append(b, 0x40, 0xa2, hdrAlg)
		b = appendInt(b, int64(info.Alg))
		b = append(b, hdrIV)
	}
	b = appendBstr(b, info.IV)
	b = append(b, 0xf6)
	b = cbor.AppendHead(b, cbor.Array, uint64(len(info.Recipients)))
	for i := range info.Recipients {
		var err error
		if b, err = info.Recipients[i].appendTo(b); err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i, err)
		}
	}
	return b, nil
}

// appendTo appends the recipient in deterministic encoding: for AES-KW
// [h”, {1: alg, ?4: kid}, wrapped], for ECDH-ES [<<{1: alg}>>, {?4: kid,
// -1: ephemeral key}, wrapped], as the draft's examples do (bar the key
// order).
func (rc *Recipient) appendTo(b []byte) ([]byte, error) {
	b = append(b, 0x83)
	if rc.Alg.IsECDH() {
		if rc.Ephemeral == nil {
			return nil, malformed("%s recipient without an ephemeral key", rc.Alg)
		}
		b = appendBstr(b, rc.Protected)
		n := uint64(1)
		if rc.KeyID != nil {
			n++
		}
		if rc.Salt != nil {
			n++
		}
		b = cbor.AppendHead(b, cbor.Map, n)
		if rc.KeyID != nil {
			b = appendBstr(append(b, hdrKid), rc.KeyID)
		}
		b = append(b, 0x20) // -1
		b = appendCOSEKey(b, rc.Ephemeral)
		if rc.Salt != nil {
			b = appendBstr(append(b, 0x33), rc.Salt) // -20
		}
	} else {
		b = append(b, 0x40)
		if rc.KeyID != nil {
			b = append(b, 0xa2)
		} else {
			b = append(b, 0xa1)
		}
		b = appendInt(append(b, hdrAlg), int64(rc.Alg))
		if rc.KeyID != nil {
			b = appendBstr(append(b, hdrKid), rc.KeyID)
		}
	}
	return appendBstr(b, rc.WrappedKey), nil
}

// appendCOSEKey appends an ephemeral public key as a COSE_Key in
// deterministic order.
func appendCOSEKey(b []byte, k *ecdh.PublicKey) []byte {
	raw := k.Bytes()
	if k.Curve() == ecdh.X25519() {
		b = append(b, 0xa3, keyKty, ktyOKP, 0x20, crvX25519, 0x21)
		return appendBstr(b, raw)
	}
	b = append(b, 0xa4, keyKty, ktyEC2, 0x20, crvP256, 0x21)
	b = appendBstr(b, raw[1:33])
	b = append(b, 0x22)
	return appendBstr(b, raw[33:])
}

// protectedAlg returns the encoding of the protected header {1: alg}.
func protectedAlg(a Algorithm) []byte {
	return appendInt([]byte{0xa1, hdrAlg}, int64(a))
}
