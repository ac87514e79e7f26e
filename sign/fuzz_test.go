package sign

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// keySeeds returns valid keys of every type in both encodings.
func keySeeds(f *testing.F) (cose, pems [][]byte) {
	for _, alg := range Algorithms() {
		k, err := GenerateKey(alg)
		if err != nil {
			f.Fatal(err)
		}
		k.KeyID = []byte{1, 2}
		c, _ := k.MarshalCOSEKey()
		cose = append(cose, c)
		if po, err := k.PublicOnly(); err == nil {
			c, _ := po.MarshalCOSEKey()
			cose = append(cose, c)
			p, _ := k.MarshalPEM()
			pp, _ := k.MarshalPublicPEM()
			pems = append(pems, p, pp)
			if s, err := k.MarshalSEC1PEM(); err == nil {
				pems = append(pems, s)
			}
		}
	}
	return cose, pems
}

// checkParsed is the property shared by the key fuzzers: an error is typed
// and comes with a nil key; a key re-encodes to a COSE_Key that parses to
// the same encoding (so nothing half-valid is ever returned).
func checkParsed(t *testing.T, k *Key, err error) {
	if err != nil {
		if k != nil {
			t.Fatalf("error %v with non-nil key", err)
		}
		if !errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm) {
			t.Fatalf("untyped error %v", err)
		}
		return
	}
	if k.Public == nil && len(k.Secret) == 0 {
		t.Fatal("key with neither public half nor secret")
	}
	enc, err := k.MarshalCOSEKey()
	if err != nil {
		t.Fatalf("parsed key does not re-encode: %v", err)
	}
	back, err := ParseCOSEKey(enc)
	if err != nil {
		t.Fatalf("re-encoded key does not parse: %v", err)
	}
	enc2, _ := back.MarshalCOSEKey()
	if !bytes.Equal(enc, enc2) {
		t.Fatalf("COSE_Key not stable:\n%x\n%x", enc, enc2)
	}
	if k.IsPrivate() {
		if _, err := k.NewSigner(0); err != nil && !errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm) {
			t.Fatalf("parsed private key unusable: %v", err)
		}
	}
}

func FuzzParseCOSEKey(f *testing.F) {
	cose, _ := keySeeds(f)
	for _, s := range cose {
		f.Add(s)
	}
	f.Add([]byte{0xa3, 0x01, 0x04, 0x20, 0x41, 0x00, 0x01, 0x04})
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseCOSEKey(data)
		checkParsed(t, k, err)
	})
}

func FuzzParsePEM(f *testing.F) {
	_, pems := keySeeds(f)
	for _, s := range pems {
		f.Add(s)
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		checkParsed(t, k, err)
	})
}

// envelopeSeeds adds the IETF examples when the shared vectors are present.
func envelopeSeeds(f *testing.F) {
	for _, p := range testshared.FindConformanceFiles() {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzSignBytes: whatever the input, SignBytes either fails with a typed
// error or returns an envelope whose wrapper digest covers its manifest and
// whose new last block verifies over that digest.
func FuzzSignBytes(f *testing.F) {
	envelopeSeeds(f)
	f.Add([]byte{0xd8, 0x6b, 0xa0})
	seed := bytes.Repeat([]byte{1}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	s, err := NewSigner(Ed25519, priv, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := SignBytes(data, s)
		if err != nil {
			if out != nil || (!errors.Is(err, ErrEnvelope) && !errors.Is(err, ErrDigestMismatch)) {
				t.Fatalf("untyped error or output with error: %v", err)
			}
			return
		}
		env, err := suit.Parse(out, nil)
		if err != nil {
			t.Fatalf("signed output does not parse: %v", err)
		}
		if !env.Authentication.Digest.Matches(suit.BstrItem(env.ManifestBytes)) {
			t.Fatal("signed a digest that does not cover the manifest")
		}
		blocks := env.Authentication.Blocks
		verifySign1(t, blocks[len(blocks)-1], env.Authentication.DigestBytes, Ed25519, priv.Public())
	})
}
