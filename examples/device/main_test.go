package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/delta/differ"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// updateServer serves envs in turn, one per GET, and keeps serving the last.
func updateServer(t *testing.T, envs ...[]byte) *httptest.Server {
	var mu sync.Mutex
	next := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		env := envs[next]
		if next < len(envs)-1 {
			next++
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/suit-envelope+cose")
		w.Write(env)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The agent polls a local HTTP server that offers a full update and then a
// delta update; it installs both into its directory storage, so the
// component ends equal to the new image. Polling again a server that replays
// the old full envelope is refused as a rollback and leaves the new image in
// place.
func TestDevicePollsAndInstallsFullThenDelta(t *testing.T) {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("sample-board"))
	oldImg := bytes.Repeat([]byte("device firmware v1: boot, radio, sensors, sleep; "), 600)
	newImg := bytes.Replace(oldImg, []byte("sleep"), []byte("sleep, watchdog"), 50)

	key, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sign.ForKey(key, 0)
	if err != nil {
		t.Fatal(err)
	}
	seal := func(env *suit.Envelope) []byte {
		t.Helper()
		if err := sign.Authenticate(env, signer); err != nil {
			t.Fatal(err)
		}
		b, err := env.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := build.New(1)
	if err := b.AddImage(build.Image{VendorID: vendor, ClassID: class, Data: oldImg, Integrated: "#firmware.bin"}); err != nil {
		t.Fatal(err)
	}
	fullEnv, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	full := seal(fullEnv)
	du := &build.DeltaUpdate{VendorID: vendor, ClassID: class, Sequence: 2, Options: &differ.Options{}}
	deltaEnv, patch, err := du.Build(oldImg, newImg)
	if err != nil {
		t.Fatal(err)
	}
	if len(patch) >= len(newImg)/4 {
		t.Fatalf("patch is %d bytes for a %d-byte image: not a delta", len(patch), len(newImg))
	}
	deltaB := seal(deltaEnv)

	dir := t.TempDir()
	dev := filepath.Join(dir, "dev")
	pubPEM, err := key.MarshalPublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(dir, "signing.pub.pem")
	if err := os.WriteFile(pubPath, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(url string, polls string) []string {
		return []string{"-dir", dev, "-key", pubPath, "-vendor", "example.com", "-class", "sample-board",
			"-server", url, "-interval", "5ms", "-polls", polls}
	}
	comp := filepath.Join(dev, "comp.00")

	// Three polls: full, delta, delta again (already installed: skipped).
	srv := updateServer(t, full, deltaB)
	var out bytes.Buffer
	if err := run(context.Background(), args(srv.URL, "3"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if n := strings.Count(out.String(), "\ninstalled\n"); n != 2 {
		t.Errorf("%d installs reported, want 2:\n%s", n, out.String())
	}
	got, err := os.ReadFile(comp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, newImg) {
		t.Fatalf("component holds %d bytes, not the new %d-byte image", len(got), len(newImg))
	}

	// A replayed old envelope, from a fresh agent on the same device.
	replay := updateServer(t, full)
	out.Reset()
	err = run(context.Background(), args(replay.URL, "1"), &out)
	if !errors.Is(err, errRejected) || !errors.Is(err, verify.ErrRollback) {
		t.Fatalf("replayed full envelope: %v, want a rollback rejection\n%s", err, out.String())
	}
	if got, _ := os.ReadFile(comp); !bytes.Equal(got, newImg) {
		t.Fatal("a refused envelope changed the component")
	}
}
