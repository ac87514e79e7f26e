package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/internal/testkeys"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/veraison/go-cose"
)

var ietfExamples = []string{"example-0", "example-1", "example-2", "example-3", "example-4", "example-5"}

// The draft's own signatures verify with our payload choice, and ours have
// the same bytes everywhere except the (randomized) signature.
func TestSignIETFExamplesMatchDraftStructure(t *testing.T) {
	key := ietfKey(t)
	pubKey, err := keys.ParsePEM(testshared.Conformance(t, "public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !pubKey.Public.(*ecdsa.PublicKey).Equal(key.Public) {
		t.Fatal("private_key.pem and public_key.pem do not match")
	}
	s, err := ForKey(key, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Algorithm() != keys.ES256 {
		t.Fatalf("default algorithm for P-256 = %v, want keys.ES256", s.Algorithm())
	}
	for _, name := range ietfExamples {
		t.Run(name, func(t *testing.T) {
			payload, want := ietfAuth(t, name+".suit")
			unsignedPayload, none := ietfAuth(t, name+"-unsigned.suit")
			if len(none) != 0 || !bytes.Equal(payload, unsignedPayload) || len(want) != 1 {
				t.Fatalf("unexpected vector shape")
			}
			verifySign1(t, want[0], payload, keys.ES256, pubKey.Public) // the draft's signature
			got, err := s.Block(unsignedPayload)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want[0]) {
				t.Fatalf("block length %d, draft %d", len(got), len(want[0]))
			}
			n := len(got) - 64
			if !bytes.Equal(got[:n], want[0][:n]) {
				t.Fatalf("block structure differs:\n got %x\nwant %x", got[:n], want[0][:n])
			}
			if !bytes.HasPrefix(got, []byte{0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0xf6, 0x58, 0x40}) {
				t.Fatalf("not d2 84 h'a10126' {} nil sig: %x", got[:10])
			}
			verifySign1(t, got, payload, keys.ES256, pubKey.Public)
		})
	}
}

func TestSignVerifyEveryAlgorithm(t *testing.T) {
	payload := syntheticDigestBytes()
	for _, alg := range Algorithms() {
		if alg.IsMAC() {
			continue
		}
		t.Run(alg.String(), func(t *testing.T) {
			k, err := testkeys.Generate(t, alg)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSigner(alg, k.Signer, []byte("kid-"+alg.String()))
			if err != nil {
				t.Fatal(err)
			}
			block, err := s.Block(payload)
			if err != nil {
				t.Fatal(err)
			}
			msg := verifySign1(t, block, payload, alg, k.Public)
			if kid, _ := msg.Headers.Unprotected[cose.HeaderLabelKeyID].([]byte); string(kid) != "kid-"+alg.String() {
				t.Fatalf("kid = %q", kid)
			}
			// Another payload (a different digest) must not verify.
			msg.Payload = append([]byte{}, payload...)
			msg.Payload[len(msg.Payload)-1] ^= 1
			if err := msg.Verify(nil, testVerifier{alg, k.Public}); err == nil {
				t.Fatal("signature verified over a different digest")
			}
		})
	}
}

// syntheticDigestBytes returns an encoded SUIT_Digest [-16, h'...'].
func syntheticDigestBytes() []byte {
	sum := sha256.Sum256([]byte("manifest"))
	return append([]byte{0x82, 0x2f, 0x58, 0x20}, sum[:]...)
}

// keys.Ed25519 is deterministic, so the whole block is checked byte for byte
// against a Sig_structure and block assembled by hand here.
func TestEd25519BlockGolden(t *testing.T) {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60") // RFC 8032 test 1
	priv := ed25519.NewKeyFromSeed(seed)
	payload := syntheticDigestBytes()
	for _, tc := range []struct {
		alg       keys.Algorithm
		protected []byte
	}{{keys.Ed25519, []byte{0xa1, 0x01, 0x32}}, {keys.EdDSA, []byte{0xa1, 0x01, 0x27}}} {
		s, err := NewSigner(tc.alg, priv, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Block(payload)
		if err != nil {
			t.Fatal(err)
		}
		tbs := []byte{0x84, 0x6a}
		tbs = append(tbs, "Signature1"...)
		tbs = append(tbs, 0x43)
		tbs = append(tbs, tc.protected...)
		tbs = append(tbs, 0x40, 0x58, byte(len(payload)))
		tbs = append(tbs, payload...)
		want := []byte{0xd2, 0x84, 0x43}
		want = append(want, tc.protected...)
		want = append(want, 0xa0, 0xf6, 0x58, 0x40)
		want = append(want, ed25519.Sign(priv, tbs)...)
		if !bytes.Equal(got, want) {
			t.Fatalf("%v block:\n got %x\nwant %x", tc.alg, got, want)
		}
	}
}

func TestHMACMac0Golden(t *testing.T) {
	secret := bytes.Repeat([]byte{0x5a}, 32)
	payload := syntheticDigestBytes()
	s, err := NewMACer(secret, []byte("k1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Block(payload)
	if err != nil {
		t.Fatal(err)
	}
	tbm := []byte{0x84, 0x64, 'M', 'A', 'C', '0', 0x43, 0xa1, 0x01, 0x05, 0x40, 0x58, byte(len(payload))}
	tbm = append(tbm, payload...)
	m := hmac.New(sha256.New, secret)
	m.Write(tbm)
	want := []byte{0xd1, 0x84, 0x43, 0xa1, 0x01, 0x05, 0xa1, 0x04, 0x42, 'k', '1', 0xf6, 0x58, 0x20}
	want = append(want, m.Sum(nil)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("Mac0:\n got %x\nwant %x", got, want)
	}
	// A different secret gives a different tag.
	other, _ := NewMACer(bytes.Repeat([]byte{0x5b}, 32), []byte("k1"))
	if o, _ := other.Block(payload); bytes.Equal(o, got) {
		t.Fatal("MAC does not depend on the secret")
	}
}

func TestMultiSignatureCOSESign(t *testing.T) {
	payload := syntheticDigestBytes()
	var signers []*Signer
	var ks []*keys.Key
	for _, alg := range []keys.Algorithm{keys.ES256, keys.Ed25519, keys.ESP384} {
		k, err := testkeys.Generate(t, alg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ForKey(k, alg)
		if err != nil {
			t.Fatal(err)
		}
		ks, signers = append(ks, k), append(signers, s)
	}
	block, err := MultiBlock(payload, signers...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(block, []byte{0xd8, 0x62, 0x84, 0x40, 0xa0, 0xf6, 0x83}) {
		t.Fatalf("not 98([h'', {}, nil, [3 sigs]]): %x", block[:8])
	}
	var msg cose.SignMessage
	if err := msg.UnmarshalCBOR(block); err != nil {
		t.Fatal(err)
	}
	if msg.Payload != nil || len(msg.Signatures) != 3 {
		t.Fatalf("payload %x, %d signatures", msg.Payload, len(msg.Signatures))
	}
	for i, sig := range msg.Signatures {
		alg := signers[i].Algorithm()
		if err := sig.Verify(testVerifier{alg, ks[i].Public}, msg.Headers.RawProtected, payload, nil); err != nil {
			t.Fatalf("signature %d (%v): %v", i, alg, err)
		}
		if err := sig.Verify(testVerifier{alg, ks[(i+1)%3].Public}, msg.Headers.RawProtected, payload, nil); err == nil {
			t.Fatalf("signature %d verified with another key", i)
		}
	}
	mac, _ := NewMACer(make([]byte, 32), nil)
	if _, err := MultiBlock(payload, signers[0], mac); !errors.Is(err, keys.ErrAlgorithm) {
		t.Fatalf("MAC signer in COSE_Sign: %v", err)
	}
	if _, err := MultiBlock(payload); !errors.Is(err, keys.ErrKey) {
		t.Fatalf("no signers: %v", err)
	}
}

// KMS/HSM stand-in: the library only sees a crypto.Signer, never the key.
func TestExternalCryptoSignerIsUsed(t *testing.T) {
	payload := syntheticDigestBytes()
	for _, alg := range []keys.Algorithm{keys.ES256, keys.ESP256, keys.ES512, keys.EdDSA, keys.Ed25519} {
		t.Run(alg.String(), func(t *testing.T) {
			k, err := testkeys.Generate(t, alg)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recordingSigner{inner: k.Signer}
			s, err := NewSigner(alg, rec, nil)
			if err != nil {
				t.Fatal(err)
			}
			block, err := s.Block(payload)
			if err != nil {
				t.Fatal(err)
			}
			if rec.calls != 1 {
				t.Fatalf("crypto.Signer called %d times", rec.calls)
			}
			msg := verifySign1(t, block, payload, alg, k.Public)
			// What the external signer was asked to sign is the
			// Sig_structure over the digest (hashed for ECDSA).
			msg.Payload = payload
			tbs := sigStructure1(t, msg.Headers.RawProtected, payload)
			want := tbs
			if hash := alg.Hash(); hash != 0 {
				h := hash.New()
				h.Write(tbs)
				want = h.Sum(nil)
				if rec.opts[0].HashFunc() != hash {
					t.Fatalf("hash opt %v", rec.opts[0].HashFunc())
				}
			}
			if !bytes.Equal(rec.digests[0], want) {
				t.Fatal("external signer was not asked to sign the Sig_structure over the digest")
			}
		})
	}
}

func sigStructure1(t *testing.T, protected, payload []byte) []byte {
	t.Helper()
	// protected is go-cose's RawProtected: the whole bstr item.
	b, err := encMode.Marshal([]any{"Signature1", cbor.RawMessage(protected), []byte{}, payload})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAlgorithmKeyConfusionRejected(t *testing.T) {
	p256, _ := keys.GenerateKey(keys.ES256)
	p384, _ := keys.GenerateKey(keys.ES384)
	ed, _ := keys.GenerateKey(keys.Ed25519)
	for _, tc := range []struct {
		alg keys.Algorithm
		key crypto.Signer
	}{
		{keys.ES256, p384.Signer}, {keys.ESP256, p384.Signer}, {keys.ES384, p256.Signer}, {keys.ESP512, p256.Signer},
		{keys.ES256, ed.Signer}, {keys.Ed25519, p256.Signer}, {keys.EdDSA, p384.Signer},
		{keys.HMAC256, p256.Signer}, {0, p256.Signer}, {-37, p256.Signer}, {-257, p256.Signer}, {-46, ed.Signer},
	} {
		if _, err := NewSigner(tc.alg, tc.key, nil); !errors.Is(err, keys.ErrAlgorithm) {
			t.Errorf("NewSigner(%v, %T): err = %v, want keys.ErrAlgorithm", tc.alg, tc.key.Public(), err)
		}
	}
	if _, err := NewSigner(keys.ES256, nil, nil); !errors.Is(err, keys.ErrKey) {
		t.Errorf("nil key: %v", err)
	}
	if _, err := NewSigner(keys.ES256, p256.Signer, make([]byte, keys.MaxKeyIDSize+1)); !errors.Is(err, keys.ErrKey) {
		t.Errorf("huge kid: %v", err)
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if _, err := NewSigner(keys.ES256, p224, nil); !errors.Is(err, keys.ErrAlgorithm) {
		t.Errorf("P-224 key: %v", err)
	}
	if _, err := keys.DefaultAlgorithm(&p224.PublicKey); !errors.Is(err, keys.ErrKey) {
		t.Errorf("keys.DefaultAlgorithm(P-224): %v", err)
	}
}

func TestHMACKeySizeEnforced(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31, keys.MaxMACKeySize + 1} {
		if _, err := NewMACer(make([]byte, n), nil); !errors.Is(err, keys.ErrKey) {
			t.Errorf("%d-byte secret: %v", n, err)
		}
	}
}

// badSigner returns whatever bytes it is told to, like a faulty HSM.
type badSigner struct {
	pub crypto.PublicKey
	sig []byte
}

func (b badSigner) Public() crypto.PublicKey { return b.pub }
func (b badSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return b.sig, nil
}

func TestFaultyExternalSignerOutputRejected(t *testing.T) {
	k, _ := keys.GenerateKey(keys.ESP256)
	payload := syntheticDigestBytes()
	for i, sig := range [][]byte{nil, {0x30, 0x00}, {0x01, 0x02}, append(mustDER(t, k, payload), 0)} {
		s, err := NewSigner(keys.ESP256, badSigner{k.Public, sig}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Block(payload); err == nil {
			t.Errorf("case %d: malformed DER signature accepted", i)
		}
	}
}

func mustDER(t *testing.T, k *keys.Key, msg []byte) []byte {
	sum := sha256.Sum256(msg)
	der, err := k.Signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestZeroSignerRefusedWithoutPanic(t *testing.T) {
	payload := syntheticDigestBytes()
	var nilSigner *Signer
	for _, s := range []*Signer{nilSigner, {}} {
		if _, err := s.Block(payload); !errors.Is(err, keys.ErrKey) {
			t.Errorf("Block: %v", err)
		}
		if _, err := MultiBlock(payload, s); !errors.Is(err, keys.ErrKey) {
			t.Errorf("MultiBlock: %v", err)
		}
	}
	k, _ := keys.GenerateKey(keys.ES256)
	s, _ := ForKey(k, 0)
	if _, err := s.Block(nil); !errors.Is(err, ErrEnvelope) {
		t.Errorf("empty payload: %v", err)
	}
}

// TestBlocksMatchGoCOSE: the blocks this package now builds itself (with
// the Sig_structure from internal/cose) are byte for byte what go-cose, an
// independent implementation, builds for the same deterministic Ed25519
// keys: COSE_Sign1 with and without kid, and COSE_Sign with two signers.
func TestBlocksMatchGoCOSE(t *testing.T) {
	payload := syntheticDigestBytes()
	priv1 := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	priv2 := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	for _, kid := range [][]byte{nil, []byte("kid-1")} {
		s, err := NewSigner(keys.EdDSA, priv1, kid)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Block(payload)
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := cose.NewSigner(cose.AlgorithmEdDSA, priv1)
		msg := cose.NewSign1Message()
		msg.Headers.Protected.SetAlgorithm(cose.AlgorithmEdDSA)
		if kid != nil {
			msg.Headers.Unprotected[cose.HeaderLabelKeyID] = kid
		}
		msg.Payload = payload
		if err := msg.Sign(rand.Reader, nil, cs); err != nil {
			t.Fatal(err)
		}
		msg.Payload = nil
		want, _ := msg.MarshalCBOR()
		if !bytes.Equal(got, want) {
			t.Errorf("COSE_Sign1 kid %q:\n got %x\nwant %x", kid, got, want)
		}
	}
	s1, _ := NewSigner(keys.EdDSA, priv1, []byte("a"))
	s2, _ := NewSigner(keys.EdDSA, priv2, nil)
	got, err := MultiBlock(payload, s1, s2)
	if err != nil {
		t.Fatal(err)
	}
	msg := cose.NewSignMessage()
	msg.Payload = payload
	var css []cose.Signer
	for i, p := range []ed25519.PrivateKey{priv1, priv2} {
		sig := cose.NewSignature()
		sig.Headers.Protected.SetAlgorithm(cose.AlgorithmEdDSA)
		if i == 0 {
			sig.Headers.Unprotected[cose.HeaderLabelKeyID] = []byte("a")
		}
		msg.Signatures = append(msg.Signatures, sig)
		cs, _ := cose.NewSigner(cose.AlgorithmEdDSA, p)
		css = append(css, cs)
	}
	if err := msg.Sign(rand.Reader, nil, css...); err != nil {
		t.Fatal(err)
	}
	msg.Payload = nil
	want, _ := msg.MarshalCBOR()
	if !bytes.Equal(got, want) {
		t.Errorf("COSE_Sign:\n got %x\nwant %x", got, want)
	}
}

// TestNewMACerRefusesKeyFiles (issue 9 item 2): on main (9d84ca8) NewMACer
// took a public key PEM (over 32 bytes) as an HMAC secret.
func TestNewMACerRefusesKeyFiles(t *testing.T) {
	k, _ := keys.GenerateKey(keys.Ed25519)
	pubPEM, _ := k.MarshalPublicPEM()
	pubCOSE, _ := k.MarshalCOSEKey()
	for name, data := range map[string][]byte{"public PEM": pubPEM, "OKP COSE_Key": pubCOSE} {
		if s, err := NewMACer(data, nil); s != nil || !errors.Is(err, keys.ErrKeyType) {
			t.Errorf("%s as an HMAC secret: %v", name, err)
		}
	}
	if _, err := NewMACer(bytes.Repeat([]byte{1}, 31), nil); !errors.Is(err, keys.ErrWeakSecret) {
		t.Errorf("31-byte secret: %v", err)
	}
	if _, err := ForKey(k, keys.HMAC256); !errors.Is(err, keys.ErrAlgorithm) {
		t.Errorf("an Ed25519 key asked to MAC: %v", err)
	}
}
