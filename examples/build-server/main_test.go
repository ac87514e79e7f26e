package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/verify"
)

// The build server signs through the opaque KMS stand-in; the full and delta
// envelopes it writes verify with the public key it published, and not with
// another key. A second run reuses the same key.
func TestBuildServerSignsWithKMSSigner(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-out", dir, "-seq", "7"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "delta.suit") {
		t.Errorf("output does not mention the delta envelope:\n%s", out.String())
	}
	pubPEM, err := os.ReadFile(filepath.Join(dir, "signing.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keys.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, pubKey any, wantOK bool) {
		t.Helper()
		anchor, err := verify.NewKey(pubKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.Verify(data)
		switch {
		case wantOK && err != nil:
			t.Fatalf("%s: %v", name, err)
		case wantOK && got.Manifest().SequenceNumber != 7:
			t.Fatalf("%s: sequence %d, want 7", name, got.Manifest().SequenceNumber)
		case !wantOK && !errors.Is(err, verify.ErrUnauthenticated):
			t.Fatalf("%s under another key: %v, want ErrUnauthenticated", name, err)
		}
	}
	other, _ := keys.GenerateKey(keys.ES256)
	for _, name := range []string{"full.suit", "delta.suit"} {
		check(name, pub.Public, true)
		check(name, other.Public, false)
	}

	// A second run signs with the key the "KMS" already holds.
	out.Reset()
	if err := run(context.Background(), []string{"-out", dir, "-seq", "8"}, &out); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "signing.pub.pem")); !bytes.Equal(again, pubPEM) {
		t.Fatal("second run replaced the signing key")
	}
	anchor, _ := verify.NewKey(pub.Public, nil)
	v, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	data, _ := os.ReadFile(filepath.Join(dir, "full.suit"))
	if _, err := v.Verify(data); err != nil {
		t.Fatalf("second run's envelope: %v", err)
	}

	if err := run(context.Background(), []string{"-out", dir, "extra"}, &out); err == nil {
		t.Error("stray argument accepted")
	}
}
