package encryption

import (
	"crypto/ecdh"
	"crypto/subtle"
	"errors"
	"fmt"
)

// RecipientKey is a device's decryption key: a pre-shared key-encryption
// key, or an ECDH private key. It is an interface so that a secure element
// or HSM can hold the key; KEK and ECDHKey are the software
// implementations. An HSM implementation can build on DeriveKEK, KDFContext
// and Unwrap.
type RecipientKey interface {
	// UnwrapContentKey returns the content key that recipient r of info
	// holds for this key. It returns an error matching ErrNoKey when r is
	// not addressed to this key (another algorithm, key size, curve or
	// kid), and one matching ErrUnwrap when r is addressed to it but the
	// unwrap fails.
	UnwrapContentKey(info *Info, r *Recipient) ([]byte, error)
}

// KEK is a pre-shared AES key-encryption key (A128KW, A192KW or A256KW by
// its length).
type KEK struct {
	Key []byte
	// KeyID, when set, must equal the recipient's kid (when it has one).
	KeyID []byte
}

// UnwrapContentKey implements RecipientKey.
func (k *KEK) UnwrapContentKey(info *Info, r *Recipient) ([]byte, error) {
	if r.Alg.IsECDH() || r.Alg.KEKSize() != len(k.Key) {
		return nil, ErrNoKey
	}
	if !kidMatches(k.KeyID, r.KeyID) {
		return nil, ErrNoKey
	}
	return Unwrap(k.Key, r.WrappedKey)
}

// ECDHKey is a device's static ECDH private key (P-256 or X25519) for
// ECDH-ES + AES-KW recipients. From a key file parsed with package keys:
// an X25519 COSE_Key (kty OKP, crv X25519, d) gives Key.Agreement, used as
// is; a P-256 key (PEM or COSE_Key) gives an *ecdsa.PrivateKey in
// Key.Signer, whose ECDH method gives Private.
type ECDHKey struct {
	Private *ecdh.PrivateKey
	// KeyID, when set, must equal the recipient's kid (when it has one).
	KeyID []byte
}

// UnwrapContentKey implements RecipientKey.
func (k *ECDHKey) UnwrapContentKey(info *Info, r *Recipient) ([]byte, error) {
	if k.Private == nil || !r.Alg.IsECDH() || r.Ephemeral == nil || r.Ephemeral.Curve() != k.Private.Curve() {
		return nil, ErrNoKey
	}
	if !kidMatches(k.KeyID, r.KeyID) {
		return nil, ErrNoKey
	}
	z, err := k.Private.ECDH(r.Ephemeral)
	if err != nil {
		return nil, fmt.Errorf("%w: ECDH: %v", ErrUnwrap, err)
	}
	kek, err := DeriveKEK(r, z)
	clear(z)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	return Unwrap(kek, r.WrappedKey)
}

// kidMatches: a kid on both sides must agree; a kid on one side only is a
// hint that cannot exclude the key.
func kidMatches(mine, theirs []byte) bool {
	return mine == nil || theirs == nil || subtle.ConstantTimeCompare(mine, theirs) == 1
}

// ContentKey returns the content-encryption key of info from the first
// recipient that one of keys opens. When none is addressed to the keys the
// error matches ErrNoKey; when one is but its unwrap fails, it matches
// ErrNoKey and ErrUnwrap.
func (info *Info) ContentKey(keys ...RecipientKey) ([]byte, error) {
	var last error
	for i := range info.Recipients {
		r := &info.Recipients[i]
		for _, k := range keys {
			if k == nil {
				continue
			}
			cek, err := k.UnwrapContentKey(info, r)
			if err == nil {
				if len(cek) != info.Alg.ContentKeySize() {
					clear(cek)
					last = fmt.Errorf("%w: recipient %d holds a %d-byte key, %s needs %d", ErrUnwrap, i, len(cek), info.Alg, info.Alg.ContentKeySize())
					continue
				}
				return cek, nil
			}
			if !errors.Is(err, ErrNoKey) || errors.Is(err, ErrUnwrap) {
				last = fmt.Errorf("recipient %d (%s): %w", i, r.Alg, err)
			}
		}
	}
	if last != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoKey, last)
	}
	return nil, fmt.Errorf("%w: none of the %d recipients is addressed to the %d key(s) given", ErrNoKey, len(info.Recipients), len(keys))
}
