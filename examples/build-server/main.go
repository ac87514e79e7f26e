// Command build-server is the build-server half of a suitkit update flow:
// it signs a full-image envelope for a new firmware and, given the image the
// devices run now, a delta envelope that patches it.
//
//	go run ./examples/build-server -out /tmp/upd -new v2.bin -old v1.bin -seq 2
//
// Without -new and -old it makes two small sample images. It writes
// signing.pem (keep it secret), signing.pub.pem (give it to devices),
// full.suit and, with an old image, delta.suit. Install them with
// examples/device or `suitkit process`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

func main() {
	out := flag.String("out", "build-out", "output directory")
	newPath := flag.String("new", "", "new firmware image (default: a generated sample)")
	oldPath := flag.String("old", "", "firmware the devices run now, for a delta envelope")
	seq := flag.Uint64("seq", 2, "manifest sequence number (must grow with every release)")
	vendorDomain := flag.String("vendor", "example.com", "vendor domain: vendor-id = UUID5(DNS, domain)")
	model := flag.String("class", "sample-board", "device model: class-id = UUID5(vendor-id, model)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	oldImg, newImg := sampleImages()
	if *newPath != "" {
		newImg = mustRead(*newPath)
		oldImg = nil
	}
	if *oldPath != "" {
		oldImg = mustRead(*oldPath)
	}
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte(*vendorDomain))
	class := suit.NewUUID5(vendor, []byte(*model))

	signer := loadOrMakeKey(*out)

	// A full-image envelope: the image travels inside it as "#firmware.bin".
	b := build.New(*seq)
	if err := b.AddImage(build.Image{VendorID: vendor, ClassID: class, Data: newImg, Integrated: "#firmware.bin"}); err != nil {
		log.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		log.Fatal(err)
	}
	write(*out, "full.suit", signed(env, signer))

	// A delta envelope: the patch from the old image, with the old image's
	// digest as an authenticated precondition.
	if oldImg != nil {
		du := &build.DeltaUpdate{VendorID: vendor, ClassID: class, Sequence: *seq}
		denv, patch, err := du.Build(oldImg, newImg)
		if err != nil {
			log.Fatal(err)
		}
		write(*out, "delta.suit", signed(denv, signer))
		fmt.Printf("patch: %d bytes for a %d-byte image\n", len(patch), len(newImg))
		if *oldPath == "" {
			write(*out, "old.bin", oldImg)
		}
	}
	fmt.Printf("vendor-id %s\nclass-id  %s\n", vendor, class)
}

func signed(env *suit.Envelope, s *sign.Signer) []byte {
	if err := sign.Authenticate(env, s); err != nil {
		log.Fatal(err)
	}
	data, err := env.Encode()
	if err != nil {
		log.Fatal(err)
	}
	return data
}

// loadOrMakeKey reuses DIR/signing.pem or makes a new ES256 key.
func loadOrMakeKey(dir string) *sign.Signer {
	p := filepath.Join(dir, "signing.pem")
	var key *keys.Key
	if data, err := os.ReadFile(p); err == nil {
		if key, err = keys.ParseKey(data); err != nil {
			log.Fatal(err)
		}
	} else {
		if key, err = keys.GenerateKey(keys.ES256); err != nil {
			log.Fatal(err)
		}
		priv, err := key.MarshalPEM()
		if err != nil {
			log.Fatal(err)
		}
		pub, err := key.MarshalPublicPEM()
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(p, priv, 0o600); err != nil {
			log.Fatal(err)
		}
		write(dir, "signing.pub.pem", pub)
	}
	s, err := sign.ForKey(key, 0)
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func sampleImages() (old, new []byte) {
	old = bytes.Repeat([]byte("sample firmware v1: init, loop, sleep; "), 800)
	new = bytes.Replace(old, []byte("sleep"), []byte("sleep, watchdog"), 40)
	return old, new
}

func mustRead(p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		log.Fatal(err)
	}
	return b
}

func write(dir, name string, data []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s (%d bytes)\n", filepath.Join(dir, name), len(data))
}
