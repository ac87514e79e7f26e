package verify

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// FuzzVerify mutates the IETF example envelopes. Property: nothing the
// trusted key did not sign is ever accepted, i.e. if Verify succeeds, the
// manifest bytes and the signed digest bytes are exactly those of one of
// the genuinely signed examples, the digest matches the manifest, and
// severed elements match. Verify never panics and returns a nil result with
// every error, and every error matches one of the package's sentinels.
func FuzzVerify(f *testing.F) {
	type signedPair struct{ manifest, digest string }
	signed := map[signedPair]bool{}
	for _, name := range testshared.ConformanceFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		env, err := suit.Parse(data, nil)
		if err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		if len(env.Authentication.Blocks) > 0 {
			signed[signedPair{string(env.ManifestBytes), string(env.Authentication.DigestBytes)}] = true
		}
	}
	if len(signed) != 6 {
		f.Fatalf("%d distinct signed manifests, want 6", len(signed))
	}
	key := ietfKey(f)
	v := mustVerifier(f, []*Key{key}, nil)
	sentinels := []error{ErrUnauthenticated, ErrMalformed, suit.ErrDigestMismatch, ErrUnsupportedAlgorithm,
		ErrUnsupportedHeader, ErrSeveredMismatch, ErrMissingPayload, ErrUnauthorizedComponent, ErrRollback}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		res, err := v.Verify(data)
		if !bytes.Equal(orig, data) {
			t.Fatal("Verify modified its input")
		}
		if err != nil {
			if res != nil {
				t.Fatal("non-nil result with an error")
			}
			known := false
			for _, s := range sentinels {
				known = known || errors.Is(err, s)
			}
			if !known {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			return
		}
		p := signedPair{string(res.Envelope().ManifestBytes), string(res.Envelope().Authentication.DigestBytes)}
		if !signed[p] {
			t.Fatalf("accepted a manifest/digest pair the key never signed:\nmanifest %x\ndigest %x", p.manifest, p.digest)
		}
		if !res.Digest().Matches(suit.BstrItem(res.Envelope().ManifestBytes)) {
			t.Fatal("accepted digest does not match the manifest")
		}
		for k, content := range res.Envelope().Severed {
			var d *suit.Digest
			switch k {
			case suit.ManifestInstall:
				d = res.Manifest().Install.Digest
			case suit.ManifestText:
				d = res.Manifest().Text.Digest
			}
			if d == nil || !d.Matches(suit.BstrItem(content)) {
				t.Fatalf("accepted severed element %d that does not match", k)
			}
		}
		if len(res.Signers()) != 1 || res.Signers()[0] != key {
			t.Fatal("accepted without the trusted signer")
		}
	})
}
