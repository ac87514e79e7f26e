package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// signedUpdate builds and signs an envelope with the given sequence number.
func signedUpdate(priv *ecdsa.PrivateKey, seq uint64) []byte {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	b := build.New(seq)
	b.AddImage(build.Image{
		VendorID: vendor,
		ClassID:  suit.NewUUID5(vendor, []byte("sensor-board-v2")),
		Data:     []byte("firmware image"),
		URI:      "https://updates.example.com/fw.bin",
	})
	env, err := b.Build()
	if err != nil {
		panic(err)
	}
	s, err := sign.NewSigner(keys.ES256, priv, nil)
	if err != nil {
		panic(err)
	}
	if err := sign.Authenticate(env, s); err != nil {
		panic(err)
	}
	data, err := env.Encode()
	if err != nil {
		panic(err)
	}
	return data
}

// Verify an update on a device, commit its sequence number after the
// install, and see an older update rejected as a rollback.
func ExampleVerifier_Verify() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	trusted, _ := verify.NewKey(&priv.PublicKey, nil) // bound to ES256 and ESP256
	store := verify.NewMemoryStore()                  // a device uses OpenFileStore
	v, err := verify.New([]*verify.Key{trusted}, &verify.Options{Store: store})
	if err != nil {
		fmt.Println(err)
		return
	}

	res, err := v.Verify(signedUpdate(priv, 7))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sequence:", res.Sequence())
	fmt.Println("identity:", res.Identity())
	// ... install res.Manifest() and confirm the new image boots, then:
	if err := v.Commit(res); err != nil {
		fmt.Println(err)
		return
	}

	_, err = v.Verify(signedUpdate(priv, 6))
	var re *verify.RollbackError
	fmt.Println(errors.Is(err, verify.ErrRollback), errors.As(err, &re) && re.Stored == 7)
	fmt.Println(err)
	// Output:
	// sequence: 7
	// identity: vendor:cfbff0d193755685968c48ce8b15ae17/class:af819e4b170d5f69b1d5d35c56a8c59d
	// true true
	// rollback: sequence number 6 is lower than the stored 7
}

// A key that did not sign the envelope is not trusted, whatever the
// envelope says; the error matches ErrUnauthenticated.
func ExampleVerify_wrongKey() {
	signer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	trusted, _ := verify.NewKey(&other.PublicKey, nil)
	_, err := verify.Verify(signedUpdate(signer, 1), []*verify.Key{trusted}, &verify.Options{NoRollbackCheckUnsafe: true})
	fmt.Println(errors.Is(err, verify.ErrUnauthenticated))
	fmt.Println(err)
	// Output:
	// true
	// unauthenticated: no block verified by a trusted key (COSE block 0: no trusted key bound to the algorithm verifies it)
}

// Keys are bound to algorithms: this P-256 key accepts only ESP256 (-9),
// so an ES256 (-7) block does not count.
func ExampleBinding() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, _ := verify.NewKey(&priv.PublicKey, &verify.Binding{Algorithms: []keys.Algorithm{keys.ESP256}})
	fmt.Println(key.Algorithms())
	_, err := verify.Verify(signedUpdate(priv, 1), []*verify.Key{key}, &verify.Options{NoRollbackCheckUnsafe: true})
	fmt.Println(errors.Is(err, verify.ErrUnsupportedAlgorithm))
	// Output:
	// [ESP256]
	// true
}

// Check a sequence number against a component's floor without changing
// it, the way a device decides before downloading a payload. The device
// names the floor (ComponentFloorKey), never the manifest.
func ExampleCheckFloor() {
	store := verify.NewMemoryStore()
	key := verify.ComponentFloorKey("", suit.ComponentID{{0x00}})
	store.Raise([]string{key}, verify.Floor{Sequence: 5, Manifest: "-16:aa"})
	fmt.Println(verify.CheckFloor(store, key, 4, "-16:bb", false))
	fmt.Println(verify.CheckFloor(store, key, 5, "-16:aa", false)) // the same manifest again
	fmt.Println(verify.CheckFloor(store, key, 5, "-16:bb", false))
	fmt.Println(verify.CheckFloor(store, key, 5, "-16:aa", true))
	// Output:
	// rollback: sequence number 4 is lower than the stored 5
	// <nil>
	// rollback: sequence number 5 is equal to the stored 5 of another manifest (-16:aa) for component:[h'00']
	// rollback: sequence number 5 is equal to the stored 5
}
