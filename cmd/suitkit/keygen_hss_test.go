package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/hsslms/hsskey"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// TestKeygenSignVerifyHSSLMS: keygen --alg HSS-LMS writes a key state and a
// public key; two signs use two different one-time keys and both
// envelopes verify; a key state put back from a copy is refused (exit 1)
// and --force never overwrites a state.
func TestKeygenSignVerifyHSSLMS(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config")) // witness records
	state, pub := filepath.Join(dir, "fw.hss"), filepath.Join(dir, "fw.pub")
	code, out, errOut := runCLI(t, "keygen", "--alg", "HSS-LMS", "--levels", "2", "--height", "5", "--w", "8", "--out", state, "--pub", pub, "--format", "cose")
	if code != 0 || !strings.Contains(out, "1024 signatures") {
		t.Fatalf("keygen: %d %s %s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, "keygen", "--alg", "HSS-LMS", "--out", state, "--force"); code != 2 {
		t.Fatalf("keygen --force over a key state: exit %d", code)
	}
	backup, _ := os.ReadFile(state)
	in := filepath.Join(dir, "in.suit")
	os.WriteFile(in, testshared.Conformance(t, "example-3-unsigned.suit"), 0o644)
	pk, err := keys.ParsePublicKey(signCLIRead(t, pub))
	if err != nil {
		t.Fatal(err)
	}
	var idx []uint64
	for _, name := range []string{"a.suit", "b.suit"} {
		outFile := filepath.Join(dir, name)
		if code, _, e := runCLI(t, "sign", "--key", state, "--in", in, "--out", outFile); code != 0 {
			t.Fatalf("sign: %d %s", code, e)
		}
		if code, _, e := runCLI(t, "verify", "--key", pub, outFile); code != 0 {
			t.Fatalf("verify: %d %s", code, e)
		}
		env, err := suit.Decode(signCLIRead(t, outFile), nil)
		if err != nil {
			t.Fatal(err)
		}
		b := env.Authentication.Blocks[0]
		sigLen := 4 + 2*(4+4+32*35+4+32*5) + 56 // Nspk, two LMS signatures, one LMS key
		i, err := hsskey.Index(pk.Public.(*hsslms.PublicKey), b[len(b)-sigLen:])
		if err != nil {
			t.Fatal(err)
		}
		idx = append(idx, i)
	}
	if idx[0] == idx[1] {
		t.Fatalf("two signs used the same one-time key %d", idx[0])
	}
	os.WriteFile(state, backup, 0o600)
	code, _, errOut = runCLI(t, "sign", "--key", state, "--in", in, "--out", filepath.Join(dir, "c.suit"))
	if code != 1 || !strings.Contains(errOut, "rolled back") {
		t.Fatalf("sign with a restored state: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "c.suit")); err == nil {
		t.Fatal("an envelope was written with a restored key state")
	}
	if bytes.Equal(backup, signCLIRead(t, state)) == false {
		t.Fatal("refused sign changed the state file")
	}
}

// TestKeygenSignVerifyMLDSA: keygen --alg ML-DSA-44/65/87 in PEM and
// COSE_Key form; the envelope signed with each verifies with its public
// key (COSE block alg -48/-49/-50) and is refused (exit 1) with the key of
// another parameter set.
func TestKeygenSignVerifyMLDSA(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.suit")
	os.WriteFile(in, testshared.Conformance(t, "example-3-unsigned.suit"), 0o644)
	var pubs []string
	for i, alg := range []string{"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"} {
		format := []string{"pem", "cose"}[i%2]
		k, p, out := filepath.Join(dir, alg+".key"), filepath.Join(dir, alg+".pub"), filepath.Join(dir, alg+".suit")
		if code, _, e := runCLI(t, "keygen", "--alg", alg, "--format", format, "--out", k, "--pub", p); code != 0 {
			t.Fatalf("keygen %s: %s", alg, e)
		}
		if code, _, e := runCLI(t, "sign", "--key", k, "--in", in, "--out", out); code != 0 {
			t.Fatalf("sign %s: %s", alg, e)
		}
		if code, _, e := runCLI(t, "verify", "--key", p, out); code != 0 {
			t.Fatalf("verify %s: %s", alg, e)
		}
		if i > 0 {
			if code, _, _ := runCLI(t, "verify", "--key", pubs[i-1], out); code != 1 {
				t.Fatalf("%s envelope verified with the %s key: exit %d", alg, pubs[i-1], code)
			}
		}
		pubs = append(pubs, p)
	}
}
