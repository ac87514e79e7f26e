package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	circlsign "github.com/cloudflare/circl/sign"
	"io"
	"math/big"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/veraison/go-cose"
)

// ietfAuth splits an IETF example envelope with plain fxamacker/cbor (not
// the suit package, so the two cross-check): the bstr content of the
// authentication wrapper's digest element, and of each block.
func ietfAuth(t testing.TB, name string) (digestBytes []byte, blocks [][]byte) {
	t.Helper()
	return authOf(t, testshared.Conformance(t, name))
}

// authOf is ietfAuth for envelope bytes.
func authOf(t testing.TB, data []byte) (digestBytes []byte, blocks [][]byte) {
	t.Helper()
	var tag cbor.RawTag
	if err := cbor.Unmarshal(data, &tag); err != nil || tag.Number != 107 {
		t.Fatalf("not a tagged envelope: %v", err)
	}
	var env map[any]cbor.RawMessage // int keys decode as uint64
	if err := cbor.Unmarshal(tag.Content, &env); err != nil {
		t.Fatal(err)
	}
	var wrapped []byte
	if err := cbor.Unmarshal(env[uint64(2)], &wrapped); err != nil {
		t.Fatal(err)
	}
	var auth [][]byte
	if err := cbor.Unmarshal(wrapped, &auth); err != nil {
		t.Fatal(err)
	}
	return auth[0], auth[1:]
}

func ietfKey(t testing.TB) *keys.Key {
	t.Helper()
	k, err := keys.ParsePEM(testshared.Conformance(t, "private_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testVerifier verifies raw COSE signatures with the standard library, for
// the identifiers go-cose v1.3.0 does not know (-9, -51, -52, -19).
type testVerifier struct {
	alg keys.Algorithm
	pub crypto.PublicKey
}

func (v testVerifier) Algorithm() cose.Algorithm { return cose.Algorithm(v.alg) }

func (v testVerifier) Verify(content, sig []byte) error {
	switch pub := v.pub.(type) {
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return errors.New("bad signature length")
		}
		h := v.alg.Hash().New()
		h.Write(content)
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(pub, h.Sum(nil), r, s) {
			return errors.New("ecdsa verification failed")
		}
		return nil
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, content, sig) {
			return errors.New("ed25519 verification failed")
		}
		return nil
	case *hsslms.PublicKey: // checked against RFC 8554's test cases in hsslms
		if v.alg != keys.HSSLMS {
			return errors.New("HSS-LMS key with another algorithm")
		}
		return pub.Verify(content, sig)
	case circlsign.PublicKey: // ML-DSA: pure, empty context (RFC 9964)
		if pub.Scheme().Name() != v.alg.String() || len(sig) != pub.Scheme().SignatureSize() {
			return errors.New("ML-DSA parameter set or signature size mismatch")
		}
		if !pub.Scheme().Verify(pub, content, sig, nil) {
			return errors.New("ML-DSA verification failed")
		}
		return nil
	}
	return errors.New("unsupported key")
}

// verifiersFor returns the standard-library verifier and, when go-cose
// knows the algorithm, go-cose's own verifier too.
func verifiersFor(t testing.TB, alg keys.Algorithm, pub crypto.PublicKey) []cose.Verifier {
	t.Helper()
	vs := []cose.Verifier{testVerifier{alg, pub}}
	switch alg {
	case keys.ES256, keys.ES384, keys.ES512, keys.EdDSA:
		v, err := cose.NewVerifier(cose.Algorithm(alg), pub)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// verifySign1 decodes a COSE_Sign1 block, checks it is detached with the
// expected protected alg, and verifies it over payload.
func verifySign1(t testing.TB, block, payload []byte, alg keys.Algorithm, pub crypto.PublicKey) *cose.Sign1Message {
	t.Helper()
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(block); err != nil {
		t.Fatalf("block does not decode as COSE_Sign1: %v", err)
	}
	if msg.Payload != nil {
		t.Fatalf("payload not detached: %x", msg.Payload)
	}
	got, err := msg.Headers.Protected.Algorithm()
	if err != nil || keys.Algorithm(got) != alg {
		t.Fatalf("protected alg = %v, %v; want %v", got, err, alg)
	}
	msg.Payload = payload
	for _, v := range verifiersFor(t, alg, pub) {
		if err := msg.Verify(nil, v); err != nil {
			t.Fatalf("%v block does not verify (%T): %v", alg, v, err)
		}
	}
	return &msg
}

// recordingSigner is a crypto.Signer that is not a crypto/ecdsa or
// crypto/ed25519 type, standing in for a KMS/HSM handle.
type recordingSigner struct {
	inner   crypto.Signer
	calls   int
	digests [][]byte
	opts    []crypto.SignerOpts
}

func (r *recordingSigner) Public() crypto.PublicKey { return r.inner.Public() }

func (r *recordingSigner) Sign(rnd io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	r.calls++
	r.digests = append(r.digests, append([]byte{}, digest...))
	r.opts = append(r.opts, opts)
	return r.inner.Sign(rnd, digest, opts)
}
