package verify

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// TestSeveredElementSwapped (threats: severed element must match): the text
// or install element of example 2 replaced by other bytes, or an element
// the manifest does not sever, is rejected with ErrSeveredMismatch.
func TestSeveredElementSwapped(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	res, err := v.Verify(testshared.Conformance(t, "example-2.suit"))
	if err != nil {
		t.Fatal(err)
	}
	env := res.Envelope()
	auth := testshared.Conformance(t, "example-2.suit")
	authItem := auth[4 : 4+2+0x73] // key 2's bstr item: 58 73 ...
	if authItem[0] != 0x58 {
		t.Fatalf("unexpected layout %x", authItem[:2])
	}
	rebuild := func(sev map[any][]byte) []byte {
		m := map[any]any{2: authItem[2:], 3: env.ManifestBytes}
		for k, v := range sev {
			m[k] = v
		}
		return envelope2(t, m)
	}
	install, text := env.Severed[20], env.Severed[23]
	// Sanity: the rebuilt original verifies.
	if _, err := v.Verify(rebuild(map[any][]byte{20: install, 23: text})); err != nil {
		t.Fatalf("rebuilt original: %v", err)
	}
	ex0, _ := v.Verify(testshared.Conformance(t, "example-0.suit"))
	otherSeq := ex0.Manifest().Validate.Raw // a valid command sequence from another manifest
	cases := map[string]map[any][]byte{
		"install swapped for another sequence": {20: otherSeq, 23: text},
		"text swapped for install":             {20: install, 23: install},
		"text changed":                         {20: install, 23: append(bytes.Clone(text[:len(text)-1]), text[len(text)-1]^1)},
		"payload-fetch not severed":            {16: otherSeq},
	}
	for name, sev := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(rebuild(sev))
			if !errors.Is(err, ErrSeveredMismatch) {
				t.Fatalf("got %v, want ErrSeveredMismatch", err)
			}
		})
	}
	// Dropping severed elements is allowed (example-2-severed).
	if _, err := v.Verify(rebuild(map[any][]byte{23: text})); err != nil {
		t.Fatalf("install dropped: %v", err)
	}
}

func envelope2(t *testing.T, m map[any]any) []byte {
	return enc(t, cbor.Tag{Number: 107, Content: m})
}

// TestMissingIntegratedPayload: a manifest fetching "#fw" needs the
// envelope to carry it.
func TestMissingIntegratedPayload(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	v := mustVerifier(t, []*Key{key}, nil)
	m := testManifest{seq: 1, installURI: "#fw"}
	if _, err := v.Verify(signedEnvelope(t, m, s)); err != nil {
		t.Fatalf("with the payload: %v", err)
	}
	man, _ := m.encode(t)
	d := suitDigest(t, man)
	env := envelope(t, d, [][]byte{s.block(t, d, nil, nil)}, man, map[any][]byte{"#other": []byte("x")})
	var me *MissingPayloadError
	if _, err := v.Verify(env); !errors.As(err, &me) || !errors.Is(err, ErrMissingPayload) || me.URI != "#fw" {
		t.Fatalf("got %v, want ErrMissingPayload for #fw", err)
	}
	// A remote URI needs nothing in the envelope; a severed install that
	// the envelope carries is checked too.
	if _, err := v.Verify(signedEnvelope(t, testManifest{seq: 1, installURI: "http://example.com/fw"}, s)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(signedEnvelope(t, testManifest{seq: 1, installURI: "#fw", severInst: true}, s)); err != nil {
		t.Fatalf("severed install with payload: %v", err)
	}
}

// TestComponentPrefixACL (RFC 9124 access-control model 2): a key limited
// to component prefix [h'00'] may sign for [h'00'] and [h'00', 'x'] but not
// for [h'01'].
func TestComponentPrefixACL(t *testing.T) {
	priv, _ := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	key, err := NewKey(&priv.PublicKey, &Binding{ComponentPrefixes: [][][]byte{[][]byte{{0x00}}}})
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, []*Key{key}, nil)
	for _, comps := range [][][][]byte{{{{0x00}}}, {{{0x00}, []byte("x")}}} {
		if _, err := v.Verify(signedEnvelope(t, testManifest{seq: 1, components: comps}, s)); err != nil {
			t.Fatalf("allowed components %v: %v", comps, err)
		}
	}
	var ce *ComponentError
	_, err = v.Verify(signedEnvelope(t, testManifest{seq: 1, components: [][][]byte{{{0x00}}, {{0x01}}}}, s))
	if !errors.As(err, &ce) || !errors.Is(err, ErrUnauthorizedComponent) || !bytes.Equal(ce.Component[0], []byte{0x01}) {
		t.Fatalf("component outside prefix: %v", err)
	}
	_, err = v.Verify(signedEnvelope(t, testManifest{seq: 1, components: [][][]byte{{}}}, s))
	if !errors.Is(err, ErrUnauthorizedComponent) {
		t.Fatalf("empty component id: %v", err)
	}
	// An unrestricted second key that also signed satisfies the policy.
	privB, keyB := newP256(t)
	v2 := mustVerifier(t, []*Key{key, keyB}, nil)
	res, err := v2.Verify(signedEnvelope(t, testManifest{seq: 1, components: [][][]byte{{{0x01}}}}, s, signer{alg: int64(keys.ES256), ec: privB}))
	if err != nil || len(res.Signers()) != 1 || res.Signers()[0] != keyB {
		t.Fatalf("unrestricted co-signer: %v", err)
	}
}

// TestMixAndMatchSeveredInstall (threats R8): two validly signed manifests
// with severed install sequences; carrying one's install in the other's
// envelope is ErrSeveredMismatch.
func TestMixAndMatchSeveredInstall(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	v := mustVerifier(t, []*Key{key}, nil)
	build := func(uri string) (man, inst, d []byte) {
		man, inst = testManifest{seq: 1, installURI: uri, severInst: true}.encode(t)
		return man, inst, suitDigest(t, man)
	}
	manA, instA, dA := build("http://example.com/a.bin")
	_, instB, _ := build("http://example.com/b.bin")
	blk := s.block(t, dA, nil, nil)
	if _, err := v.Verify(envelope(t, dA, [][]byte{blk}, manA, map[any][]byte{20: instA})); err != nil {
		t.Fatalf("own install: %v", err)
	}
	if _, err := v.Verify(envelope(t, dA, [][]byte{blk}, manA, map[any][]byte{20: instB})); !errors.Is(err, ErrSeveredMismatch) {
		t.Fatalf("other manifest's install: %v", err)
	}
}

// TestTooManyComponents (threats R7): a signed manifest listing more
// components than the limit is refused by the decoder's cap, after
// authentication, as malformed (suit.ErrLimit).
func TestTooManyComponents(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	comps := make([][][]byte, 65)
	for i := range comps {
		comps[i] = [][]byte{{byte(i)}}
	}
	env := signedEnvelope(t, testManifest{seq: 1, components: comps}, s)
	_, err := mustVerifier(t, []*Key{key}, nil).Verify(env)
	if !errors.Is(err, ErrMalformed) || !errors.Is(err, suit.ErrLimit) {
		t.Fatalf("65 components: %v", err)
	}
	lim := suit.Limits{MaxComponents: 100}
	if _, err := mustVerifier(t, []*Key{key}, &Options{Limits: &lim, NoRollbackCheckUnsafe: true}).Verify(env); err != nil {
		t.Fatalf("65 components with MaxComponents 100: %v", err)
	}
}

// TestVerifiedTextOnDemand: Verify hashes example 2's severed text but does
// not decode it; Verified.Text decodes it when asked, to what suit.Decode
// gives. The severed install, which a processor runs, is decoded.
func TestVerifiedTextOnDemand(t *testing.T) {
	data := testshared.Conformance(t, "example-2.suit")
	res, err := mustVerifier(t, []*Key{ietfKey(t)}, nil).Verify(data)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest()
	if m.Text == nil || m.Text.Digest == nil || m.Text.Text != nil {
		t.Fatalf("severed text: %+v, want its digest only", m.Text)
	}
	if m.Install == nil || m.Install.Sequence == nil || len(m.Install.Sequence.Commands) == 0 {
		t.Fatal("severed install not decoded")
	}
	got, err := res.Text()
	if err != nil {
		t.Fatal(err)
	}
	full, err := suit.Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || !reflect.DeepEqual(got, full.Manifest.Text.Text) {
		t.Fatalf("Text() = %+v, want %+v", got, full.Manifest.Text.Text)
	}
	if m.Text.Text != nil {
		t.Fatal("Text() modified the verified manifest")
	}
	if tx, err := (*Verified)(nil).Text(); tx != nil || err != nil {
		t.Fatal("nil Verified has text")
	}
	ex0, err := mustVerifier(t, []*Key{ietfKey(t)}, nil).Verify(testshared.Conformance(t, "example-0.suit"))
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := ex0.Text(); tx != nil || err != nil {
		t.Fatalf("example 0 has no text, got %v, %v", tx, err)
	}
}

// TestVerifiedIDFormat: ID is "<alg>:<hex>" of the manifest digest.
func TestVerifiedIDFormat(t *testing.T) {
	res, err := mustVerifier(t, []*Key{ietfKey(t)}, nil).Verify(testshared.Conformance(t, "example-2.suit"))
	if err != nil {
		t.Fatal(err)
	}
	d := res.Digest()
	if want := fmt.Sprintf("%d:%x", d.Algorithm, d.Value); res.ID() != want || len(d.Value) != 32 {
		t.Fatalf("ID() = %q, want %q", res.ID(), want)
	}
	if (*Verified)(nil).ID() != "" {
		t.Fatal("nil Verified has an ID")
	}
}
