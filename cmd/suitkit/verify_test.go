package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// verifyRejectLine checks the one-line "suitkit: <reason>" rejection.
func verifyRejectLine(t *testing.T, stderr, want string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "suitkit ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want one line \"suitkit: ...%s...\"", stderr, want)
	}
}

func TestVerifyCLIExamples(t *testing.T) {
	pub := testshared.ConformancePath(t, "public_key.pem")
	for name, want := range map[string]string{
		"example-0.suit":         "6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af\nsequence-number: 0\n",
		"example-2-severed.suit": "6a5197ed8f9dccf733d1c89a359441708e070b4c6dcb9a1c2c82c6165f609b90\nsequence-number: 2\n",
		"example-5.suit":         "15ce60f77657e4531dc329155f8b0ed78f94bdc6d165b2665473693dcc34f470\nsequence-number: 5\n",
	} {
		code, out, errs := runSuitkit("verify", "--key", pub, testshared.ConformancePath(t, name))
		if code != 0 || !strings.HasPrefix(out, "manifest-digest: sha-256:"+want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
}

func TestVerifyCLIRejections(t *testing.T) {
	pub := testshared.ConformancePath(t, "public_key.pem")
	other := filepath.Join(t.TempDir(), "other.pem")
	k, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	pemPub, _ := k.MarshalPublicPEM()
	os.WriteFile(other, pemPub, 0o600)
	tampered := filepath.Join(t.TempDir(), "tampered.suit")
	data, _ := os.ReadFile(testshared.ConformancePath(t, "example-1.suit"))
	data[len(data)-3] ^= 0x01
	os.WriteFile(tampered, data, 0o600)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unsigned", []string{"--key", pub, testshared.ConformancePath(t, "example-0-unsigned.suit")}, "unauthenticated"},
		{"wrong key", []string{"--key", other, testshared.ConformancePath(t, "example-0.suit")}, "unauthenticated"},
		{"tampered manifest", []string{"--key", pub, tampered}, "digest mismatch"},
		{"below minimum", []string{"--key", pub, "--min-sequence", "3", testshared.ConformancePath(t, "example-2.suit")}, "rollback"},
		{"not an envelope", []string{"--key", pub, pub}, "malformed"},
	}
	for _, c := range cases {
		code, out, errs := runSuitkit(append([]string{"verify"}, c.args...)...)
		if code != 1 || out != "" {
			t.Errorf("%s: exit %d stdout %q, want 1", c.name, code, out)
		}
		verifyRejectLine(t, errs, c.want)
	}
}

func TestVerifyCLIUsageAndIOErrors(t *testing.T) {
	pub := testshared.ConformancePath(t, "public_key.pem")
	ex := testshared.ConformancePath(t, "example-0.suit")
	cases := map[string][]string{
		"no key":             {ex},
		"no file":            {"--key", pub},
		"two files":          {"--key", pub, ex, ex},
		"bad min-sequence":   {"--key", pub, "--min-sequence", "-1", ex},
		"unknown flag":       {"--key", pub, "--frobnicate", ex},
		"missing envelope":   {"--key", pub, filepath.Join(t.TempDir(), "nope.suit")},
		"missing key":        {"--key", filepath.Join(t.TempDir(), "nope.pem"), ex},
		"key not a key":      {"--key", ex, ex},
		"missing state":      {"--key", pub, "--state", filepath.Join(t.TempDir(), "nope"), ex},
		"strict, no state":   {"--key", pub, "--strict-sequence", ex},
		"envelope directory": {"--key", pub, t.TempDir()},
	}
	for name, args := range cases {
		if code, _, errs := runSuitkit(append([]string{"verify"}, args...)...); code != 2 {
			t.Errorf("%s: exit %d (stderr %q), want 2", name, code, errs)
		}
	}
}

// TestVerifyCLIStateReadOnly: --state checks against stored numbers and
// leaves the file byte-for-byte unchanged; a corrupt state is exit 2.
func TestVerifyCLIStateReadOnly(t *testing.T) {
	pub := testshared.ConformancePath(t, "public_key.pem")
	path := filepath.Join(t.TempDir(), "state")
	store, _ := verify.OpenFileStore(path, nil)
	key := verify.ComponentFloorKey("", suit.ComponentID{{0x00}})
	if err := store.Raise([]string{key}, verify.Floor{Sequence: 3}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	check := func(want int, args ...string) {
		t.Helper()
		code, _, errs := runSuitkit(append([]string{"verify", "--key", pub, "--state", path}, args...)...)
		if code != want {
			t.Errorf("%v: exit %d (stderr %q), want %d", args, code, errs, want)
		}
	}
	check(1, testshared.ConformancePath(t, "example-2.suit"))
	check(0, testshared.ConformancePath(t, "example-3.suit"))
	check(1, "--strict-sequence", testshared.ConformancePath(t, "example-3.suit"))
	check(0, "--strict-sequence", testshared.ConformancePath(t, "example-4.suit"))
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("verify --state changed the state file")
	}
	os.WriteFile(path, append(before[:len(before)-2:len(before)-2], "0\n"...), 0o600)
	check(2, testshared.ConformancePath(t, "example-4.suit"))
}

// TestVerifyCLIMACKey: an envelope MACed by the sign package verifies with
// --mac-key and fails with another secret.
func TestVerifyCLIMACKey(t *testing.T) {
	dir := t.TempDir()
	secret := bytes.Repeat([]byte{0x42}, 32)
	data, _ := os.ReadFile(testshared.ConformancePath(t, "example-1-unsigned.suit"))
	env, err := suit.Parse(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sign.NewMACer(secret, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	blk, err := m.Block(env.Authentication.DigestBytes)
	if err != nil {
		t.Fatal(err)
	}
	env.Authentication.Blocks = append(env.Authentication.Blocks, blk)
	out, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mac.suit")
	os.WriteFile(file, out, 0o600)
	os.WriteFile(filepath.Join(dir, "secret"), secret, 0o600)
	os.WriteFile(filepath.Join(dir, "wrong"), bytes.Repeat([]byte{0x43}, 32), 0o600)
	if code, o, e := runSuitkit("verify", "--mac-key", filepath.Join(dir, "secret"), file); code != 0 || !strings.Contains(o, "sequence-number: 1") {
		t.Fatalf("exit %d %q %q", code, o, e)
	}
	if code, _, e := runSuitkit("verify", "--mac-key", filepath.Join(dir, "wrong"), file); code != 1 {
		t.Fatalf("wrong secret: exit %d %q", code, e)
	}
}

// TestVerifyCLICOSEKeyAlgBinding: a COSE_Key's alg binds the trust anchor;
// the draft key as a COSE_Key with alg ESP256 does not accept the ES256
// examples, with alg ES256 it does.
func TestVerifyCLICOSEKeyAlgBinding(t *testing.T) {
	pemData, _ := os.ReadFile(testshared.ConformancePath(t, "public_key.pem"))
	k, err := keys.ParsePEM(pemData)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for alg, want := range map[keys.Algorithm]int{keys.ES256: 0, keys.ESP256: 1} {
		ck := &keys.Key{Public: k.Public, Algorithm: alg}
		data, err := ck.MarshalCOSEKey()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, alg.String()+".cose")
		os.WriteFile(path, data, 0o600)
		code, _, errs := runSuitkit("verify", "--key", path, testshared.ConformancePath(t, "example-1.suit"))
		if code != want {
			t.Errorf("COSE_Key alg %v: exit %d (stderr %q), want %d", alg, code, errs, want)
		}
	}
}
