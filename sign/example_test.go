package sign_test

import (
	"crypto"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/veraison/go-cose"
)

// example0Unsigned is draft-ietf-suit-manifest Appendix B example 0 with
// its authentication wrapper holding only the manifest digest.
const example0Unsigned = "d86ba2025827815824822f58206658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af" +
	"035871a50101020003585fa202818141000458568614a40150fa6b4a53d5ad5fdfbe9de663e4d41ffe02501492af1425695e48bf42" +
	"9b2d51f2ab45035824822f582000112233445566778899aabbccddeeff0123456789abcdeffedcba98765432100e1987d0010f020f07" +
	"4382030f0943821702"

// The draft's test key (Appendix B), PKCS#8.
const ietfPrivateKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgApZYjZCUGLM50VBC
CjYStX+09jGmnyJPrpDLTz/hiXOhRANCAASEloEarguqq9JhVxie7NomvqqL8Rtv
P+bitWWchdvArTsfKktsCYExwKNtrNHXi9OB3N+wnAUtszmR23M4tKiW
-----END PRIVATE KEY-----
`

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Sign an envelope with two keys: one authentication block each.
func ExampleAuthenticate() {
	env, err := suit.Parse(mustHex(example0Unsigned), nil)
	if err != nil {
		panic(err)
	}
	k1, _ := keys.ParsePEM([]byte(ietfPrivateKey))
	s1, _ := sign.ForKey(k1, 0) // ES256 for a P-256 key
	k2, _ := keys.GenerateKey(keys.Ed25519)
	s2, _ := sign.ForKey(k2, 0)
	if err := sign.Authenticate(env, s1, s2); err != nil {
		panic(err)
	}
	fmt.Println("algorithms:", s1.Algorithm(), s2.Algorithm())
	fmt.Println("blocks:", len(env.Authentication.Blocks))
	fmt.Printf("manifest digest: %x\n", env.Authentication.Digest.Value)
	// Output:
	// algorithms: ES256 Ed25519
	// blocks: 2
	// manifest digest: 6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af
}

// hsmKey stands in for a key held in a KMS, HSM or PKCS#11 token: only
// Public and Sign are available to the library.
type hsmKey struct{ inner crypto.Signer }

func (h hsmKey) Public() crypto.PublicKey { return h.inner.Public() }
func (h hsmKey) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return h.inner.Sign(r, digest, opts) // e.g. a remote call
}

// Sign with a key the library never sees, then check the block with
// go-cose over the detached payload (the encoded SUIT_Digest).
func ExampleNewSigner() {
	k, _ := keys.ParsePEM([]byte(ietfPrivateKey))
	s, err := sign.NewSigner(keys.ESP256, hsmKey{k.Signer}, []byte("release-key-1"))
	if err != nil {
		panic(err)
	}
	env, _ := suit.Parse(mustHex(example0Unsigned), nil)
	block, err := s.Block(env.Authentication.DigestBytes)
	if err != nil {
		panic(err)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(block); err != nil {
		panic(err)
	}
	fmt.Printf("tag 18, protected %x, detached: %v\n", block[3:6], msg.Payload == nil)

	// A key given for the wrong algorithm is refused.
	_, err = sign.NewSigner(keys.ES384, k.Signer, nil)
	fmt.Println(err)
	// Output:
	// tag 18, protected a10128, detached: true
	// keys: algorithm ES384: needs curve P-384, key is on P-256
}
