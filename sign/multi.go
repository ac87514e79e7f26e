package sign

import (
	"crypto/rand"
	"fmt"

	"github.com/suitkit/suitkit/keys"
	"github.com/veraison/go-cose"
)

// MultiBlock returns one COSE_Sign (tag 98) authentication block carrying
// one signature per signer, over the detached payload (the encoded
// SUIT_Digest). The body protected header is empty; each COSE_Signature has
// protected header {1: alg} and, if the signer has one, kid in its
// unprotected header. MAC signers are refused ([ErrAlgorithm]): COSE_Mac
// with recipients is not supported.
func MultiBlock(payload []byte, signers ...*Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("%w: COSE_Sign needs at least one signer", keys.ErrKey)
	}
	if len(payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload (want the encoded SUIT_Digest)", ErrEnvelope)
	}
	msg := cose.NewSignMessage()
	msg.Payload = payload
	cs := make([]cose.Signer, len(signers))
	for i, s := range signers {
		if s == nil || (s.cs == nil && s.secret == nil) {
			return nil, keyErr("crypto.Signer", "nil or zero Signer (use NewSigner)", nil)
		}
		if s.cs == nil {
			return nil, &keys.AlgorithmError{Algorithm: s.alg, Reason: "MAC algorithms cannot sign a COSE_Sign"}
		}
		sig := cose.NewSignature()
		sig.Headers.Protected.SetAlgorithm(cose.Algorithm(s.alg))
		if s.kid != nil {
			sig.Headers.Unprotected[cose.HeaderLabelKeyID] = cloneBytes(s.kid)
		}
		msg.Signatures = append(msg.Signatures, sig)
		cs[i] = s.cs
	}
	if err := msg.Sign(rand.Reader, nil, cs...); err != nil {
		return nil, fmt.Errorf("sign: COSE_Sign signing failed: %w", err)
	}
	msg.Payload = nil
	return msg.MarshalCBOR()
}
