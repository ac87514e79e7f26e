package suit_test

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// example0 is Appendix B example 0 of draft-ietf-suit-manifest (secure boot,
// one component, signed with ES256).
var example0, _ = hex.DecodeString("d86ba2025873825824822f58206658ea560262696dd1f13b782239a064da7c6c5cbaf5" +
	"2fded428a6fc83c7e5af584ad28443a10126a0f65840408d0816f9b510749bf6a51b066951e08a4438f849eb092a1ac7" +
	"68eed9de696c1b1dd35d82ef149e6a73a61976ad2cfe78444b8064293350a122f332cb49f0da035871a50101020003585" +
	"fa202818141000458568614a40150fa6b4a53d5ad5fdfbe9de663e4d41ffe02501492af1425695e48bf429b2d51f2ab45" +
	"035824822f582000112233445566778899aabbccddeeff0123456789abcdeffedcba98765432100e1987d0010f020f07" +
	"4382030f0943821702")

// example0Unsigned is example 0 with its authentication wrapper holding
// only the manifest digest.
var example0Unsigned, _ = hex.DecodeString("d86ba2025827815824822f58206658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af" +
	"035871a50101020003585fa202818141000458568614a40150fa6b4a53d5ad5fdfbe9de663e4d41ffe02501492af1425695e48bf42" +
	"9b2d51f2ab45035824822f582000112233445566778899aabbccddeeff0123456789abcdeffedcba98765432100e1987d0010f020f07" +
	"4382030f0943821702")

// Decode an envelope, walk its shared sequence and read typed parameters.
func ExampleDecode() {
	e, err := suit.Decode(example0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := e.Manifest
	fmt.Println("sequence number:", m.SequenceNumber)
	fmt.Println("components:", m.Common.Components[0])
	for _, c := range m.Common.SharedSequence.Commands {
		fmt.Println(suit.CommandName(c.ID))
		for _, p := range c.Params {
			fmt.Println("  ", suit.ParameterName(p.Key))
		}
	}
	size, _ := m.SharedParameter(0, suit.ParamImageSize)
	n, _ := size.Uint()
	fmt.Println("image size:", n)
	// Output:
	// sequence number: 0
	// components: [h'00']
	// suit-directive-override-parameters
	//    suit-parameter-vendor-identifier
	//    suit-parameter-class-identifier
	//    suit-parameter-image-digest
	//    suit-parameter-image-size
	// suit-condition-vendor-identifier
	// suit-condition-class-identifier
	// image size: 34768
}

// The manifest digest in the authentication wrapper covers the encoded
// manifest bstr, head included. A verifier parses only the envelope, checks
// the signature over DigestBytes (not shown) and this digest, and only then
// decodes the manifest.
func ExampleComputeDigest() {
	e, err := suit.Parse(example0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(e.ManifestBytes))
	fmt.Printf("%x\n", d.Value)
	fmt.Println("matches wrapper:", e.Authentication.Digest.Matches(suit.BstrItem(e.ManifestBytes)))
	m, err := e.DecodeManifest(nil)
	fmt.Println(m.SequenceNumber, err)
	// Output:
	// 6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af
	// matches wrapper: true
	// 0 <nil>
}

// Errors say what was wrong and where, and match sentinels with errors.Is.
func ExampleDecodeError() {
	bad := append([]byte{}, example0...)
	bad[len(bad)-1] = 0x18 // invoke's argument: a one-byte-argument head with no byte after it
	_, err := suit.Decode(bad, nil)
	var de *suit.DecodeError
	fmt.Println(errors.Is(err, suit.ErrMalformed), errors.As(err, &de))
	fmt.Println(de.Path)
	// Output:
	// true true
	// envelope/manifest/invoke[0]/directive-invoke
}

// Severing moves an inline member out of the manifest and re-digests it.
func ExampleSever() {
	env, _ := suit.Decode(example0Unsigned, nil)
	// Give example 0 an inline install sequence (a copy of its validate).
	env.Manifest.Install = &suit.SeverableSequence{Sequence: env.Manifest.Validate}
	env.ManifestBytes, _ = env.Manifest.Encode()
	env.Authentication = nil

	// Sever it explicitly: with no Elements, Sever leaves members smaller
	// than their digest inline, as the draft recommends.
	keys, err := suit.Sever(env, &suit.SeverOptions{Elements: []int64{suit.ManifestInstall}})
	if err != nil {
		panic(err)
	}
	fmt.Println("severed:", keys, "carried:", len(env.Severed[suit.ManifestInstall]), "bytes")
	fmt.Println("digest matches:", env.Manifest.Install.Digest.Matches(suit.BstrItem(env.Severed[suit.ManifestInstall])))
	fmt.Println("stripped:", suit.Strip(env))
	// Output:
	// severed: [20] carried: 3 bytes
	// digest matches: true
	// stripped: [20]
}
