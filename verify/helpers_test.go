package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
)

// ietfKey is the draft's Appendix B public key as a trust anchor.
func ietfKey(t testing.TB) *Key { return ietfKeyBound(t, nil) }

// ietfKeyBound is ietfKey with a binding.
func ietfKeyBound(t testing.TB, b *Binding) *Key {
	t.Helper()
	pk, err := keys.ParsePublicKey(testshared.Conformance(t, "public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKey(pk.Public, b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ietfPrivate(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(testshared.Conformance(t, "private_key.pem"))
	if block == nil {
		t.Fatal("no PEM in private_key.pem")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*ecdsa.PrivateKey)
}

// The test encoder is fxamacker/cbor in core deterministic mode: a
// different implementation from the package's own head writer, so the tests
// cross-check the Sig_structure and envelope encodings.
var testEnc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

func enc(t testing.TB, v any) []byte {
	t.Helper()
	b, err := testEnc.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testManifest describes a manifest the tests encode by hand.
type testManifest struct {
	seq        uint64
	components [][][]byte // default [[h'00']]
	vendor     []byte     // default the IETF vendor id
	class      []byte
	installURI string // adds an inline install sequence fetching this URI
	severInst  bool   // sever the install sequence (digest in the manifest)
	mcid       [][]byte
	noVendor   bool
}

var (
	ietfVendor = []byte{0xfa, 0x6b, 0x4a, 0x53, 0xd5, 0xad, 0x5f, 0xdf, 0xbe, 0x9d, 0xe6, 0x63, 0xe4, 0xd4, 0x1f, 0xfe}
	ietfClass  = []byte{0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x45}
)

// encode returns the manifest bstr content and, when the install sequence
// is severed, the severed content to carry in the envelope.
func (m testManifest) encode(t testing.TB) (manifest, severedInstall []byte) {
	t.Helper()
	comps := m.components
	if comps == nil {
		comps = [][][]byte{{{0x00}}}
	}
	vendor, class := m.vendor, m.class
	if vendor == nil {
		vendor = ietfVendor
	}
	if class == nil {
		class = ietfClass
	}
	var shared []any
	if !m.noVendor {
		shared = []any{20, map[int]any{1: vendor, 2: class}, 1, 15, 2, 15}
	} else {
		shared = []any{20, map[int]any{14: 34768}}
	}
	common := map[int]any{2: comps, 4: enc(t, shared)}
	man := map[int]any{1: 1, 2: m.seq, 3: enc(t, common)}
	if m.installURI != "" {
		inst := enc(t, []any{20, map[int]any{21: m.installURI}, 21, 2})
		if m.severInst {
			sum := sha256.Sum256(enc(t, inst)) // digest over the bstr item
			man[20] = []any{-16, sum[:]}
			severedInstall = inst
		} else {
			man[20] = inst
		}
	}
	if m.mcid != nil {
		man[5] = m.mcid
	}
	return enc(t, man), severedInstall
}

// suitDigest returns the encoded SUIT_Digest (SHA-256) over the manifest
// bstr item.
func suitDigest(t testing.TB, manifest []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(enc(t, manifest))
	return enc(t, []any{-16, sum[:]})
}

// envelope assembles a tagged envelope; extra holds further members
// (severed elements by int key, integrated payloads by string key).
func envelope(t testing.TB, digest []byte, blocks [][]byte, manifest []byte, extra map[any][]byte) []byte {
	t.Helper()
	auth := []any{digest}
	for _, b := range blocks {
		auth = append(auth, b)
	}
	m := map[any]any{2: enc(t, auth), 3: manifest}
	for k, v := range extra {
		m[k] = v
	}
	return enc(t, cbor.Tag{Number: 107, Content: m})
}

// signer produces raw COSE signatures or tags for the test keys.
type signer struct {
	alg    int64
	ec     *ecdsa.PrivateKey
	ed     ed25519.PrivateKey
	secret []byte
}

func newP256(t testing.TB) (*ecdsa.PrivateKey, *Key) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKey(&priv.PublicKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv, k
}

func (s signer) raw(t testing.TB, tbs []byte) []byte {
	t.Helper()
	switch {
	case s.ec != nil:
		var h []byte
		switch s.ec.Curve {
		case elliptic.P256():
			d := sha256.Sum256(tbs)
			h = d[:]
		case elliptic.P384():
			d := sha512.Sum384(tbs)
			h = d[:]
		default:
			d := sha512.Sum512(tbs)
			h = d[:]
		}
		r, sv, err := ecdsa.Sign(rand.Reader, s.ec, h)
		if err != nil {
			t.Fatal(err)
		}
		size := (s.ec.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		sv.FillBytes(out[size:])
		return out
	case s.ed != nil:
		return ed25519.Sign(s.ed, tbs)
	}
	var m = hmac.New(sha256.New, s.secret)
	switch s.alg {
	case int64(keys.HMAC384):
		m = hmac.New(sha512.New384, s.secret)
	case int64(keys.HMAC512):
		m = hmac.New(sha512.New, s.secret)
	}
	m.Write(tbs)
	return m.Sum(nil)
}

// block builds a tagged COSE_Sign1 (or COSE_Mac0 for a secret) over the
// detached payload. prot and unprot default to {1: alg} and {}.
func (s signer) block(t testing.TB, payload []byte, prot []byte, unprot map[any]any) []byte {
	t.Helper()
	if prot == nil {
		prot = enc(t, map[int]int64{1: s.alg})
	}
	if unprot == nil {
		unprot = map[any]any{}
	}
	ctx, tag := "Signature1", uint64(18)
	if s.secret != nil {
		ctx, tag = "MAC0", 17
	}
	tbs := enc(t, []any{ctx, prot, []byte{}, payload})
	return enc(t, cbor.Tag{Number: tag, Content: []any{prot, unprot, nil, s.raw(t, tbs)}})
}

// signedEnvelope encodes m, signs its digest with each signer and returns
// the envelope.
func signedEnvelope(t testing.TB, m testManifest, signers ...signer) []byte {
	t.Helper()
	man, sev := m.encode(t)
	d := suitDigest(t, man)
	var blocks [][]byte
	for _, s := range signers {
		blocks = append(blocks, s.block(t, d, nil, nil))
	}
	extra := map[any][]byte{}
	if sev != nil {
		extra[20] = sev
	}
	if len(m.installURI) > 0 && m.installURI[0] == '#' {
		extra[m.installURI] = []byte("firmware image")
	}
	return envelope(t, d, blocks, man, extra)
}

// highS returns the (r, n-s) twin of a raw P-256 signature.
func highS(sig []byte) []byte {
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(n, s)
	out := append([]byte(nil), sig[:32]...)
	return append(out, s.FillBytes(make([]byte, 32))...)
}

// mustVerifier builds a verifier or fails the test.
// mustVerifier makes a Verifier; nil opts means an inspection verifier
// (no rollback store).
func mustVerifier(t testing.TB, anchors []*Key, opts *Options) *Verifier {
	t.Helper()
	if opts == nil {
		opts = &Options{NoRollbackCheckUnsafe: true}
	}
	v, err := New(anchors, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
