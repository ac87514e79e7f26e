package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// A fleet of two devices against the example server: one installs, one is
// of another class and fails the condition; a replayed report, one sealed
// by the wrong device key and one for another run are refused; the ledger
// on disk records what each device did.
func TestUpdateServerRecordsWhatDevicesDid(t *testing.T) {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("board"))
	fw := bytes.Repeat([]byte("firmware"), 100)
	b := build.New(3)
	if err := b.AddImage(build.Image{VendorID: vendor, ClassID: class, Data: fw, Integrated: "#fw.bin"}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	signKey, _ := keys.GenerateKey(keys.ES256)
	signer, _ := sign.ForKey(signKey, 0)
	if err := sign.Authenticate(env, signer); err != nil {
		t.Fatal(err)
	}
	envBytes, _ := env.Encode()
	anchor, _ := verify.NewKey(signKey.Public, nil)

	dir := t.TempDir()
	devKeys := map[string]*keys.Key{}
	for _, name := range []string{"alpha", "beta"} {
		k, _ := keys.GenerateKey(keys.Ed25519)
		pub, _ := k.MarshalPublicPEM()
		os.WriteFile(filepath.Join(dir, name+".pub.pem"), pub, 0o644)
		devKeys[name] = k
	}
	loaded, err := loadDeviceKeys(dir)
	if err != nil || len(loaded) != 2 {
		t.Fatalf("device keys: %v %d", err, len(loaded))
	}
	ledger := filepath.Join(dir, "ledger.json")
	s, err := newServer(envBytes, loaded, ledger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	// device runs one update as a device would: fetch, install, seal, post.
	device := func(name string, devClass suit.UUID, sealWith *keys.Key) (sealed []byte, status int, body string) {
		resp, err := http.Get(srv.URL + "/update?device=" + name)
		if err != nil {
			t.Fatal(err)
		}
		envb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		nonce, _ := hex.DecodeString(resp.Header.Get("Suit-Nonce"))
		auth, _ := report.KeyAuthenticator(sealWith, 0)
		proc, _ := process.New(process.Platform{
			Identity:            process.Identity{VendorID: vendor.Bytes(), ClassID: devClass.Bytes()},
			Storage:             &process.MemoryStorage{},
			ReportAuthenticator: auth,
		}, nil)
		ver, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
		rep, _ := proc.Install(context.Background(), ver, envb)
		sealed, err = proc.SealReport(rep, nonce)
		if err != nil {
			t.Fatal(err)
		}
		status, body = postStatus(t, srv.URL+"/report?device="+name, sealed)
		return sealed, status, body
	}

	sealedA, code, msg := device("alpha", class, devKeys["alpha"])
	if code != http.StatusOK || msg != "alpha: installed\n" {
		t.Fatalf("alpha: %d %q", code, msg)
	}
	if code, _ := postStatus(t, srv.URL+"/report?device=alpha", sealedA); code != http.StatusConflict {
		t.Errorf("replayed report: %d", code)
	}
	other := suit.NewUUID5(vendor, []byte("other-board"))
	if _, code, msg := device("beta", other, devKeys["beta"]); code != http.StatusOK || msg != "beta: condition-failed\n" {
		t.Fatalf("beta: %d %q", code, msg)
	}
	// beta's report sealed by alpha's key is refused.
	if _, code, _ := device("beta", class, devKeys["alpha"]); code != http.StatusForbidden {
		t.Errorf("report under another device's key: %d", code)
	}

	st, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]Entry
	if err := json.Unmarshal(st, &got); err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(env.Authentication.Digest.Value)
	if got["alpha"].Outcome != "installed" || got["alpha"].Manifest != want ||
		got["beta"].Outcome != "condition-failed" || got["beta"].Reason != "condition-failed" {
		t.Fatalf("ledger %+v", got)
	}
	// A restarted server reads the ledger back.
	s2, err := newServer(envBytes, loaded, ledger)
	if err != nil || s2.state["alpha"].Outcome != "installed" {
		t.Fatalf("reload: %v %+v", err, s2.state)
	}
}

func postStatus(t *testing.T, url string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/suit-report+cose", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
