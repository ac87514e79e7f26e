package sign

import (
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// MultiBlock returns one COSE_Sign (tag 98) authentication block carrying
// one signature per signer, over the detached payload (the encoded
// SUIT_Digest). The body protected header is empty; each COSE_Signature has
// protected header {1: alg} and, if the signer has one, kid in its
// unprotected header. MAC signers are refused ([keys.ErrAlgorithm]):
// COSE_Mac with recipients is not supported.
func MultiBlock(payload []byte, signers ...*Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("%w: COSE_Sign needs at least one signer", keys.ErrKey)
	}
	if len(payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload (want the encoded SUIT_Digest)", ErrEnvelope)
	}
	for _, s := range signers {
		if s == nil || (s.key == nil && s.secret == nil) {
			return nil, keyErr("crypto.Signer", "nil or zero Signer (use NewSigner)", nil)
		}
		if s.key == nil {
			return nil, &keys.AlgorithmError{Algorithm: s.alg, Reason: "MAC algorithms cannot sign a COSE_Sign"}
		}
	}
	out := cbor.AppendHead(nil, cbor.Tag, cose.TagSign)
	out = cbor.AppendHead(out, cbor.Array, 4)
	out = cose.AppendBstr(out, nil) // empty body protected header
	out = append(out, 0xa0, 0xf6)   // empty unprotected header, detached payload
	out = cbor.AppendHead(out, cbor.Array, uint64(len(signers)))
	for _, s := range signers {
		prot := cose.ProtectedAlg(int64(s.alg))
		sig, err := s.sign(cose.AppendToBeSigned(nil, cose.ContextSignature, nil, prot, payload))
		if err != nil {
			return nil, fmt.Errorf("sign: COSE_Sign signing failed: %w", err)
		}
		out = cbor.AppendHead(out, cbor.Array, 3)
		out = cose.AppendBstr(out, prot)
		out = appendUnprotected(out, s.kid)
		out = cose.AppendBstr(out, sig)
	}
	return out, nil
}
