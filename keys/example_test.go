package keys_test

import (
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/keys"
)

// A vendor key is generated once; its public half is what devices trust.
// The loaders keep the kinds of key apart: a public key file is refused as
// an HMAC secret, and a private key is refused where a public one is
// expected.
func Example() {
	k, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		panic(err)
	}
	pubPEM, _ := k.MarshalPublicPEM()

	anchor, err := keys.ParsePublicKey(pubPEM)
	fmt.Println("trust anchor:", err == nil, "private:", anchor.IsPrivate())
	def, _ := keys.DefaultAlgorithm(anchor.Public)
	fmt.Println("default algorithm:", def)

	_, err = keys.ParseMACKey(pubPEM)
	fmt.Println("public key as MAC secret refused:", errors.Is(err, keys.ErrKeyType))

	privPEM, _ := k.MarshalPEM()
	_, err = keys.ParsePublicKey(privPEM)
	fmt.Println("private key as trust anchor refused:", errors.Is(err, keys.ErrKeyType))

	_, err = keys.ParseMACKey([]byte("too short"))
	fmt.Println("short secret refused:", errors.Is(err, keys.ErrWeakSecret))
	// Output:
	// trust anchor: true private: false
	// default algorithm: ES256
	// public key as MAC secret refused: true
	// private key as trust anchor refused: true
	// short secret refused: true
}

// Keys convert between PEM and COSE_Key; a COSE_Key keeps the key id and
// the algorithm the key is restricted to.
func ExampleKey_MarshalCOSEKey() {
	k, _ := keys.GenerateKey(keys.ESP256)
	pub, _ := k.PublicOnly()
	pub.KeyID = []byte("suit")
	ck, _ := pub.MarshalCOSEKey()
	back, _ := keys.ParseCOSEKey(ck)
	fmt.Printf("COSE_Key starts %x\n", ck[:11])
	fmt.Println("alg:", back.Algorithm, "kid:", string(back.KeyID), "private:", back.IsPrivate())
	// Output:
	// COSE_Key starts a601020244737569740328
	// alg: ESP256 kid: suit private: false
}

// ParseAlgorithm reads the names the command line accepts.
func ExampleParseAlgorithm() {
	for _, s := range []string{"es256", "-19", "HMAC-256/256"} {
		a, err := keys.ParseAlgorithm(s)
		fmt.Println(s, "=", a, int64(a), err)
	}
	// Output:
	// es256 = ES256 -7 <nil>
	// -19 = Ed25519 -19 <nil>
	// HMAC-256/256 = HMAC-256 5 <nil>
}
