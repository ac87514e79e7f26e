package sign

import (
	"crypto/hmac"
	"crypto/sha256"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// Mac0Tag is the CBOR tag of COSE_Mac0_Tagged.
const Mac0Tag = cose.TagMac0

// mac0 builds a COSE_Mac0_Tagged block with HMAC 256/256 over the detached
// payload: tag = HMAC-SHA-256(secret, MAC_structure) (RFC 9052 section 6.3).
func mac0(s *Signer, payload []byte) ([]byte, error) {
	prot := cose.ProtectedAlg(int64(keys.HMAC256))
	tag, err := HMAC256Tag(s.secret, prot, payload)
	if err != nil {
		return nil, err
	}
	out := cbor.AppendHead(nil, cbor.Tag, cose.TagMac0)
	return appendBlockBody(out, prot, s.kid, tag), nil
}

// HMAC256Tag returns the HMAC 256/256 tag of a COSE_Mac0 whose protected
// header bstr content is protected and whose detached payload is payload
// (external AAD empty). Verifiers compare it with [hmac.Equal].
func HMAC256Tag(secret, protected, payload []byte) ([]byte, error) {
	m := hmac.New(sha256.New, secret)
	m.Write(cose.AppendToBeSigned(nil, cose.ContextMAC0, protected, nil, payload))
	return m.Sum(nil), nil
}
