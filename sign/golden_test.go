package sign

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Deterministic goldens (keys.Ed25519 and HMAC) that other packages and tools
// can verify: testdata/example-0-ed25519.suit is example-0-unsigned signed
// with the RFC 8032 test 1 key (keys.Ed25519, -19, kid "rfc8032-test1"; public
// key in ed25519-rfc8032-test1.pub.pem); testdata/example-1-hmac.suit is
// example-1-unsigned MACed with HMAC 256/256 under the 32-byte secret
// 00 01 ... 1f (hmac-test.key, kid "hmac-test"). Each has a .diag for
// reviewers.
func TestGoldenEnvelopes(t *testing.T) {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	priv := ed25519.NewKeyFromSeed(seed)
	edSigner, err := NewSigner(keys.Ed25519, priv, []byte("rfc8032-test1"))
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	mac, err := NewMACer(secret, []byte("hmac-test"))
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := (&keys.Key{Public: priv.Public()}).MarshalPublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		name, in string
		s        *Signer
	}{{"example-0-ed25519", "example-0-unsigned.suit", edSigner}, {"example-1-hmac", "example-1-unsigned.suit", mac}} {
		got, err := SignBytes(testshared.Conformance(t, g.in), g.s)
		if err != nil {
			t.Fatal(err)
		}
		diag, err := diag.Format(got, &diag.Options{Indent: "  ", EmbeddedCBOR: true, Annotate: true})
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, map[string][]byte{g.name + ".suit": got})
		// The .diag is for readers; it follows diag.Format's formatting, so
		// it is rewritten with -update but not compared.
		if *update {
			if err := os.WriteFile(filepath.Join("testdata", g.name+".diag"), []byte(diag+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		env, err := suit.Decode(got, nil)
		if err != nil {
			t.Fatal(err)
		}
		if g.s == edSigner {
			verifySign1(t, env.Authentication.Blocks[0], env.Authentication.DigestBytes, keys.Ed25519, priv.Public())
		}
	}
	checkGolden(t, map[string][]byte{"ed25519-rfc8032-test1.pub.pem": pubPEM, "hmac-test.key": secret})
}

func checkGolden(t *testing.T, files map[string][]byte) {
	t.Helper()
	for name, got := range files {
		p := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(p, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (run go test -run TestGoldenEnvelopes -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file (if intended, rerun with -update)", name)
		}
	}
}
