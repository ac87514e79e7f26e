// Command two-signers shows one update made by two parties
// (draft-ietf-suit-trust-domains): a silicon vendor builds and signs the
// radio firmware's manifest with its own key; the product maker builds a
// dependent manifest for the application that references the vendor's
// manifest by its manifest digest (here carried integrated) and signs it
// with its key. The device trusts both keys, each only for its own
// components: the vendor's for "radio", the maker's for "app". One
// envelope updates both, each part under its signer's authority.
//
//	go run ./examples/two-signers
//
// It prints what the device holds afterwards and shows that a vendor
// manifest touching the application is refused.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

var (
	// The device's identity: both manifests check it.
	makerID = suit.NewUUID5(suit.NamespaceDNS, []byte("product-maker.example"))
	classID = suit.NewUUID5(makerID, []byte("smart-lamp"))
	radio   = suit.ComponentID{[]byte("radio")}
	app     = suit.ComponentID{[]byte("app")}
)

// party is one signer: its key and what the device trusts it for.
type party struct {
	signer *sign.Signer
	anchor *verify.Key
}

func newParty(prefix suit.ComponentID) (*party, error) {
	k, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		return nil, err
	}
	s, err := sign.ForKey(k, keys.ES256)
	if err != nil {
		return nil, err
	}
	a, err := verify.NewKey(k.Public, &verify.Binding{ComponentPrefixes: [][][]byte{prefix}})
	if err != nil {
		return nil, err
	}
	return &party{signer: s, anchor: a}, nil
}

// signed builds b and signs it as p.
func (p *party) signed(b *build.Builder) ([]byte, error) {
	env, err := b.Build()
	if err != nil {
		return nil, err
	}
	if err := sign.Authenticate(env, p.signer); err != nil {
		return nil, err
	}
	return env.Encode()
}

// update is what the two parties produce: the vendor's radio manifest
// writing radioFW to component comp, and the maker's dependent manifest
// installing appFW and carrying the vendor's manifest.
func update(vendor, maker *party, comp suit.ComponentID, radioFW, appFW []byte) ([]byte, error) {
	vb := build.New(5)
	if err := vb.AddImage(build.Image{Component: comp, VendorID: makerID, ClassID: classID, Data: radioFW, Integrated: "#radio.bin"}); err != nil {
		return nil, err
	}
	vendorEnv, err := vendor.signed(vb)
	if err != nil {
		return nil, err
	}
	mb := build.New(12)
	if err := mb.AddImage(build.Image{Component: app, VendorID: makerID, ClassID: classID, Data: appFW, Integrated: "#app.bin"}); err != nil {
		return nil, err
	}
	if err := mb.AddDependency(build.Dependency{Envelope: vendorEnv, Integrated: "#radio.suit"}); err != nil {
		return nil, err
	}
	return maker.signed(mb)
}

// device is an in-memory device trusting both parties.
type device struct {
	storage *process.MemoryStorage
	ver     *verify.Verifier
	proc    *process.Processor
}

func newDevice(vendor, maker *party) (*device, error) {
	d := &device{storage: &process.MemoryStorage{}}
	var err error
	if d.ver, err = verify.New([]*verify.Key{vendor.anchor, maker.anchor}, &verify.Options{Store: verify.NewMemoryStore()}); err != nil {
		return nil, err
	}
	d.proc, err = process.New(process.Platform{Storage: d.storage,
		Identity: process.Identity{VendorID: makerID.Bytes(), ClassID: classID.Bytes()}}, nil)
	return d, err
}

func run() error {
	vendor, err := newParty(radio)
	if err != nil {
		return err
	}
	maker, err := newParty(app)
	if err != nil {
		return err
	}
	env, err := update(vendor, maker, radio, []byte("radio firmware 5"), []byte("application 12"))
	if err != nil {
		return err
	}
	d, err := newDevice(vendor, maker)
	if err != nil {
		return err
	}
	rep, err := d.proc.Install(context.Background(), d.ver, env)
	if err != nil {
		return fmt.Errorf("install: %w\n%s", err, rep)
	}
	r, _ := d.storage.Get(radio)
	a, _ := d.storage.Get(app)
	fmt.Printf("installed one update from two signers (%d dependency manifest)\n  radio: %q\n  app:   %q\n", len(rep.Dependencies), r, a)

	// The vendor's manifest may not touch the application, even though
	// the maker's manifest names it (a fresh device, so that nothing but
	// the authority check can refuse it).
	if err := vendorWritesApp(vendor, maker); !errors.Is(err, verify.ErrUnauthorizedComponent) {
		return fmt.Errorf("a vendor manifest writing the application: %v, want ErrUnauthorizedComponent", err)
	}
	fmt.Println("refused as expected: the vendor's manifest writing the application")
	return nil
}

// vendorWritesApp installs an update whose vendor manifest writes the
// application component on a fresh device and returns the error.
func vendorWritesApp(vendor, maker *party) error {
	bad, err := update(vendor, maker, app, []byte("vendor writes the app"), []byte("application 13"))
	if err != nil {
		return err
	}
	d, err := newDevice(vendor, maker)
	if err != nil {
		return err
	}
	_, err = d.proc.Install(context.Background(), d.ver, bad)
	if _, ok := d.storage.Get(app); ok {
		return fmt.Errorf("the application was written: %v", err)
	}
	return err
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}
