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
//
// The server never hands private key bytes to the signing code: the key sits
// behind kmsKey, a type that only answers Public and Sign, the way a cloud KMS
// or an HSM does; sign.NewSigner takes any such crypto.Signer.
package main

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "build-server:", err)
		os.Exit(1)
	}
}

// run builds and signs the envelopes described by args (flags as in the
// package comment) and reports what it wrote to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("build-server", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", "build-out", "output directory")
	newPath := fs.String("new", "", "new firmware image (default: a generated sample)")
	oldPath := fs.String("old", "", "firmware the devices run now, for a delta envelope")
	seq := fs.Uint64("seq", 2, "manifest sequence number (must grow with every release)")
	vendorDomain := fs.String("vendor", "example.com", "vendor domain: vendor-id = UUID5(DNS, domain)")
	model := fs.String("class", "sample-board", "device model: class-id = UUID5(vendor-id, model)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	oldImg, newImg := sampleImages()
	if *newPath != "" {
		b, err := os.ReadFile(*newPath)
		if err != nil {
			return err
		}
		newImg, oldImg = b, nil
	}
	if *oldPath != "" {
		b, err := os.ReadFile(*oldPath)
		if err != nil {
			return err
		}
		oldImg = b
	}
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte(*vendorDomain))
	class := suit.NewUUID5(vendor, []byte(*model))

	kms, err := openKMS(*out, stdout)
	if err != nil {
		return err
	}
	signer, err := sign.NewSigner(keys.ES256, kms, nil)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// A full-image envelope: the image travels inside it as "#firmware.bin".
	b := build.New(*seq)
	if err := b.AddImage(build.Image{VendorID: vendor, ClassID: class, Data: newImg, Integrated: "#firmware.bin"}); err != nil {
		return err
	}
	env, err := b.Build()
	if err != nil {
		return err
	}
	if err := writeSigned(*out, "full.suit", env, signer, stdout); err != nil {
		return err
	}

	// A delta envelope: the patch from the old image, with the old image's
	// digest as an authenticated precondition.
	if oldImg != nil {
		du := &build.DeltaUpdate{VendorID: vendor, ClassID: class, Sequence: *seq}
		denv, patch, err := du.Build(oldImg, newImg)
		if err != nil {
			return err
		}
		if err := writeSigned(*out, "delta.suit", denv, signer, stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "patch: %d bytes for a %d-byte image\n", len(patch), len(newImg))
		if *oldPath == "" {
			if err := write(*out, "old.bin", oldImg, 0o644, stdout); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "vendor-id %s\nclass-id  %s\n", vendor, class)
	return nil
}

func writeSigned(dir, name string, env *suit.Envelope, s *sign.Signer, stdout io.Writer) error {
	if err := sign.Authenticate(env, s); err != nil {
		return err
	}
	data, err := env.Encode()
	if err != nil {
		return err
	}
	return write(dir, name, data, 0o644, stdout)
}

// kmsKey stands in for a key held by a KMS or an HSM: callers get the public
// key and signatures, never the private key. Only these two methods exist.
type kmsKey struct {
	key crypto.Signer // unexported: in a real KMS this lives on the other side of an API
}

// Public returns the public half of the key.
func (k *kmsKey) Public() crypto.PublicKey { return k.key.Public() }

// Sign signs digest, as a KMS "sign" call would.
func (k *kmsKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.key.Sign(rand, digest, opts)
}

// openKMS plays the KMS: it reuses DIR/signing.pem or makes a new ES256
// key, writes the public key to DIR/signing.pub.pem and hands out only the
// opaque kmsKey.
func openKMS(dir string, stdout io.Writer) (*kmsKey, error) {
	p := filepath.Join(dir, "signing.pem")
	var key *keys.Key
	data, err := os.ReadFile(p)
	switch {
	case err == nil:
		if key, err = keys.ParseKey(data); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if key.Signer == nil {
			return nil, fmt.Errorf("%s: not a private signing key", p)
		}
	case errors.Is(err, os.ErrNotExist):
		if key, err = keys.GenerateKey(keys.ES256); err != nil {
			return nil, err
		}
		priv, err := key.MarshalPEM()
		if err != nil {
			return nil, err
		}
		pub, err := key.MarshalPublicPEM()
		if err != nil {
			return nil, err
		}
		if err := write(dir, "signing.pem", priv, 0o600, stdout); err != nil {
			return nil, err
		}
		if err := write(dir, "signing.pub.pem", pub, 0o644, stdout); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return &kmsKey{key: key.Signer}, nil
}

func sampleImages() (old, new []byte) {
	old = bytes.Repeat([]byte("sample firmware v1: init, loop, sleep; "), 800)
	new = bytes.Replace(old, []byte("sleep"), []byte("sleep, watchdog"), 40)
	return old, new
}

func write(dir, name string, data []byte, perm os.FileMode, stdout io.Writer) error {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, perm); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", p, len(data))
	return nil
}
