package report

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// Content encryption algorithms for COSE_Encrypt0 reports (RFC 9053).
const (
	A128GCM int64 = 1
	A192GCM int64 = 2
	A256GCM int64 = 3
)

// ErrEncrypted: the report's payload is a COSE_Encrypt0 and no content key
// was given (use VerifyEncrypted), or the content key cannot open it.
var ErrEncrypted = errors.New("report: encrypted")

// ContentKey is the symmetric key a device and its server share to keep
// reports confidential: the draft's SUIT_Report_COSE_Encrypt0 inside the
// signed or MACed payload.
type ContentKey struct {
	// Algorithm is A128GCM, A192GCM or A256GCM.
	Algorithm int64
	// Key is 16, 24 or 32 bytes, matching Algorithm.
	Key []byte
	// KeyID, if not nil, goes in the unprotected header (a hint only).
	KeyID []byte
}

const gcmIVSize = 12

func (ck *ContentKey) aead() (cipher.AEAD, error) {
	if ck == nil {
		return nil, fmt.Errorf("%w: no content key", ErrEncrypted)
	}
	want := map[int64]int{A128GCM: 16, A192GCM: 24, A256GCM: 32}[ck.Algorithm]
	if want == 0 {
		return nil, fmt.Errorf("%w: content algorithm %d (want A128GCM 1, A192GCM 2 or A256GCM 3)", ErrKey, ck.Algorithm)
	}
	if len(ck.Key) != want {
		return nil, fmt.Errorf("%w: algorithm %d needs a %d-byte key, not %d", ErrKey, ck.Algorithm, want, len(ck.Key))
	}
	b, err := aes.NewCipher(ck.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	return cipher.NewGCM(b)
}

// SealEncrypted is Seal with the report encrypted first: the COSE_Sign1 or
// COSE_Mac0 payload is a tagged COSE_Encrypt0 (protected {1: alg},
// unprotected {5: IV} and the kid when set, attached ciphertext) holding
// the encoded report. A fresh random IV is used for every report.
func SealEncrypted(r *Report, a Authenticator, ck *ContentKey) ([]byte, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: no authenticator", ErrKey)
	}
	g, err := ck.aead()
	if err != nil {
		return nil, err
	}
	plain, err := r.Encode()
	if err != nil {
		return nil, err
	}
	iv := make([]byte, gcmIVSize)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	prot := cose.ProtectedAlg(ck.Algorithm)
	ct := g.Seal(nil, iv, plain, cose.AppendEncStructure(nil, cose.ContextEncrypt0, prot))
	enc := cbor.AppendHead(nil, cbor.Tag, cose.TagEncrypt0)
	enc = cbor.AppendHead(enc, cbor.Array, 3)
	enc = cose.AppendBstr(enc, prot)
	if ck.KeyID != nil {
		enc = append(enc, 0xa2, cose.HeaderKid)
		enc = cose.AppendBstr(enc, ck.KeyID)
	} else {
		enc = append(enc, 0xa1)
	}
	enc = cose.AppendBstr(append(enc, cose.HeaderIV), iv)
	enc = cose.AppendBstr(enc, ct)
	return seal(enc, a)
}

// encrypted reports whether a container payload is a COSE_Encrypt0 (tag 16
// or an array) rather than a SUIT_Report (a map).
func encrypted(payload []byte) bool {
	return len(payload) > 0 && (payload[0] == 0xd0 || payload[0]>>5 == cbor.Array)
}

// VerifyEncrypted is Verify for a report whose payload is a COSE_Encrypt0:
// it checks the signature or MAC with key, then decrypts with ck. A
// report that is not encrypted is accepted too (ck is then unused): a
// server that requires confidentiality checks Sealed.Encrypted.
func VerifyEncrypted(b []byte, key *keys.Key, ck *ContentKey, lim *Limits) (*Report, error) {
	s, err := Parse(b, lim)
	if err != nil {
		return nil, err
	}
	if err := s.verify(key); err != nil {
		return nil, err
	}
	if !s.Encrypted {
		return Decode(s.Payload, lim)
	}
	plain, err := decrypt(s.Payload, ck, lim)
	if err != nil {
		return nil, err
	}
	return Decode(plain, lim)
}

// decrypt opens a COSE_Encrypt0 holding a report.
func decrypt(b []byte, ck *ContentKey, lim *Limits) ([]byte, error) {
	l := lim.resolve()
	d := &dec{b: b, lim: l, path: "COSE_Encrypt0"}
	if len(b) > 0 && b[0] == 0xd0 {
		d.off = 1
	}
	start := d.off
	n, err := d.array(3, "COSE_Encrypt0")
	if err != nil {
		return nil, err
	}
	if n != 3 {
		return nil, d.fail(ErrMalformed, start, "COSE_Encrypt0 must have 3 elements")
	}
	pAt := d.off
	prot, err := d.str(cbor.Bytes, "a bstr (protected header)")
	if err != nil {
		return nil, err
	}
	alg, has, err := protectedAlg(prot, l)
	if err != nil || !has {
		return nil, d.fail(ErrMalformed, pAt, "protected header must hold the content algorithm (%v)", err)
	}
	un, err := d.mapHead(l.elements, "unprotected header")
	if err != nil {
		return nil, err
	}
	var iv []byte
	var prev []byte
	for i := 0; i < un; i++ {
		kAt := d.off
		k, err := d.key(prev, 2)
		if err != nil {
			return nil, err
		}
		prev = k
		label, _ := intItem(k)
		switch label {
		case cose.HeaderIV:
			if iv, err = d.str(cbor.Bytes, "a bstr (IV)"); err != nil {
				return nil, err
			}
		case cose.HeaderAlg, cose.HeaderCrit:
			return nil, d.fail(ErrMalformed, kAt, "header %d must be protected", label)
		default:
			if _, err := d.skip(2); err != nil {
				return nil, err
			}
		}
	}
	ct, err := d.str(cbor.Bytes, "a bstr (ciphertext; a report is never detached)")
	if err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, d.fail(ErrMalformed, d.off, "trailing bytes after the COSE_Encrypt0")
	}
	if ck == nil {
		return nil, fmt.Errorf("%w: the report is encrypted; a content key is needed", ErrEncrypted)
	}
	if int64(alg) != ck.Algorithm {
		return nil, fmt.Errorf("%w: encrypted with algorithm %d, the content key is for %d", ErrEncrypted, int64(alg), ck.Algorithm)
	}
	g, err := ck.aead()
	if err != nil {
		return nil, err
	}
	if len(iv) != gcmIVSize {
		return nil, d.fail(ErrMalformed, start, "IV of %d bytes, want %d", len(iv), gcmIVSize)
	}
	plain, err := g.Open(nil, iv, ct, cose.AppendEncStructure(nil, cose.ContextEncrypt0, prot))
	if err != nil {
		return nil, fmt.Errorf("%w: decryption failed (wrong key or altered ciphertext)", ErrEncrypted)
	}
	return plain, nil
}
