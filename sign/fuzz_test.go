package sign

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

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
	s, err := NewSigner(keys.Ed25519, priv, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := SignBytes(data, s)
		if err != nil {
			if out != nil || (!errors.Is(err, ErrEnvelope) && !errors.Is(err, suit.ErrDigestMismatch)) {
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
		verifySign1(t, blocks[len(blocks)-1], env.Authentication.DigestBytes, keys.Ed25519, priv.Public())
	})
}
