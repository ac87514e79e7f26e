// Command device is the device half of a suitkit update flow: a device
// whose components are files in a directory. It polls an update server over
// HTTP (or reads envelope files given on the command line), verifies each
// envelope with the trusted key, checks anti-rollback, installs full and delta
// updates and commits the sequence number.
//
//	go run ./examples/device -dir /tmp/dev -key /tmp/upd/signing.pub.pem \
//	    -vendor example.com -class sample-board -server http://localhost:8080/update
//	go run ./examples/device -dir /tmp/dev -key /tmp/upd/signing.pub.pem /tmp/upd/full.suit
//
// The server answers GET with the current envelope (200) or 204 when it has
// none; the device installs an envelope it has not seen before and skips one
// it has. -polls limits the number of polls (0: until interrupted).
//
// Component [h'00'] is the file DIR/comp.00; the anti-rollback state is
// DIR/rollback.state. A delta envelope patches what DIR/comp.00 holds: install
// the full update first (or cp old.bin DIR/comp.00 in a fresh DIR).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/suitkit/suitkit/fetch"
	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// maxEnvelope caps what one poll reads from the server.
const maxEnvelope = 16 << 20

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "device:", err)
		os.Exit(1)
	}
}

// errRejected is matched (errors.Is) by run's error when an envelope was
// refused; the error also wraps the processor's reason (verify.ErrRollback,
// verify.ErrUnauthenticated, ...).
var errRejected = errors.New("update rejected")

// run is the device agent: flags as in the package comment. It returns an
// error matching errRejected if any envelope was refused.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("device", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dir := fs.String("dir", "device-dir", "device directory")
	keyPath := fs.String("key", "", "trusted public key (PEM)")
	vendorDomain := fs.String("vendor", "example.com", "vendor domain: vendor-id = UUID5(DNS, domain)")
	model := fs.String("class", "sample-board", "device model: class-id = UUID5(vendor-id, model)")
	server := fs.String("server", "", "update server URL to poll (GET returns the current envelope)")
	interval := fs.Duration("interval", 10*time.Second, "time between polls")
	polls := fs.Int("polls", 0, "number of polls, 0 for no limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyPath == "" || (fs.NArg() == 0) == (*server == "") {
		return errors.New("usage: device -key PUB.pem [-dir DIR] (-server URL | ENVELOPE...)")
	}
	data, err := os.ReadFile(*keyPath)
	if err != nil {
		return err
	}
	k, err := keys.ParsePublicKey(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *keyPath, err)
	}
	anchor, err := verify.NewKey(k.Public, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", *keyPath, err)
	}

	storage, err := host.OpenDirStorage(*dir) // also finishes an interrupted swap
	if err != nil {
		return err
	}
	store, err := verify.OpenFileStore(filepath.Join(*dir, "rollback.state"), nil)
	if err != nil {
		return err
	}
	ver, err := verify.New([]*verify.Key{anchor}, &verify.Options{Store: store})
	if err != nil {
		return err
	}
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte(*vendorDomain))
	class := suit.NewUUID5(vendor, []byte(*model))
	proc, err := process.New(process.Platform{
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
		Storage:  storage,
		Fetcher:  &fetch.URIFetcher{}, // http(s) payloads; "#name" payloads come from the envelope
	}, nil)
	if err != nil {
		return err
	}

	var rejected []error
	install := func(name string, env []byte) {
		rep, err := proc.Install(ctx, ver, env)
		fmt.Fprintf(stdout, "== %s\n%s", name, rep)
		if err == nil {
			fmt.Fprintln(stdout, "installed")
			return
		}
		switch {
		case errors.Is(err, verify.ErrRollback):
			fmt.Fprintln(stdout, "rejected: older than what is installed")
		case errors.Is(err, verify.ErrUnauthenticated), errors.Is(err, suit.ErrDigestMismatch):
			fmt.Fprintln(stdout, "rejected: not signed by the trusted key")
		default:
			fmt.Fprintln(stdout, "rejected:", err)
		}
		rejected = append(rejected, fmt.Errorf("%s: %w: %w", name, errRejected, err))
	}

	if *server == "" {
		for _, p := range fs.Args() {
			env, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			install(p, env)
		}
		return errors.Join(rejected...)
	}

	var last []byte // the last envelope tried: not installed twice
	for n := 0; *polls == 0 || n < *polls; n++ {
		if n > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(append(rejected, ctx.Err())...)
			case <-time.After(*interval):
			}
		}
		env, err := poll(ctx, *server)
		if err != nil {
			// A server that is down is not fatal to a device: try again later.
			fmt.Fprintln(stdout, "poll:", err)
			continue
		}
		if env == nil || bytes.Equal(env, last) {
			continue
		}
		last = env
		install(*server, env)
	}
	return errors.Join(rejected...)
}

// poll fetches the server's current envelope; nil when it has none.
func poll(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNoContent, http.StatusNotModified:
		return nil, nil
	default:
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEnvelope+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if len(body) > maxEnvelope {
		return nil, fmt.Errorf("%s: envelope larger than %d bytes", url, maxEnvelope)
	}
	return body, nil
}
