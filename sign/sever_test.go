package sign

import (
	"bytes"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// The envelope operations live in suit (they do no cryptography); these
// tests check how they combine with signing.

// inlineExample2 returns example 2 with install and text inline in the
// manifest (the author's form before severing), unsigned.
func inlineExample2(t *testing.T) *suit.Envelope {
	t.Helper()
	env, err := suit.Decode(testshared.Conformance(t, "example-2.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := env.Manifest
	m.Install.Digest, m.Text.Digest = nil, nil
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	inline, err := suit.Decode(encode(t, &suit.Envelope{Tagged: true, ManifestBytes: mb, Authentication: &suit.Authentication{Digest: d}}), nil)
	if err != nil {
		t.Fatalf("inline example 2 does not decode: %v", err)
	}
	return inline
}

// Severing the inline form of example 2 and signing it reproduces example-2
// except for the signature.
func TestSignSeveredExample2(t *testing.T) {
	env := inlineExample2(t)
	if _, err := suit.Sever(env, nil); err != nil {
		t.Fatal(err)
	}
	if err := Authenticate(env, ietfSigner(t)); err != nil {
		t.Fatal(err)
	}
	if !equalExceptSignature(encode(t, env), testshared.Conformance(t, "example-2.suit")) {
		t.Fatal("signed severed envelope differs from example-2 beyond the signature")
	}
}

// Severing a signed envelope with DropSignatures gives one that decodes and
// signs again.
func TestSignAfterSeverDroppedSignatures(t *testing.T) {
	env := inlineExample2(t)
	if err := Authenticate(env, ietfSigner(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := suit.Sever(env, &suit.SeverOptions{Elements: []int64{suit.ManifestText}, DropSignatures: true, DigestAlgorithm: suit.AlgSHA384}); err != nil {
		t.Fatal(err)
	}
	back, err := suit.Decode(encode(t, env), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Authenticate(back, ietfSigner(t)); err != nil {
		t.Fatal(err)
	}
}

// Adding an integrated payload leaves the signature valid.
func TestAddPayloadKeepsSignatureValid(t *testing.T) {
	env := parseIETF(t, "example-0.suit")
	if err := suit.AddPayload(env, "#fw.bin", []byte("firmware image")); err != nil {
		t.Fatal(err)
	}
	out := encode(t, env)
	payload, blocks := authOf(t, out)
	verifySign1(t, blocks[0], payload, keys.ES256, ietfKey(t).Public)
	if back, err := suit.Parse(out, nil); err != nil || !bytes.Equal(back.Integrated["#fw.bin"], []byte("firmware image")) {
		t.Fatalf("payload not carried: %v", err)
	}
}
