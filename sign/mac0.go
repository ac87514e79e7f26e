package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/keys"
)

// Mac0Tag is the CBOR tag of COSE_Mac0_Tagged.
const Mac0Tag = 17

// mac0 builds a COSE_Mac0_Tagged block with HMAC 256/256 over the detached
// payload: tag = HMAC-SHA-256(secret, MAC_structure) where
// MAC_structure = ["MAC0", protected, h”, payload] (RFC 9052 §6.3).
func mac0(s *Signer, payload []byte) ([]byte, error) {
	protected, err := encMode.Marshal(map[int64]int64{1: int64(keys.HMAC256)})
	if err != nil {
		return nil, err
	}
	tag, err := HMAC256Tag(s.secret, protected, payload)
	if err != nil {
		return nil, err
	}
	unprotected := map[int64][]byte{}
	if s.kid != nil {
		unprotected[4] = s.kid
	}
	return encMode.Marshal(cbor.Tag{Number: Mac0Tag, Content: []any{protected, unprotected, nil, tag}})
}

// HMAC256Tag returns the HMAC 256/256 tag of a COSE_Mac0 whose protected
// header bstr content is protected and whose detached payload is payload
// (external AAD empty). Verifiers compare it with [hmac.Equal].
func HMAC256Tag(secret, protected, payload []byte) ([]byte, error) {
	toMAC, err := encMode.Marshal([]any{"MAC0", protected, []byte{}, payload})
	if err != nil {
		return nil, fmt.Errorf("sign: encoding MAC_structure: %w", err)
	}
	m := hmac.New(sha256.New, secret)
	m.Write(toMAC)
	return m.Sum(nil), nil
}
