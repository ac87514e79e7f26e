package main

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

// keyTypeFiles writes, for issue 9 item 2, every kind of key file a user
// could pass to the wrong flag: ES256 and Ed25519 key pairs as PEM and
// COSE_Key, a public key as DER, a raw 32-byte HMAC secret, a short one.
func keyTypeFiles(t *testing.T) (dir string, asym map[string]string, secret, short string) {
	t.Helper()
	dir = t.TempDir()
	asym = map[string]string{}
	for _, alg := range []string{"ES256", "Ed25519"} {
		key, pub := signCLIKeygen(t, dir, alg)
		asym[alg+" private PEM"], asym[alg+" public PEM"] = key, pub
		ck, cpub := filepath.Join(dir, alg+".cose"), filepath.Join(dir, alg+".pub.cose")
		if code, _, e := runSuitkit("keygen", "--alg", alg, "--format", "cose", "--out", ck, "--pub", cpub); code != 0 {
			t.Fatal(e)
		}
		asym[alg+" private COSE_Key"], asym[alg+" public COSE_Key"] = ck, cpub
	}
	pk, err := keys.ParsePEM(signCLIRead(t, asym["ES256 public PEM"]))
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(pk.Public)
	asym["ES256 public DER"] = filepath.Join(dir, "pub.der")
	os.WriteFile(asym["ES256 public DER"], der, 0o600)
	secret = filepath.Join(dir, "hmac.key")
	if code, _, e := runSuitkit("keygen", "--alg", "HMAC-256", "--out", secret); code != 0 {
		t.Fatal(e)
	}
	short = filepath.Join(dir, "short.key")
	os.WriteFile(short, bytes.Repeat([]byte{0x42}, 31), 0o600)
	return dir, asym, secret, short
}

// TestCLIMACKeyRefusesAsymmetricKeys (issue 9 item 2): on main (9d84ca8)
// `suitkit sign --mac-key k.pub.pem` signed with the public key file as the
// HMAC secret and `suitkit verify --mac-key k.pub.pem` accepted it, so
// anyone holding the public key could forge. Every asymmetric key file is
// now refused as a MAC key, a usage error (exit 2) that names the kind of
// file and points to --key, and nothing is written.
func TestCLIMACKeyRefusesAsymmetricKeys(t *testing.T) {
	dir, asym, _, _ := keyTypeFiles(t)
	in := testshared.ConformancePath(t, "example-0-unsigned.suit")
	out := filepath.Join(dir, "o.suit")

	// The forgery main accepted: an envelope MACed with the public key
	// file's bytes as the secret (made with the library, since sign now
	// refuses it too).
	pubPEM := signCLIRead(t, asym["ES256 public PEM"])
	env, err := suit.Decode(signCLIRead(t, in), nil)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := sign.HMAC256Tag(pubPEM, []byte{0xa1, 0x01, 0x05}, env.Authentication.DigestBytes)
	blk := append([]byte{0xd1, 0x84, 0x43, 0xa1, 0x01, 0x05, 0xa0, 0xf6, 0x58, 0x20}, tag...)
	env.Authentication.Blocks = append(env.Authentication.Blocks, blk)
	forged, _ := env.Encode()
	forgedFile := filepath.Join(dir, "forged.suit")
	os.WriteFile(forgedFile, forged, 0o600)

	for name, file := range asym {
		for _, args := range [][]string{
			{"sign", "--mac-key", file, "--in", in, "--out", out},
			{"verify", "--mac-key", file, forgedFile},
			{"process", "--mac-key", file, "--device", filepath.Join(dir, "dev"), forgedFile},
		} {
			code, stdout, stderr := runSuitkit(args...)
			if code != 2 || !strings.Contains(stderr, "not an HMAC secret") || !strings.Contains(stderr, "--key") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q; want exit 2 naming the wrong kind of key", args[0], name, code, stdout, stderr)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("sign wrote %s with %s as a MAC key", out, name)
		}
	}
}

// TestCLIKeyGivenRawSecret (issue 9 item 2): a raw HMAC secret passed as
// --key is refused with a message that says to use --mac-key (sign keeps
// its exit 1 for a key file it cannot use, verify and process their exit
// 2 for a trust anchor they cannot load).
func TestCLIKeyGivenRawSecret(t *testing.T) {
	dir, _, secret, _ := keyTypeFiles(t)
	in := testshared.ConformancePath(t, "example-0-unsigned.suit")
	signed := testshared.ConformancePath(t, "example-0.suit")
	for _, tc := range []struct {
		code int
		args []string
	}{
		{2, []string{"sign", "--key", secret, "--in", in, "--out", filepath.Join(dir, "o.suit")}},
		{2, []string{"verify", "--key", secret, signed}},
		{2, []string{"process", "--key", secret, "--device", filepath.Join(dir, "dev"), signed}},
	} {
		code, _, stderr := runSuitkit(tc.args...)
		if code != tc.code || !strings.Contains(stderr, "--mac-key") {
			t.Errorf("%s --key <raw secret>: exit %d, stderr %q; want exit %d pointing to --mac-key", tc.args[0], code, stderr, tc.code)
		}
	}
}

// TestCLIShortMACSecretRefused: a secret shorter than 32 bytes is refused
// by every command (on main verify accepted 16 to 31 bytes).
func TestCLIShortMACSecretRefused(t *testing.T) {
	dir, _, _, short := keyTypeFiles(t)
	in := testshared.ConformancePath(t, "example-0-unsigned.suit")
	for _, tc := range []struct {
		code int
		args []string
	}{
		{2, []string{"sign", "--mac-key", short, "--in", in, "--out", filepath.Join(dir, "o.suit")}},
		{2, []string{"verify", "--mac-key", short, testshared.ConformancePath(t, "example-0.suit")}},
	} {
		code, _, stderr := runSuitkit(tc.args...)
		if code != tc.code || !strings.Contains(stderr, "31 bytes") {
			t.Errorf("%s --mac-key <31 bytes>: exit %d, stderr %q; want exit %d", tc.args[0], code, stderr, tc.code)
		}
	}
}

// TestCLIMACKeyCOSEKeyAgrees: sign and verify read a symmetric COSE_Key
// --mac-key the same way (its k), so what one MACs the other accepts; on
// main sign used the COSE_Key file's bytes as the secret while verify
// used k.
func TestCLIMACKeyCOSEKeyAgrees(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "hmac.cose")
	if code, _, e := runSuitkit("keygen", "--alg", "HMAC-256", "--format", "cose", "--out", key); code != 0 {
		t.Fatal(e)
	}
	out := filepath.Join(dir, "o.suit")
	if code, _, e := runSuitkit("sign", "--mac-key", key, "--in", testshared.ConformancePath(t, "example-0-unsigned.suit"), "--out", out); code != 0 {
		t.Fatalf("sign: exit %d %s", code, e)
	}
	if code, _, e := runSuitkit("verify", "--mac-key", key, out); code != 0 {
		t.Fatalf("verify: exit %d %s", code, e)
	}
	k, err := keys.ParseMACKey(signCLIRead(t, key))
	if err != nil {
		t.Fatal(err)
	}
	raw := filepath.Join(dir, "raw.key")
	os.WriteFile(raw, k.Secret, 0o600)
	if code, _, e := runSuitkit("verify", "--mac-key", raw, out); code != 0 {
		t.Fatalf("verify with the raw k: exit %d %s", code, e)
	}
}
