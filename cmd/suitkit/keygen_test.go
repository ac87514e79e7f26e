package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/veraison/go-cose"
)

func signCLIRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signCLIVerifier checks raw COSE signatures with the standard library.
type signCLIVerifier struct {
	alg keys.Algorithm
	pub crypto.PublicKey
}

func (v signCLIVerifier) Algorithm() cose.Algorithm { return cose.Algorithm(v.alg) }

func (v signCLIVerifier) Verify(content, sig []byte) error {
	switch pub := v.pub.(type) {
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return errors.New("bad signature length")
		}
		var h = map[int]crypto.Hash{32: crypto.SHA256, 48: crypto.SHA384, 66: crypto.SHA512}[size].New()
		h.Write(content)
		if !ecdsa.Verify(pub, h.Sum(nil), new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])) {
			return errors.New("ecdsa: bad signature")
		}
		return nil
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, content, sig) {
			return errors.New("ed25519: bad signature")
		}
		return nil
	}
	return errors.New("unsupported key")
}

// signCLIVerifyBlock verifies a COSE_Sign1 block of env over its digest.
func signCLIVerifyBlock(t *testing.T, env *suit.Envelope, i int, alg keys.Algorithm, pub crypto.PublicKey) *cose.Sign1Message {
	t.Helper()
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(env.Authentication.Blocks[i]); err != nil {
		t.Fatalf("block %d: %v", i, err)
	}
	if msg.Payload != nil {
		t.Fatal("attached payload")
	}
	msg.Payload = env.Authentication.DigestBytes
	if err := msg.Verify(nil, signCLIVerifier{alg, pub}); err != nil {
		t.Fatalf("block %d (%v): %v", i, alg, err)
	}
	return &msg
}

func signCLIParse(t *testing.T, name string) *suit.Envelope {
	t.Helper()
	env, err := suit.Parse(signCLIRead(t, name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestKeygenThenSignVerifiesForEveryAlgorithm(t *testing.T) {
	in := testshared.ConformancePath(t, "example-0-unsigned.suit")
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		alg  keys.Algorithm
	}{{"ES256", keys.ES256}, {"ESP256", keys.ESP256}, {"ES384", keys.ES384}, {"ES512", keys.ES512}, {"Ed25519", keys.Ed25519}, {"EdDSA", keys.EdDSA}, {"HMAC-256", keys.HMAC256}} {
		t.Run(tc.name, func(t *testing.T) {
			key := filepath.Join(dir, tc.name+".key")
			pub := filepath.Join(dir, tc.name+".pub")
			args := []string{"keygen", "--alg", tc.name, "--out", key}
			if !tc.alg.IsMAC() {
				args = append(args, "--pub", pub)
			}
			if code, _, stderr := runSuitkit(args...); code != 0 {
				t.Fatalf("keygen exit %d: %s", code, stderr)
			}
			st, err := os.Stat(key)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file mode %v, %v", st.Mode().Perm(), err)
			}
			out := filepath.Join(dir, tc.name+".suit")
			args = []string{"sign", "--in", in, "--out", out}
			if tc.alg.IsMAC() {
				args = append(args, "--mac-key", key)
			} else {
				args = append(args, "--key", key, "--alg", tc.name)
			}
			if code, stdout, stderr := runSuitkit(args...); code != 0 || !strings.Contains(stdout, "1 block(s) added") {
				t.Fatalf("sign exit %d: %s %s", code, stdout, stderr)
			}
			env := signCLIParse(t, out)
			if len(env.Authentication.Blocks) != 1 {
				t.Fatalf("%d blocks", len(env.Authentication.Blocks))
			}
			if tc.alg.IsMAC() {
				secret := signCLIRead(t, key)
				if len(secret) != 32 {
					t.Fatalf("HMAC secret of %d bytes", len(secret))
				}
				tag, _ := sign.HMAC256Tag(secret, []byte{0xa1, 0x01, 0x05}, env.Authentication.DigestBytes)
				if !bytes.HasSuffix(env.Authentication.Blocks[0], tag) {
					t.Fatal("Mac0 tag does not match the secret")
				}
				return
			}
			pk, err := keys.ParsePEM(signCLIRead(t, pub))
			if err != nil || pk.IsPrivate() {
				t.Fatalf("public key file: %v", err)
			}
			signCLIVerifyBlock(t, env, 0, tc.alg, pk.Public)
		})
	}
}

func TestKeygenCOSEKeyCarriesKidIntoBlocks(t *testing.T) {
	in := testshared.ConformancePath(t, "example-1-unsigned.suit")
	dir := t.TempDir()
	key, pub, out := filepath.Join(dir, "k.cose"), filepath.Join(dir, "k.pub.cose"), filepath.Join(dir, "o.suit")
	if code, _, stderr := runSuitkit("keygen", "--alg", "ESP256", "--format", "cose", "--kid", "device-fleet-1", "--out", key, "--pub", pub); code != 0 {
		t.Fatal(stderr)
	}
	// The COSE_Key's alg (ESP256) is the default when --alg is absent.
	if code, _, stderr := runSuitkit("sign", "--key", key, "--in", in, "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	pk, err := keys.ParseCOSEKey(signCLIRead(t, pub))
	if err != nil || pk.IsPrivate() || string(pk.KeyID) != "device-fleet-1" {
		t.Fatalf("public COSE_Key: %v %+v", err, pk)
	}
	msg := signCLIVerifyBlock(t, signCLIParse(t, out), 0, keys.ESP256, pk.Public)
	if kid, _ := msg.Headers.Unprotected[cose.HeaderLabelKeyID].([]byte); string(kid) != "device-fleet-1" {
		t.Fatalf("kid %q", kid)
	}
	if code, stdout, stderr := runSuitkit("verify", "--key", pub, out); code != 0 {
		t.Fatalf("suitkit verify with the public COSE_Key: exit %d %s %s", code, stdout, stderr)
	}
}

func TestKeygenRefusesToOverwriteAndBadUsage(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k.pem")
	if code, _, _ := runSuitkit("keygen", "--alg", "ES256", "--out", key); code != 0 {
		t.Fatal("first keygen failed")
	}
	first := signCLIRead(t, key)
	if code, _, stderr := runSuitkit("keygen", "--alg", "ES256", "--out", key); code != 2 || !strings.Contains(stderr, "exists") {
		t.Fatalf("overwrite without --force: exit %d %s", code, stderr)
	}
	if !bytes.Equal(first, signCLIRead(t, key)) {
		t.Fatal("existing key was replaced")
	}
	if code, _, _ := runSuitkit("keygen", "--alg", "ES256", "--out", key, "--force"); code != 0 || bytes.Equal(first, signCLIRead(t, key)) {
		t.Fatal("--force did not replace the key")
	}
	for _, args := range [][]string{
		{"keygen"},
		{"keygen", "--alg", "RS256", "--out", filepath.Join(dir, "x")},
		{"keygen", "--alg", "ES256"},
		{"keygen", "--alg", "HMAC-256", "--out", filepath.Join(dir, "h"), "--pub", filepath.Join(dir, "h.pub")},
		{"keygen", "--alg", "ES256", "--out", filepath.Join(dir, "y"), "--kid", "x"},
		{"keygen", "--alg", "ES256", "--out", filepath.Join(dir, "y"), "--format", "der"},
		{"keygen", "--alg", "ES256", "--out", filepath.Join(dir, "no", "such", "dir", "k")},
		{"keygen", "--alg", "ES256", "--out", filepath.Join(dir, "z"), "extra"},
	} {
		if code, _, _ := runSuitkit(args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// An HMAC secret stored as a symmetric COSE_Key signs via --key and is
// accepted by suitkit verify --mac-key.
func TestKeygenSymmetricCOSEKeyMACs(t *testing.T) {
	in := testshared.ConformancePath(t, "example-4-unsigned.suit")
	dir := t.TempDir()
	key, out := filepath.Join(dir, "mac.cose"), filepath.Join(dir, "o.suit")
	if code, _, stderr := runSuitkit("keygen", "--alg", "HMAC-256", "--format", "cose", "--kid", "shared", "--out", key); code != 0 {
		t.Fatal(stderr)
	}
	k, err := keys.ParseCOSEKey(signCLIRead(t, key))
	if err != nil || len(k.Secret) != 32 || k.Algorithm != keys.HMAC256 {
		t.Fatalf("symmetric COSE_Key: %v %+v", err, k)
	}
	if code, _, stderr := runSuitkit("sign", "--key", key, "--in", in, "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	env := signCLIParse(t, out)
	if len(env.Authentication.Blocks) != 1 || env.Authentication.Blocks[0][0] != 0xd1 {
		t.Fatal("want one COSE_Mac0 block")
	}
	if code, stdout, stderr := runSuitkit("verify", "--mac-key", key, out); code != 0 {
		t.Fatalf("verify: exit %d %s %s", code, stdout, stderr)
	}
}
