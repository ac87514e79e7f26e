package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// TestDigestOnlyWrapper (threats A1): no authentication wrapper, a wrapper
// holding only the digest, and an unsigned envelope whose manifest bstr is
// garbage are all ErrUnauthenticated, never ErrMalformed: the manifest is
// not looked at before authentication.
func TestDigestOnlyWrapper(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	garbage := []byte{0x9b, 0, 0, 0x42, 0xfa, 0, 0, 0, 0} // declares a huge array
	cases := map[string][]byte{
		"digest only":                     envelope(t, suitDigest(t, man), nil, man, nil),
		"digest only, garbage manifest":   envelope(t, suitDigest(t, garbage), nil, garbage, nil),
		"no wrapper":                      enc(t, cbor.Tag{Number: 107, Content: map[int]any{3: man}}),
		"no wrapper, untagged":            enc(t, map[int]any{3: man}),
		"digest only, mismatched garbage": envelope(t, suitDigest(t, man), nil, garbage, nil),
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := v.Verify(env)
			if !errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrMalformed) || res != nil {
				t.Fatalf("got %v; want ErrUnauthenticated and not ErrMalformed", err)
			}
		})
	}
}

// TestTamperedManifest (threats A2/A3): changing the manifest under a valid
// signature is caught by the digest; changing the signed digest breaks the
// signature.
func TestTamperedManifest(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	priv := ietfPrivate(t)
	man, _ := testManifest{seq: 7}.encode(t)
	d := suitDigest(t, man)
	blk := signer{alg: int64(keys.ES256), ec: priv}.block(t, d, nil, nil)
	if _, err := v.Verify(envelope(t, d, [][]byte{blk}, man, nil)); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	evil, _ := testManifest{seq: 8}.encode(t)
	if _, err := v.Verify(envelope(t, d, [][]byte{blk}, evil, nil)); !errors.Is(err, suit.ErrDigestMismatch) {
		t.Fatalf("manifest swapped under the signature: got %v, want suit.ErrDigestMismatch", err)
	}
	var de *DigestError
	_, err := v.Verify(envelope(t, d, [][]byte{blk}, evil, nil))
	if !errors.As(err, &de) || !bytes.Equal(de.Want, d[4:]) {
		t.Fatalf("DigestError detail: %#v", err)
	}
	// The attacker re-computes the digest for the evil manifest: the
	// signature no longer covers it.
	if _, err := v.Verify(envelope(t, suitDigest(t, evil), [][]byte{blk}, evil, nil)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("digest replaced: got %v, want ErrUnauthenticated", err)
	}
}

// TestDigestOverContentOnly (threats A3): a digest computed over the
// manifest bstr content without its head, correctly signed, does not match.
func TestDigestOverContentOnly(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	sum := sha256.Sum256(man)
	d := enc(t, []any{-16, sum[:]})
	env := envelope(t, d, [][]byte{signer{alg: int64(keys.ES256), ec: ietfPrivate(t)}.block(t, d, nil, nil)}, man, nil)
	if _, err := v.Verify(env); !errors.Is(err, suit.ErrDigestMismatch) {
		t.Fatalf("got %v, want suit.ErrDigestMismatch", err)
	}
}

// TestWrongKey (threats A11): a valid signature by an untrusted key is
// rejected, whatever kid it claims.
func TestWrongKey(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	other, _ := newP256(t)
	env := signedEnvelope(t, testManifest{seq: 1}, signer{alg: int64(keys.ES256), ec: other})
	if _, err := v.Verify(env); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("got %v, want ErrUnauthenticated", err)
	}
	var ae *AuthError
	if !errors.As(err2(v.Verify(env)), &ae) || len(ae.Blocks) != 1 || !errors.Is(ae.Blocks[0], errBadSignature) {
		t.Fatalf("AuthError detail: %v", err2(v.Verify(env)))
	}
}

func err2[T any](_ T, err error) error { return err }

// TestKidIsOnlyAHint (threats A11): the kid header never selects or
// excludes a key; only the trust store decides.
func TestKidIsOnlyAHint(t *testing.T) {
	priv, key := newP256(t)
	other, _ := newP256(t)
	v := mustVerifier(t, []*Key{key, ietfKey(t)}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	wrongKid := signer{alg: int64(keys.ES256), ec: priv}.block(t, d, nil, map[any]any{4: []byte("not-this-key")})
	if _, err := v.Verify(envelope(t, d, [][]byte{wrongKid}, man, nil)); err != nil {
		t.Fatalf("trusted signature with a wrong kid: %v", err)
	}
	fp := key.Fingerprint()
	rightKidBadKey := signer{alg: int64(keys.ES256), ec: other}.block(t, d, nil, map[any]any{4: fp[:]})
	if _, err := v.Verify(envelope(t, d, [][]byte{rightKidBadKey}, man, nil)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("untrusted signature with a trusted kid: %v", err)
	}
}

// TestKeyAlgorithmConfusion (threats A5): the key's bound algorithms, not
// the message, decide how a block is verified.
func TestKeyAlgorithmConfusion(t *testing.T) {
	priv, _ := newP256(t)
	es256Only, err := NewKey(&priv.PublicKey, &Binding{Algorithms: []keys.Algorithm{keys.ES256}})
	if err != nil {
		t.Fatal(err)
	}
	pkix, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	point := elliptic.Marshal(elliptic.P256(), priv.X, priv.Y) //lint:ignore SA1019 raw point for the attack
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	es := signer{alg: int64(keys.ES256), ec: priv}
	esp := signer{alg: int64(keys.ESP256), ec: priv}
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edKey, _ := NewKey(edPub, nil)

	cases := []struct {
		name  string
		keys  []*Key
		block []byte
		want  error
	}{
		{"ESP256 block, key bound to ES256 only", []*Key{es256Only}, esp.block(t, d, nil, nil), ErrUnsupportedAlgorithm},
		{"HMAC block keyed with the public key's PKIX bytes", []*Key{es256Only}, signer{alg: int64(keys.HMAC256), secret: pkix}.block(t, d, nil, nil), ErrUnsupportedAlgorithm},
		{"HMAC block keyed with the raw public point", []*Key{es256Only}, signer{alg: int64(keys.HMAC256), secret: point}.block(t, d, nil, nil), ErrUnsupportedAlgorithm},
		{"ES256 signature relabelled EdDSA", []*Key{es256Only, edKey}, relabel(t, es.block(t, d, nil, nil), int64(keys.EdDSA)), ErrUnauthenticated},
		{"Ed25519 signature presented as ES256", []*Key{edKey}, signer{alg: int64(keys.ES256), ed: edPriv}.block(t, d, nil, nil), ErrUnsupportedAlgorithm},
		{"alg only in the unprotected header", []*Key{es256Only}, es.block(t, d, []byte{}, map[any]any{1: int64(keys.ES256)}), ErrMalformed},
		{"alg missing", []*Key{es256Only}, es.block(t, d, enc(t, map[int]int{3: 0}), nil), ErrMalformed},
		{"alg in both buckets", []*Key{es256Only}, es.block(t, d, nil, map[any]any{1: int64(keys.ES256)}), ErrMalformed},
		{"alg as text", []*Key{es256Only}, es.block(t, d, enc(t, map[int]string{1: "ES256"}), nil), ErrMalformed},
		{"alg 0 (reserved, \"none\")", []*Key{es256Only}, signer{alg: 0, ec: priv}.block(t, d, nil, nil), ErrUnsupportedAlgorithm},
		{"alg HSS-LMS -46", []*Key{es256Only}, signer{alg: -46, ec: priv}.block(t, d, nil, nil), ErrUnsupportedAlgorithm},
		{"alg huge", []*Key{es256Only}, es.block(t, d, []byte{0xa1, 0x01, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, nil), ErrUnsupportedAlgorithm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := mustVerifier(t, c.keys, nil)
			res, err := v.Verify(envelope(t, d, [][]byte{c.block}, man, nil))
			if !errors.Is(err, ErrUnauthenticated) || !errors.Is(err, c.want) || res != nil {
				t.Fatalf("got %v; want ErrUnauthenticated and %v", err, c.want)
			}
		})
	}
	// Control: the same ES256 signature passes with the ES256-bound key,
	// and an ESP256 one with a default P-256 key.
	if _, err := mustVerifier(t, []*Key{es256Only}, nil).Verify(envelope(t, d, [][]byte{es.block(t, d, nil, nil)}, man, nil)); err != nil {
		t.Fatal(err)
	}
	def, _ := NewKey(&priv.PublicKey, nil)
	if _, err := mustVerifier(t, []*Key{def}, nil).Verify(envelope(t, d, [][]byte{esp.block(t, d, nil, nil)}, man, nil)); err != nil {
		t.Fatal(err)
	}
}

// relabel rewrites a Sign1 block's protected header to claim alg, keeping
// the signature.
func relabel(t *testing.T, block []byte, alg int64) []byte {
	var tag cbor.Tag
	if err := cbor.Unmarshal(block, &tag); err != nil {
		t.Fatal(err)
	}
	arr := tag.Content.([]any)
	arr[0] = enc(t, map[int]int64{1: alg})
	return enc(t, tag)
}

// TestCriticalHeaderRejected (threats A6): crit naming a label we do not
// understand rejects the block; crit naming alg is fine.
func TestCriticalHeaderRejected(t *testing.T) {
	priv, key := newP256(t)
	v := mustVerifier(t, []*Key{key}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	s := signer{alg: int64(keys.ES256), ec: priv}
	bad := s.block(t, d, enc(t, map[int]any{1: int64(keys.ES256), 2: []int{99}, 99: 1}), nil)
	if _, err := v.Verify(envelope(t, d, [][]byte{bad}, man, nil)); !errors.Is(err, ErrUnsupportedHeader) || !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("unknown critical label: %v", err)
	}
	missing := s.block(t, d, enc(t, map[int]any{1: int64(keys.ES256), 2: []int{4}}), nil)
	if _, err := v.Verify(envelope(t, d, [][]byte{missing}, man, nil)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("crit label absent from protected: %v", err)
	}
	ok := s.block(t, d, enc(t, map[int]any{1: int64(keys.ES256), 2: []int{1}}), nil)
	if _, err := v.Verify(envelope(t, d, [][]byte{ok}, man, nil)); err != nil {
		t.Fatalf("crit [alg]: %v", err)
	}
}

// TestAttachedPayloadRejected (threats A4): a legitimate Sign1 over digest
// D1 with D1 attached, placed next to manifest M2 and its digest, fails;
// so does an attached copy of the right digest: attached payloads are never
// verified.
func TestAttachedPayloadRejected(t *testing.T) {
	priv := ietfPrivate(t)
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	m1, _ := testManifest{seq: 1}.encode(t)
	m2, _ := testManifest{seq: 2, vendor: []byte("evil")}.encode(t)
	d1, d2 := suitDigest(t, m1), suitDigest(t, m2)
	attached := func(payload []byte) []byte {
		prot := enc(t, map[int]int64{1: int64(keys.ES256)})
		sig := signer{alg: int64(keys.ES256), ec: priv}.raw(t, enc(t, []any{"Signature1", prot, []byte{}, payload}))
		return enc(t, cbor.Tag{Number: 18, Content: []any{prot, map[any]any{}, payload, sig}})
	}
	for name, env := range map[string][]byte{
		"other digest attached": envelope(t, d2, [][]byte{attached(d1)}, m2, nil),
		"same digest attached":  envelope(t, d1, [][]byte{attached(d1)}, m1, nil),
	} {
		if _, err := v.Verify(env); !errors.Is(err, ErrUnauthenticated) || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// TestECDSAMalleabilityIdentityUnchanged (threats A8): the (r, n-s) twin of
// a signature verifies too, and the result's identity is the same.
func TestECDSAMalleabilityIdentityUnchanged(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: NewMemoryStore()})
	orig := testshared.Conformance(t, "example-0.suit")
	i := bytes.Index(orig, []byte{0x58, 0x40}) // the 64-byte signature
	twin := append([]byte(nil), orig...)
	copy(twin[i+2:], highS(orig[i+2:i+66]))
	if bytes.Equal(twin, orig) {
		t.Fatal("twin equals original")
	}
	a, err := v.Verify(orig)
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Verify(twin)
	if err != nil {
		t.Fatalf("high-S twin rejected: %v", err)
	}
	if a.ID() != b.ID() || a.Identity() != b.Identity() || a.Sequence() != b.Sequence() {
		t.Fatalf("identity differs: %s %s", a.ID(), b.ID())
	}
}

// TestBadSignatureEncodings (threats A9): wrong lengths and zero r or s
// are rejected without panicking.
func TestBadSignatureEncodings(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	orig := testshared.Conformance(t, "example-0.suit")
	i := bytes.Index(orig, []byte{0x58, 0x40})
	sig := orig[i+2 : i+66]
	n := elliptic.P256().Params().N.FillBytes(make([]byte, 32))
	variants := map[string][]byte{
		"r zero":        append(make([]byte, 32), sig[32:]...),
		"s zero":        append(append([]byte(nil), sig[:32]...), make([]byte, 32)...),
		"r = n":         append(append([]byte(nil), n...), sig[32:]...),
		"all 0xff":      bytes.Repeat([]byte{0xff}, 64),
		"63 bytes":      sig[:63],
		"65 bytes":      append(append([]byte(nil), sig...), 0),
		"empty":         {},
		"DER-looking":   append([]byte{0x30, 0x44, 0x02, 0x20}, sig[:60]...),
		"128 bytes":     append(append([]byte(nil), sig...), sig...),
		"one byte flip": append([]byte{sig[0] ^ 1}, sig[1:]...),
	}
	for name, s := range variants {
		prot := []byte{0xa1, 0x01, 0x26}
		blk := enc(t, cbor.Tag{Number: 18, Content: []any{prot, map[any]any{}, nil, s}})
		man := orig[bytes.Index(orig, []byte{0x58, 0x71})+2:]
		man = man[:0x71]
		d := suitDigest(t, man)
		if _, err := v.Verify(envelope(t, d, [][]byte{blk}, man, nil)); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// TestThresholdDuplicateSignatures (threats A10): one key signing twice, or
// listed twice, counts once.
func TestThresholdDuplicateSignatures(t *testing.T) {
	privA, keyA := newP256(t)
	privB, keyB := newP256(t)
	keyAagain, _ := NewKey(&privA.PublicKey, &Binding{Name: "A under another name"})
	a, b := signer{alg: int64(keys.ES256), ec: privA}, signer{alg: int64(keys.ES256), ec: privB}
	m := testManifest{seq: 1}

	if _, err := New([]*Key{keyA, keyAagain}, &Options{Policy: RequireThreshold(2), NoRollbackCheckUnsafe: true}); err == nil {
		t.Fatal("threshold 2 over one distinct key accepted at New")
	}
	v2 := mustVerifier(t, []*Key{keyA, keyAagain, keyB}, &Options{Policy: RequireThreshold(2), NoRollbackCheckUnsafe: true})
	if _, err := v2.Verify(signedEnvelope(t, m, a, a)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("same key twice met threshold 2: %v", err)
	}
	// A's signature also verifies under "keyAagain": still one key.
	res, err := v2.Verify(signedEnvelope(t, m, a, b))
	if err != nil {
		t.Fatalf("two distinct keys: %v", err)
	}
	if len(res.Signers()) != 2 {
		t.Fatalf("signers %d, want 2", len(res.Signers()))
	}
	all := mustVerifier(t, []*Key{keyA, keyB}, &Options{Policy: RequireAll(), NoRollbackCheckUnsafe: true})
	if _, err := all.Verify(signedEnvelope(t, m, a)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("RequireAll with one of two: %v", err)
	}
	if _, err := all.Verify(signedEnvelope(t, m, b, a)); err != nil {
		t.Fatalf("RequireAll with both: %v", err)
	}
	anyV := mustVerifier(t, []*Key{keyA, keyB}, nil)
	other, _ := newP256(t)
	if _, err := anyV.Verify(signedEnvelope(t, m, signer{alg: int64(keys.ES256), ec: other}, b)); err != nil {
		t.Fatalf("RequireAny with one untrusted and one trusted block: %v", err)
	}
}

// TestTOCTOUInputMutation (threats A12): changing the caller's buffer after
// Verify returned changes nothing in the result.
func TestTOCTOUInputMutation(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	data := testshared.Conformance(t, "example-2.suit")
	res, err := v.Verify(data)
	if err != nil {
		t.Fatal(err)
	}
	id, raw := res.ID(), append([]byte(nil), res.Envelope().ManifestBytes...)
	text := append([]byte(nil), res.Envelope().Severed[23]...)
	for i := range data {
		data[i] = 0xff
	}
	if res.ID() != id || !bytes.Equal(res.Envelope().ManifestBytes, raw) || !bytes.Equal(res.Envelope().Severed[23], text) || res.Sequence() != 2 {
		t.Fatal("result changed with the caller's buffer")
	}
}

// TestUnsupportedDigestAlgorithm (threats A7): a correctly signed wrapper
// whose SUIT_Digest uses an algorithm outside the supported set fails.
func TestUnsupportedDigestAlgorithm(t *testing.T) {
	priv, key := newP256(t)
	v := mustVerifier(t, []*Key{key}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	sum := sha256.Sum256(enc(t, man))
	for _, alg := range []any{0, 1, -17, int64(-1) << 40} {
		d := enc(t, []any{alg, sum[:]})
		env := envelope(t, d, [][]byte{signer{alg: int64(keys.ES256), ec: priv}.block(t, d, nil, nil)}, man, nil)
		res, err := v.Verify(env)
		if err == nil || res != nil {
			t.Errorf("digest alg %v accepted", alg)
		}
	}
}

// TestCOSEFormsVerify: COSE_Sign with two signers, COSE_Mac0 and COSE_Mac
// with a direct recipient, ES384/ES512/Ed25519 Sign1 all verify.
func TestCOSEFormsVerify(t *testing.T) {
	man, _ := testManifest{seq: 3}.encode(t)
	d := suitDigest(t, man)
	p1, k1 := newP256(t)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	k384, _ := NewKey(&p384.PublicKey, nil)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	k521, _ := NewKey(&p521.PublicKey, nil)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	kEd, _ := NewKey(edPub, nil)
	secret := bytes.Repeat([]byte{0x5a}, 32)
	kMac, _ := NewMACKey(secret, nil)

	body := enc(t, map[int]int{3: 0}) // content type only; algs in each signature
	sigProt := func(alg int64) []byte { return enc(t, map[int]int64{1: alg}) }
	tbs := func(alg int64) []byte { return enc(t, []any{"Signature", body, sigProt(alg), []byte{}, d}) }
	coseSign := enc(t, cbor.Tag{Number: 98, Content: []any{body, map[any]any{}, nil, []any{
		[]any{sigProt(int64(keys.ES256)), map[any]any{4: []byte("k1")}, signer{ec: p1}.raw(t, tbs(int64(keys.ES256)))},
		[]any{sigProt(int64(keys.Ed25519)), map[any]any{}, signer{ed: edPriv}.raw(t, tbs(int64(keys.Ed25519)))},
	}}})
	macProt := enc(t, map[int]int64{1: int64(keys.HMAC256)})
	mac := signer{secret: secret}.raw(t, enc(t, []any{"MAC", macProt, []byte{}, d}))
	coseMac := enc(t, cbor.Tag{Number: 97, Content: []any{macProt, map[any]any{}, nil, mac, []any{
		[]any{[]byte{}, map[any]any{1: -6, 4: []byte("mac-key")}, []byte{}},
	}}})

	cases := map[string]struct {
		keys   []*Key
		blocks [][]byte
		policy Policy
	}{
		"COSE_Sign two signers, all":   {[]*Key{k1, kEd}, [][]byte{coseSign}, RequireAll()},
		"COSE_Mac0 HMAC 256/256":       {[]*Key{kMac}, [][]byte{signer{alg: int64(keys.HMAC256), secret: secret}.block(t, d, nil, nil)}, RequireAny()},
		"COSE_Mac direct recipient":    {[]*Key{kMac}, [][]byte{coseMac}, RequireAny()},
		"ES384":                        {[]*Key{k384}, [][]byte{signer{alg: int64(keys.ES384), ec: p384}.block(t, d, nil, nil)}, RequireAny()},
		"ESP512":                       {[]*Key{k521}, [][]byte{signer{alg: int64(keys.ESP512), ec: p521}.block(t, d, nil, nil)}, RequireAny()},
		"EdDSA -8":                     {[]*Key{kEd}, [][]byte{signer{alg: int64(keys.EdDSA), ed: edPriv}.block(t, d, nil, nil)}, RequireAny()},
		"MAC and signature, threshold": {[]*Key{kMac, k1}, [][]byte{signer{alg: int64(keys.HMAC256), secret: secret}.block(t, d, nil, nil), signer{alg: int64(keys.ESP256), ec: p1}.block(t, d, nil, nil)}, RequireThreshold(2)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			v := mustVerifier(t, c.keys, &Options{Policy: c.policy, NoRollbackCheckUnsafe: true})
			res, err := v.Verify(envelope(t, d, c.blocks, man, nil))
			if err != nil {
				t.Fatal(err)
			}
			if res.Sequence() != 3 {
				t.Fatalf("sequence %d", res.Sequence())
			}
		})
	}
	// A wrong HMAC secret fails.
	wrong, _ := NewMACKey(bytes.Repeat([]byte{0x5b}, 32), nil)
	if _, err := mustVerifier(t, []*Key{wrong}, nil).Verify(envelope(t, d, [][]byte{coseMac}, man, nil)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("wrong MAC key: %v", err)
	}
}
