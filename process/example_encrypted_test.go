package process_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// An encrypted delta update: the build server diffs v1 against v2 and
// encrypts the patch for the device's ECDH key (draft-ietf-suit-firmware-
// encryption); the device, holding v1 and its private key, decrypts the
// patch while fetching it, applies it and checks the result's digest.
func ExampleProcessor_Install_encryptedDelta() {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("board-1"))
	v1 := bytes.Repeat([]byte("firmware v1 block. "), 2000)
	v2 := append(bytes.Clone(v1), []byte("v2 adds a feature.")...)
	deviceKey, _ := ecdh.P256().GenerateKey(rand.Reader) // held by the device (or its secure element)

	// Build server: the patch is encrypted for the device's public key.
	u := &build.DeltaUpdate{VendorID: vendor, ClassID: class, Sequence: 2,
		Encrypt: &encryption.EncryptOptions{Alg: encryption.A128GCM, Recipients: []encryption.To{{Public: deviceKey.PublicKey()}}}}
	env, _, _ := u.Build(v1, v2)
	signKey, _ := keys.GenerateKey(keys.Ed25519)
	signer, _ := sign.ForKey(signKey, keys.Ed25519)
	sign.Authenticate(env, signer)
	envelope, _ := env.Encode()

	// Device.
	anchor, _ := verify.NewKey(signKey.Public, nil)
	ver, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	storage := &process.MemoryStorage{}
	storage.Set([][]byte{{0x00}}, v1)
	proc, _ := process.New(process.Platform{
		Identity:       process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
		Storage:        storage,
		DecryptionKeys: []encryption.RecipientKey{&encryption.ECDHKey{Private: deviceKey}},
	}, nil)
	_, err := proc.Install(context.Background(), ver, envelope)
	got, _ := storage.Get([][]byte{{0x00}})
	fmt.Println("installed:", err == nil, bytes.Equal(got, v2))

	// A device without the key cannot read the patch and keeps v1.
	other := &process.MemoryStorage{}
	other.Set([][]byte{{0x00}}, v1)
	proc2, _ := process.New(process.Platform{
		Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
		Storage:  other,
	}, nil)
	ver2, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	_, err = proc2.Install(context.Background(), ver2, envelope)
	kept, _ := other.Get([][]byte{{0x00}})
	fmt.Println("without the key:", errors.Is(err, process.ErrDecrypt), bytes.Equal(kept, v1))
	// Output:
	// installed: true true
	// without the key: true true
}
