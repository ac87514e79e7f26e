package encryption_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	"io"

	"github.com/suitkit/suitkit/encryption"
)

// A build server encrypts an image for a device group sharing a KEK and for
// one device with an ECDH key; each device decrypts the payload as it
// streams.
func Example() {
	image := []byte("This is a real firmware image.")
	kek := bytes.Repeat([]byte{0x42}, 16)
	device, _ := ecdh.P256().GenerateKey(rand.Reader)

	ciphertext, info, err := encryption.Encrypt(image, &encryption.EncryptOptions{
		Alg: encryption.A128GCM,
		Recipients: []encryption.To{
			{KEK: kek, KeyID: []byte("group-1")},
			{Public: device.PublicKey(), Alg: encryption.ECDHESA128KW},
		},
	})
	if err != nil {
		panic(err)
	}
	infoBytes, _ := info.Encode() // suit-parameter-encryption-info

	// On the device.
	parsed, err := encryption.ParseInfo(infoBytes)
	if err != nil {
		panic(err)
	}
	cek, err := parsed.ContentKey(&encryption.ECDHKey{Private: device})
	if err != nil {
		panic(err)
	}
	r, _ := parsed.NewReader(cek, bytes.NewReader(ciphertext))
	plain, err := io.ReadAll(r)
	fmt.Println(string(plain), err, len(ciphertext)-len(image))
	// Output: This is a real firmware image. <nil> 16
}
