// Command update-server is the fleet side of suitkit's signed reports: it
// offers one envelope to devices, hands each a fresh nonce, and accepts
// only reports that the device's own key sealed, that name the manifest it
// offered and carry the nonce it gave. It records which device installed
// what (or why not) in a ledger file.
//
//	go run ./examples/update-server -envelope upd/full.suit -devices keys/ -ledger ledger.json
//
// -devices is a directory of device keys: NAME.pub.pem (or NAME.cose) for
// devices that sign their reports, NAME.mac for devices that MAC them. The
// HTTP API:
//
//	GET  /update?device=NAME   the envelope; header Suit-Nonce: hex nonce for the report
//	POST /report?device=NAME   a sealed SUIT_Report (application/suit-report+cose)
//	GET  /status               the ledger as JSON: device -> last report
//
// A device runs the update and posts the report, for example
// `suitkit process --report r.cose --report-key dev.pem --nonce HEX ...`
// then `curl --data-binary @r.cose .../report?device=NAME`.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/suit"
)

func main() {
	envPath := flag.String("envelope", "", "the envelope to offer (required)")
	devDir := flag.String("devices", "", "directory of device report keys: NAME.pub.pem, NAME.cose or NAME.mac (required)")
	ledger := flag.String("ledger", "ledger.json", "where to record what each device reported")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	if *envPath == "" || *devDir == "" {
		flag.Usage()
		os.Exit(2)
	}
	env, err := os.ReadFile(*envPath)
	if err != nil {
		log.Fatal(err)
	}
	devices, err := loadDeviceKeys(*devDir)
	if err != nil {
		log.Fatal(err)
	}
	s, err := newServer(env, devices, *ledger)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("offering %s (manifest %x) to %d devices on %s", *envPath, s.want.Digest.Value, len(devices), *addr)
	log.Fatal(http.ListenAndServe(*addr, s))
}

// Entry is what the ledger keeps per device: its last authenticated
// report.
type Entry struct {
	Manifest string    `json:"manifest"` // hex SHA-256 of the manifest the report names
	URI      string    `json:"uri,omitempty"`
	Outcome  string    `json:"outcome"` // installed, deferred, rejected, ...
	Reason   string    `json:"reason,omitempty"`
	Code     int64     `json:"code,omitempty"`
	Time     time.Time `json:"time"`
}

type server struct {
	env     []byte
	want    report.Expected // digest and URI of the offered manifest
	devices map[string]*keys.Key
	ledger  string

	mu     sync.Mutex
	nonces map[string][]byte // device -> nonce handed out, not yet used
	state  map[string]Entry
}

func newServer(env []byte, devices map[string]*keys.Key, ledger string) (*server, error) {
	e, err := suit.Decode(env, nil)
	if err != nil || e.Authentication == nil || e.Manifest == nil {
		return nil, fmt.Errorf("the envelope does not decode: %v", err)
	}
	s := &server{env: env, devices: devices, ledger: ledger, nonces: map[string][]byte{}, state: map[string]Entry{}}
	s.want.Digest = e.Authentication.Digest
	if e.Manifest.ReferenceURI != nil {
		s.want.URI = *e.Manifest.ReferenceURI
	}
	if b, err := os.ReadFile(ledger); err == nil {
		if err := json.Unmarshal(b, &s.state); err != nil {
			return nil, fmt.Errorf("ledger %s: %w", ledger, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return s, nil
}

// loadDeviceKeys reads NAME.pub.pem / NAME.cose (public keys) and NAME.mac
// (MAC secrets) from dir.
func loadDeviceKeys(dir string) (map[string]*keys.Key, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]*keys.Key{}
	for _, e := range ents {
		name := e.Name()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var k *keys.Key
		switch {
		case strings.HasSuffix(name, ".pub.pem"), strings.HasSuffix(name, ".cose"):
			k, err = keys.ParsePublicKey(data)
			name = strings.TrimSuffix(strings.TrimSuffix(name, ".pub.pem"), ".cose")
		case strings.HasSuffix(name, ".mac"):
			k, err = keys.ParseMACKey(data)
			name = strings.TrimSuffix(name, ".mac")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out[name] = k
	}
	return out, nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/update":
		s.offer(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/report":
		s.report(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/status":
		s.mu.Lock()
		b, _ := json.MarshalIndent(s.state, "", "  ")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

// offer sends the envelope with a fresh nonce the device must put in its
// report.
func (s *server) offer(w http.ResponseWriter, r *http.Request) {
	dev := r.URL.Query().Get("device")
	if _, ok := s.devices[dev]; !ok {
		http.Error(w, "unknown device", http.StatusForbidden)
		return
	}
	nonce := make([]byte, 16)
	rand.Read(nonce)
	s.mu.Lock()
	s.nonces[dev] = nonce
	s.mu.Unlock()
	w.Header().Set("Suit-Nonce", hex.EncodeToString(nonce))
	w.Header().Set("Content-Type", "application/suit-envelope+cose")
	w.Write(s.env)
}

// report accepts a sealed report from a known device: authenticated by its
// key, naming the offered manifest and the nonce it was given (once).
func (s *server) report(w http.ResponseWriter, r *http.Request) {
	dev := r.URL.Query().Get("device")
	k, ok := s.devices[dev]
	if !ok {
		http.Error(w, "unknown device", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil || len(body) > 1<<20 {
		http.Error(w, "report too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	rep, err := report.Verify(body, k, nil)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, report.ErrUnauthenticated) {
			status = http.StatusForbidden
		}
		http.Error(w, err.Error(), status)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	want := s.want
	want.Nonce = s.nonces[dev]
	if want.Nonce == nil {
		http.Error(w, "no update outstanding for this device (replayed report?)", http.StatusConflict)
		return
	}
	if err := rep.Check(want); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	delete(s.nonces, dev) // one report per offer
	e := Entry{Manifest: hex.EncodeToString(rep.Reference.Digest.Value), URI: rep.Reference.URI,
		Outcome: rep.Outcome().String(), Time: time.Now().UTC()}
	if !rep.Result.Success {
		e.Reason, e.Code = rep.Result.Reason.String(), rep.Result.Code
	}
	s.state[dev] = e
	b, _ := json.MarshalIndent(s.state, "", "  ")
	if err := atomicfile.WriteFile(s.ledger, b, 0o644); err != nil {
		http.Error(w, "ledger: "+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%s: %s\n", dev, e.Outcome)
}
