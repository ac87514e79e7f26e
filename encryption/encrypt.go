package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// To is one recipient to encrypt for: a device or device group holding
// either a pre-shared key-encryption key or an ECDH key pair.
type To struct {
	// KEK is a pre-shared key-encryption key (16, 24 or 32 bytes: A128KW,
	// A192KW, A256KW). Set either KEK or Public.
	KEK []byte
	// Public is the device's ECDH public key (P-256 or X25519).
	Public *ecdh.PublicKey
	// Alg is the key-distribution algorithm; zero selects it from the
	// key: the AES-KW of the KEK's size, or ECDH-ES+A128KW.
	Alg Algorithm
	// KeyID is written as the recipient's kid when set.
	KeyID []byte
}

// EncryptOptions configures Encrypt. The zero value encrypts with
// A128GCM (it still needs recipients).
type EncryptOptions struct {
	// Alg is the content-encryption algorithm; zero means A128GCM.
	Alg Algorithm
	// Recipients receive the content key, one COSE_recipient each.
	Recipients []To
	// Rand is the source of the content key, IV and ephemeral keys; nil
	// means crypto/rand.
	Rand io.Reader
}

// Encrypt encrypts plaintext (a firmware image or a delta patch) under a
// fresh content key and IV, wraps the key for every recipient and returns
// the ciphertext (the payload: for AEAD the tag is appended) and the
// encryption info to put in suit-parameter-encryption-info
// (Info.Encode). AES-CTR content has no integrity protection: the manifest
// must check the decrypted image against an image digest.
func Encrypt(plaintext []byte, opts *EncryptOptions) ([]byte, *Info, error) {
	var o EncryptOptions
	if opts != nil {
		o = *opts
	}
	if o.Alg == 0 {
		o.Alg = A128GCM
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if !o.Alg.IsContent() {
		return nil, nil, &AlgorithmError{Algorithm: o.Alg, Where: "content", Reason: "is not supported (A128GCM, A256GCM, ChaCha20/Poly1305, A128CTR, A256CTR)"}
	}
	if len(o.Recipients) == 0 || len(o.Recipients) > maxRecipients {
		return nil, nil, fmt.Errorf("%w: %d recipients (1 to %d)", ErrKey, len(o.Recipients), maxRecipients)
	}
	cek := make([]byte, o.Alg.ContentKeySize())
	defer clear(cek)
	info := &Info{Alg: o.Alg, IV: make([]byte, o.Alg.ivSize())}
	if _, err := io.ReadFull(o.Rand, cek); err != nil {
		return nil, nil, err
	}
	if _, err := io.ReadFull(o.Rand, info.IV); err != nil {
		return nil, nil, err
	}
	if o.Alg.IsAEAD() {
		info.Protected = protectedAlg(o.Alg)
	}
	for i, to := range o.Recipients {
		r, err := wrapFor(to, cek, o.Rand)
		if err != nil {
			return nil, nil, fmt.Errorf("recipient %d: %w", i, err)
		}
		info.Recipients = append(info.Recipients, r)
	}
	ct, err := info.seal(cek, plaintext)
	if err != nil {
		return nil, nil, err
	}
	return ct, info, nil
}

// wrapFor builds one recipient holding cek.
func wrapFor(to To, cek []byte, rnd io.Reader) (Recipient, error) {
	r := Recipient{Alg: to.Alg, KeyID: to.KeyID}
	switch {
	case to.KEK != nil && to.Public != nil:
		return r, fmt.Errorf("%w: set a KEK or a public key, not both", ErrKey)
	case to.KEK != nil:
		if r.Alg == 0 {
			r.Alg = map[int]Algorithm{16: A128KW, 24: A192KW, 32: A256KW}[len(to.KEK)]
		}
		if r.Alg.IsECDH() || r.Alg.KEKSize() == 0 || r.Alg.KEKSize() != len(to.KEK) {
			return r, fmt.Errorf("%w: a %d-byte KEK does not fit %s", ErrKey, len(to.KEK), r.Alg)
		}
		w, err := Wrap(to.KEK, cek)
		r.WrappedKey = w
		return r, err
	case to.Public != nil:
		if r.Alg == 0 {
			r.Alg = ECDHESA128KW
		}
		if !r.Alg.IsECDH() {
			return r, &AlgorithmError{Algorithm: r.Alg, Where: "recipient", Reason: "does not take a public key"}
		}
		if c := to.Public.Curve(); c != ecdh.P256() && c != ecdh.X25519() {
			return r, fmt.Errorf("%w: ECDH-ES needs a P-256 or X25519 key", ErrKey)
		}
		eph, err := to.Public.Curve().GenerateKey(rnd)
		if err != nil {
			return r, err
		}
		r.Ephemeral = eph.PublicKey()
		r.Protected = protectedAlg(r.Alg)
		z, err := eph.ECDH(to.Public)
		if err != nil {
			return r, fmt.Errorf("%w: ECDH: %v", ErrKey, err)
		}
		kek, err := DeriveKEK(&r, z)
		clear(z)
		if err != nil {
			return r, err
		}
		defer clear(kek)
		r.WrappedKey, err = Wrap(kek, cek)
		return r, err
	}
	return r, fmt.Errorf("%w: a recipient needs a KEK or a public key", ErrKey)
}

// seal encrypts the whole plaintext (the build side holds it in memory).
func (info *Info) seal(cek, plaintext []byte) ([]byte, error) {
	switch info.Alg {
	case A128GCM, A256GCM:
		blk, err := aes.NewCipher(cek)
		if err != nil {
			return nil, err
		}
		g, err := cipher.NewGCM(blk)
		if err != nil {
			return nil, err
		}
		return g.Seal(nil, info.IV, plaintext, info.encStructure()), nil
	case ChaCha20Poly1305:
		a, err := chacha20poly1305.New(cek)
		if err != nil {
			return nil, err
		}
		return a.Seal(nil, info.IV, plaintext, info.encStructure()), nil
	case A128CTR, A256CTR:
		blk, err := aes.NewCipher(cek)
		if err != nil {
			return nil, err
		}
		out := make([]byte, len(plaintext))
		cipher.NewCTR(blk, info.IV).XORKeyStream(out, plaintext)
		return out, nil
	}
	return nil, &AlgorithmError{Algorithm: info.Alg, Where: "content", Reason: "is not supported"}
}
