package process_test

import (
	"context"
	"fmt"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Example shows a whole update: the build server signs a full-image
// envelope, and the device verifies it, installs it into in-memory storage
// and commits its sequence number.
func Example() {
	// Build server.
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("board-1"))
	firmware := []byte("firmware image v1")
	b := build.New(1)
	b.AddImage(build.Image{VendorID: vendor, ClassID: class, Data: firmware, Integrated: "#fw.bin"})
	env, _ := b.Build()
	key, _ := keys.GenerateKey(keys.Ed25519)
	signer, _ := sign.ForKey(key, keys.Ed25519)
	sign.Authenticate(env, signer)
	envelope, _ := env.Encode()

	// Device.
	anchor, _ := verify.NewKey(key.Public, nil)
	store := verify.NewMemoryStore()
	ver, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: store})
	storage := &process.MemoryStorage{}
	proc, _ := process.New(process.Platform{
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
		Storage:  storage,
	}, nil)
	report, err := proc.Install(context.Background(), ver, envelope)
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	got, _ := storage.Get([][]byte{{0x00}})
	fmt.Printf("installed %q, committed=%v, %d commands ran\n", got, report.Committed, len(report.Records))

	// The same envelope signed by another key is rejected before any
	// command runs.
	other, _ := keys.GenerateKey(keys.Ed25519)
	otherSigner, _ := sign.ForKey(other, keys.Ed25519)
	env2, _ := b.Build()
	sign.Authenticate(env2, otherSigner)
	forged, _ := env2.Encode()
	_, err = proc.Install(context.Background(), ver, forged)
	fmt.Println("forged envelope rejected:", err != nil)
	// Output:
	// installed "firmware image v1", committed=true, 10 commands ran
	// forged envelope rejected: true
}

// ExampleProcessor_Update runs a delta update from a DeltaUpdate manifest.
func ExampleProcessor_Update() {
	v1 := []byte("firmware v1: the quick brown fox jumps over the lazy dog")
	v2 := []byte("firmware v2: the quick brown fox jumps over the lazy cat")
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("board-1"))
	du := &build.DeltaUpdate{VendorID: vendor, ClassID: class, Sequence: 2}
	env, _, _ := du.Build(v1, v2)
	key, _ := keys.GenerateKey(keys.Ed25519)
	signer, _ := sign.ForKey(key, keys.Ed25519)
	sign.Authenticate(env, signer)
	envelope, _ := env.Encode()

	anchor, _ := verify.NewKey(key.Public, nil)
	verified, err := verify.Verify(envelope, []*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		fmt.Println(err)
		return
	}
	storage := &process.MemoryStorage{}
	storage.Set([][]byte{{0x00}}, v1)
	proc, _ := process.New(process.Platform{
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
		Storage:  storage,
	}, nil)
	if _, err := proc.Update(context.Background(), verified); err != nil {
		fmt.Println(err)
		return
	}
	got, _ := storage.Get([][]byte{{0x00}})
	fmt.Printf("%s\n", got)
	// Output:
	// firmware v2: the quick brown fox jumps over the lazy cat
}
