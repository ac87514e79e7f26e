// Command device is the device half of a suitkit update flow: a device
// whose components are files in a directory. It verifies each envelope
// given on the command line with the trusted key, checks anti-rollback,
// installs it and commits the sequence number.
//
//	go run ./examples/device -dir /tmp/dev -key /tmp/upd/signing.pub.pem \
//	    -vendor example.com -class sample-board /tmp/upd/full.suit
//
// Component [h'00'] is the file DIR/comp.00; the anti-rollback state is
// DIR/rollback.state. To try a delta envelope, put the old image there
// first (cp old.bin DIR/comp.00) and use a fresh DIR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/fetch"
	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

func main() {
	dir := flag.String("dir", "device-dir", "device directory")
	keyPath := flag.String("key", "", "trusted public key (PEM)")
	vendorDomain := flag.String("vendor", "example.com", "vendor domain: vendor-id = UUID5(DNS, domain)")
	model := flag.String("class", "sample-board", "device model: class-id = UUID5(vendor-id, model)")
	flag.Parse()
	if *keyPath == "" || flag.NArg() == 0 {
		log.Fatal("usage: device -key PUB.pem [-dir DIR] ENVELOPE...")
	}
	data, err := os.ReadFile(*keyPath)
	if err != nil {
		log.Fatal(err)
	}
	k, err := keys.ParsePublicKey(data)
	if err != nil {
		log.Fatal(err)
	}
	anchor, err := verify.NewKey(k.Public, nil)
	if err != nil {
		log.Fatal(err)
	}

	storage, err := host.OpenDirStorage(*dir) // also finishes an interrupted swap
	if err != nil {
		log.Fatal(err)
	}
	store, err := verify.OpenFileStore(filepath.Join(*dir, "rollback.state"), nil)
	if err != nil {
		log.Fatal(err)
	}
	ver, err := verify.New([]*verify.Key{anchor}, &verify.Options{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte(*vendorDomain))
	class := suit.NewUUID5(vendor, []byte(*model))
	proc, err := process.New(process.Platform{
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
		Storage:  storage,
		Fetcher:  &fetch.URIFetcher{}, // http(s) payloads; "#name" payloads come from the envelope
	}, nil)
	if err != nil {
		log.Fatal(err)
	}

	failed := false
	for _, p := range flag.Args() {
		env, err := os.ReadFile(p)
		if err != nil {
			log.Fatal(err)
		}
		rep, err := proc.Install(context.Background(), ver, env)
		fmt.Printf("== %s\n%s", p, rep)
		switch {
		case err == nil:
		case errors.Is(err, verify.ErrRollback):
			fmt.Println("rejected: older than what is installed")
			failed = true
		case errors.Is(err, verify.ErrUnauthenticated), errors.Is(err, suit.ErrDigestMismatch):
			fmt.Println("rejected: not signed by the trusted key")
			failed = true
		default:
			fmt.Println("rejected:", err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}
