package encryption

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// AES Key Wrap (RFC 3394 section 2.2, the index-based form), with the
// default initial value A6A6A6A6A6A6A6A6.

var kwIV = [8]byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}

// maxWrapped caps the key data wrapped or unwrapped: content keys are at
// most 32 bytes; RFC 3394 allows more, nothing here needs it.
const maxWrapped = 64

// Wrap wraps key (a multiple of 8 bytes, at least 16) with the
// key-encryption key kek (16, 24 or 32 bytes) and returns len(key)+8 bytes.
func Wrap(kek, key []byte) ([]byte, error) {
	if len(key) < 16 || len(key)%8 != 0 || len(key) > maxWrapped {
		return nil, fmt.Errorf("%w: AES-KW wraps 16 to %d bytes in multiples of 8, not %d", ErrKey, maxWrapped, len(key))
	}
	blk, err := newKW(kek)
	if err != nil {
		return nil, err
	}
	n := len(key) / 8
	out := make([]byte, 8+len(key))
	copy(out[8:], key)
	a := kwIV
	var buf [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], a[:])
			copy(buf[8:], out[8*i:8*i+8])
			blk.Encrypt(buf[:], buf[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(buf[:8])^t)
			copy(out[8*i:8*i+8], buf[8:])
		}
	}
	copy(out[:8], a[:])
	return out, nil
}

// Unwrap unwraps wrapped (len(key)+8 bytes) with kek and checks its
// integrity value; a wrong KEK or altered input gives ErrUnwrap.
func Unwrap(kek, wrapped []byte) ([]byte, error) {
	if len(wrapped) < 24 || len(wrapped)%8 != 0 || len(wrapped) > maxWrapped+8 {
		return nil, fmt.Errorf("%w: AES-KW input of %d bytes", ErrUnwrap, len(wrapped))
	}
	blk, err := newKW(kek)
	if err != nil {
		return nil, err
	}
	n := len(wrapped)/8 - 1
	out := make([]byte, len(wrapped)-8)
	copy(out, wrapped[8:])
	var a [8]byte
	copy(a[:], wrapped[:8])
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(a[:])^t)
			copy(buf[8:], out[8*(i-1):8*i])
			blk.Decrypt(buf[:], buf[:])
			copy(a[:], buf[:8])
			copy(out[8*(i-1):8*i], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(a[:], kwIV[:]) != 1 {
		clear(out)
		return nil, ErrUnwrap
	}
	return out, nil
}

func newKW(kek []byte) (interface {
	Encrypt(dst, src []byte)
	Decrypt(dst, src []byte)
}, error) {
	switch len(kek) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("%w: AES-KW key-encryption key of %d bytes (16, 24 or 32)", ErrKey, len(kek))
	}
	return aes.NewCipher(kek)
}
