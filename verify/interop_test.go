package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/testkeys"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	cose "github.com/veraison/go-cose"
)

// TestGoCOSESign1Interop: detached-payload COSE_Sign1 blocks made by
// go-cose (ES256, ES384, EdDSA) verify, and go-cose agrees that the IETF
// example blocks verify over the encoded SUIT_Digest.
func TestGoCOSESign1Interop(t *testing.T) {
	man, _ := testManifest{seq: 9}.encode(t)
	d := suitDigest(t, man)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		alg    cose.Algorithm
		signer any
	}{
		{cose.AlgorithmES256, p256},
		{cose.AlgorithmES384, p384},
		{cose.AlgorithmEdDSA, edPriv},
	} {
		t.Run(c.alg.String(), func(t *testing.T) {
			var cs cose.Signer
			var pub any
			var err error
			switch k := c.signer.(type) {
			case *ecdsa.PrivateKey:
				cs, err = cose.NewSigner(c.alg, k)
				pub = &k.PublicKey
			case ed25519.PrivateKey:
				cs, err = cose.NewSigner(c.alg, k)
				pub = k.Public()
			}
			if err != nil {
				t.Fatal(err)
			}
			msg := cose.NewSign1Message()
			msg.Headers.Protected.SetAlgorithm(c.alg)
			msg.Headers.Unprotected[cose.HeaderLabelKeyID] = []byte("kid")
			msg.Payload = d
			if err := msg.Sign(rand.Reader, nil, cs); err != nil {
				t.Fatal(err)
			}
			msg.Payload = nil
			blk, err := msg.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			key, err := NewKey(pub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mustVerifier(t, []*Key{key}, nil).Verify(envelope(t, d, [][]byte{blk}, man, nil)); err != nil {
				t.Fatal(err)
			}
		})
	}

	pub := ietfKey(t).Public().(*ecdsa.PublicKey)
	cv, _ := cose.NewVerifier(cose.AlgorithmES256, pub)
	for name := range ietfDigests {
		env, err := suit.Parse(testshared.Conformance(t, name+".suit"), nil)
		if err != nil {
			t.Fatal(err)
		}
		var msg cose.Sign1Message
		if err := msg.UnmarshalCBOR(env.Authentication.Blocks[0]); err != nil {
			t.Fatal(err)
		}
		msg.Payload = env.Authentication.DigestBytes
		if err := msg.Verify(nil, cv); err != nil {
			t.Fatalf("%s: go-cose disagrees: %v", name, err)
		}
	}
}

// TestSignPackageInterop: envelopes signed by the sign package with each
// of its algorithms, one Sign1/Mac0 per signer or one COSE_Sign, verify.
func TestSignPackageInterop(t *testing.T) {
	data := testshared.Conformance(t, "example-3-unsigned.suit")
	type pair struct {
		s *sign.Signer
		k *Key
	}
	var pairs []pair
	for _, alg := range sign.Algorithms() {
		if alg == keys.HMAC256 {
			secret := make([]byte, 32)
			rand.Read(secret)
			s, err := sign.NewMACer(secret, []byte("mac"))
			if err != nil {
				t.Fatal(err)
			}
			k, _ := NewMACKey(secret, nil)
			pairs = append(pairs, pair{s, k})
			continue
		}
		sk, err := testkeys.Generate(t, alg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sign.ForKey(sk, alg)
		if err != nil {
			t.Fatal(err)
		}
		k, err := NewKey(sk.Public, &Binding{Algorithms: []keys.Algorithm{alg}, Name: alg.String()})
		if err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, pair{s, k})
	}
	for _, p := range pairs {
		t.Run(p.s.Algorithm().String(), func(t *testing.T) {
			out, err := sign.SignBytes(data, p.s)
			if err != nil {
				t.Fatal(err)
			}
			res, err := mustVerifier(t, []*Key{p.k}, nil).Verify(out)
			if err != nil {
				t.Fatal(err)
			}
			if res.Sequence() != 3 || res.Signers()[0] != p.k {
				t.Fatalf("result %+v", res)
			}
		})
	}
	// All signers in one COSE_Sign block (MAC excluded), policy "all".
	env, _ := suit.Decode(append([]byte(nil), data...), nil)
	var signers []*sign.Signer
	var keys []*Key
	for _, p := range pairs {
		if !p.s.Algorithm().IsMAC() {
			signers = append(signers, p.s)
			keys = append(keys, p.k)
		}
	}
	if err := sign.AuthenticateMulti(env, signers...); err != nil {
		t.Fatal(err)
	}
	out, _ := env.Encode()
	res, err := mustVerifier(t, keys, &Options{Policy: RequireAll(), NoRollbackCheckUnsafe: true}).Verify(out)
	if err != nil {
		t.Fatalf("COSE_Sign with %d signers: %v", len(signers), err)
	}
	if len(res.Signers()) != len(keys) {
		t.Fatalf("%d signers counted, want %d", len(res.Signers()), len(keys))
	}
	// One more trusted key that did not sign: RequireAll fails.
	_, k2 := newP256(t)
	if _, err := mustVerifier(t, append(keys, k2), &Options{Policy: RequireAll(), NoRollbackCheckUnsafe: true}).Verify(out); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("RequireAll with a missing signer: %v", err)
	}
}
