package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

func parseIETF(t *testing.T, name string) *suit.Envelope {
	t.Helper()
	env, err := suit.Parse(testshared.Conformance(t, name), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return env
}

func encode(t *testing.T, env *suit.Envelope) []byte {
	t.Helper()
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// equalExceptSignature reports whether a and b have the same length and
// differ only inside one 64-byte window (one P-256 signature).
func equalExceptSignature(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	first, last := -1, -1
	for i := range a {
		if a[i] != b[i] {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first < 0 || last-first < 64
}

func ietfSigner(t *testing.T) *Signer {
	t.Helper()
	s, err := ForKey(ietfKey(t), keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Signing every unsigned draft example reproduces the signed example
// except for the randomized signature, which verifies.
func TestEnvelopeSignsUnsignedIETFExamples(t *testing.T) {
	s := ietfSigner(t)
	pub := ietfKey(t).Public
	for _, name := range []string{"example-0", "example-1", "example-2", "example-2-severed", "example-3", "example-4", "example-5"} {
		t.Run(name, func(t *testing.T) {
			in := testshared.Conformance(t, name+"-unsigned.suit")
			got, err := SignBytes(in, s)
			if err != nil {
				t.Fatal(err)
			}
			want := testshared.Conformance(t, name+".suit")
			if !equalExceptSignature(got, want) {
				t.Fatalf("signed envelope differs from the draft beyond the signature:\n got %x\nwant %x", got, want)
			}
			payload, blocks := authOf(t, got)
			if len(blocks) != 1 {
				t.Fatalf("%d blocks", len(blocks))
			}
			verifySign1(t, blocks[0], payload, keys.ES256, pub)
			if !bytes.Equal(in, testshared.Conformance(t, name+"-unsigned.suit")) {
				t.Fatal("SignBytes modified its input")
			}
		})
	}
}

// TOCTOU (threats K2, A3): a wrapper digest that does not cover the
// manifest being signed is refused, and nothing is signed.
func TestEnvelopeRefusesDigestThatDoesNotMatchManifest(t *testing.T) {
	s := ietfSigner(t)
	t.Run("manifest modified after digesting", func(t *testing.T) {
		env := parseIETF(t, "example-0-unsigned.suit")
		mb := bytes.Clone(env.ManifestBytes)
		mb[len(mb)-1] ^= 1
		env.ManifestBytes = mb
		err := Authenticate(env, s)
		var dm *DigestMismatchError
		if !errors.Is(err, suit.ErrDigestMismatch) || !errors.As(err, &dm) {
			t.Fatalf("err = %v", err)
		}
		if len(env.Authentication.Blocks) != 0 {
			t.Fatal("a block was added despite the mismatch")
		}
	})
	t.Run("digest over content without bstr head", func(t *testing.T) {
		env := parseIETF(t, "example-0-unsigned.suit")
		sum := sha256.Sum256(env.ManifestBytes)
		d := suit.Digest{Algorithm: suit.AlgSHA256, Value: sum[:]}
		db, _ := d.Encode()
		env.Authentication = &suit.Authentication{DigestBytes: db, Digest: d}
		if err := Authenticate(env, s); !errors.Is(err, suit.ErrDigestMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("digest bytes disagree with decoded digest", func(t *testing.T) {
		env := parseIETF(t, "example-0-unsigned.suit")
		env.Authentication.DigestBytes = bytes.Clone(env.Authentication.DigestBytes)
		env.Authentication.DigestBytes[10] ^= 0xff // what would be signed
		if err := Authenticate(env, s); !errors.Is(err, suit.ErrDigestMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unsupported digest algorithm", func(t *testing.T) {
		env := parseIETF(t, "example-0-unsigned.suit")
		d := suit.Digest{Algorithm: 1, Value: make([]byte, 32)}
		db, _ := d.Encode()
		env.Authentication = &suit.Authentication{DigestBytes: db, Digest: d}
		if err := Authenticate(env, s); !errors.Is(err, suit.ErrDigestMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("garbage digest bytes", func(t *testing.T) {
		env := parseIETF(t, "example-0-unsigned.suit")
		env.Authentication.DigestBytes = []byte{0x82, 0x2f}
		if err := Authenticate(env, s); !errors.Is(err, suit.ErrDigestMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestEnvelopeComputesMissingDigest(t *testing.T) {
	env := parseIETF(t, "example-0.suit")
	env.Authentication = nil
	if err := Authenticate(env, ietfSigner(t)); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(env.Authentication.Digest.Value); got != "6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af" {
		t.Fatalf("digest %s", got)
	}
	if !equalExceptSignature(encode(t, env), testshared.Conformance(t, "example-0.suit")) {
		t.Fatal("re-signed example-0 differs beyond the signature")
	}
}

func TestEnvelopeOneBlockPerSignerAndCOSESign(t *testing.T) {
	ec, _ := keys.GenerateKey(keys.ESP256)
	ed, _ := keys.GenerateKey(keys.Ed25519)
	secret := bytes.Repeat([]byte{7}, 32)
	s1, _ := NewSigner(keys.ESP256, ec.Signer, []byte("ec"))
	s2, _ := ForKey(ed, 0)
	mac, _ := NewMACer(secret, []byte("mac"))

	env := parseIETF(t, "example-1.suit") // already one keys.ES256 block from the draft
	if err := Authenticate(env, s1, s2, mac); err != nil {
		t.Fatal(err)
	}
	out := encode(t, env)
	payload, blocks := authOf(t, out)
	if len(blocks) != 4 {
		t.Fatalf("%d blocks, want draft's + 3", len(blocks))
	}
	verifySign1(t, blocks[0], payload, keys.ES256, ietfKey(t).Public)
	verifySign1(t, blocks[1], payload, keys.ESP256, ec.Public)
	verifySign1(t, blocks[2], payload, keys.Ed25519, ed.Public)
	tag, _ := HMAC256Tag(secret, []byte{0xa1, 0x01, 0x05}, payload)
	if !bytes.HasSuffix(blocks[3], tag) || blocks[3][0] != 0xd1 {
		t.Fatalf("Mac0 block %x does not carry the expected tag", blocks[3])
	}
	back, err := suit.Parse(out, nil)
	if err != nil {
		t.Fatalf("signed envelope does not parse: %v", err)
	}
	if len(back.Authentication.Blocks) != 4 {
		t.Fatal("suit.Parse sees a different block count")
	}

	env = parseIETF(t, "example-1-unsigned.suit")
	if err := AuthenticateMulti(env, s1, s2); err != nil {
		t.Fatal(err)
	}
	_, blocks = authOf(t, encode(t, env))
	if len(blocks) != 1 || !bytes.HasPrefix(blocks[0], []byte{0xd8, 0x62}) {
		t.Fatalf("want one COSE_Sign block, got %d", len(blocks))
	}
	if err := Authenticate(env); !errors.Is(err, keys.ErrKey) {
		t.Fatalf("no signers: %v", err)
	}
}

func TestSignBytesRejectsMalformedEnvelope(t *testing.T) {
	s := ietfSigner(t)
	in := testshared.Conformance(t, "example-0-unsigned.suit")
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": in[:len(in)-1],
		"trailing":  append(bytes.Clone(in), 0),
		"garbage":   []byte("not cbor"),
	} {
		if _, err := SignBytes(data, s); !errors.Is(err, ErrEnvelope) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// A bare manifest cannot be signed in place.
	if err := Authenticate(&suit.Envelope{BareManifest: true, ManifestBytes: []byte{0xa0}}, s); !errors.Is(err, ErrEnvelope) {
		t.Errorf("bare manifest: %v", err)
	}
}
