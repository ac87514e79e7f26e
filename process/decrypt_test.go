package process_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// draftDecryptionKeys are the firmware-encryption draft's device keys: the
// KEK 'aaaaaaaaaaaaaaaa' (kid-1) and the P-256 key of kid-2.
func draftDecryptionKeys(t testing.TB, dir string) []encryption.RecipientKey {
	t.Helper()
	pemData, err := os.ReadFile(filepath.Join(dir, "recipient_kid-2_private_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.ParseKey(pemData)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := k.Signer.(*ecdsa.PrivateKey).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	return []encryption.RecipientKey{
		&encryption.KEK{Key: []byte("aaaaaaaaaaaaaaaa"), KeyID: []byte("kid-1")},
		&encryption.ECDHKey{Private: priv, KeyID: []byte("kid-2")},
	}
}

// draftVerifier trusts the key the encryption README names for file.
func draftVerifier(t testing.TB, dir, file string) *verify.Verifier {
	t.Helper()
	var k *verify.Key
	var err error
	if bytes.HasPrefix([]byte(file), []byte("suit-manifest-aes-kw")) {
		k, err = verify.NewMACKey(bytes.Repeat([]byte{'a'}, 32), nil)
	} else {
		var pemData []byte
		if pemData, err = os.ReadFile(filepath.Join(dir, "public_key.pem")); err == nil {
			var pk *keys.Key
			if pk, err = keys.ParsePublicKey(pemData); err == nil {
				k, err = verify.NewKey(pk.Public, nil)
			}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New([]*verify.Key{k}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEncryptionExamplesInstall: every manifest of the firmware-encryption
// draft that stands on its own installs on a device holding the draft's
// keys, and the decrypted component holds the draft's plaintext: write
// with AES-KW and with ES-DH, and fetch-then-copy (in its component-name
// and slot forms), whose fetch carries no image digest (the AEAD tag
// authenticates the decrypted content). The examples carry no vendor or
// class condition, hence SkipCompatibilityCheckUnsafe.
func TestEncryptionExamplesInstall(t *testing.T) {
	dir := testshared.Dir(t, "conformance/encryption")
	plain, err := os.ReadFile(filepath.Join(dir, "expected-plaintext.bin"))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := os.ReadFile(filepath.Join(dir, "encrypted-payload-aes-kw-aes-gcm.bin"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file string
		comp suit.ComponentID
	}{
		{"suit-manifest-aes-kw-content.suit", suit.ComponentID{[]byte("plaintext-firmware")}},
		{"suit-manifest-aes-kw.suit", suit.ComponentID{[]byte("plaintext-firmware")}},
		{"suit-manifest-aes-kw-slot.suit", suit.ComponentID{{0x00}}},
		{"suit-manifest-es-ecdh-content.suit", suit.ComponentID{[]byte("decrypted-firmware")}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			st := &process.MemoryStorage{}
			p, err := process.New(process.Platform{
				Storage:                      st,
				Fetcher:                      uriFetcher{"coaps://example.com/encrypted-firmware": ct},
				DecryptionKeys:               draftDecryptionKeys(t, dir),
				SkipCompatibilityCheckUnsafe: true,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Install(context.Background(), draftVerifier(t, dir, c.file), data)
			if err != nil {
				t.Fatalf("Install: %v\n%s", err, rep)
			}
			got, ok := st.Get(c.comp)
			if !ok || !bytes.Equal(got, plain) {
				t.Fatalf("%s holds %q, want %q", c.comp, got, plain)
			}
		})
	}
}

// encryptedDevice builds a signed manifest whose install writes (or
// fetches) content encrypted for a KEK, and a device holding that KEK.
type encryptedCase struct {
	key     testKey
	kek     []byte
	plain   []byte
	ct      []byte
	infoRaw []byte
}

func newEncryptedCase(t *testing.T, alg encryption.Algorithm) *encryptedCase {
	t.Helper()
	c := &encryptedCase{key: newTestKey(t), kek: bytes.Repeat([]byte{7}, 16), plain: bytes.Repeat([]byte("new image "), 500)}
	ct, info, err := encryption.Encrypt(c.plain, &encryption.EncryptOptions{Alg: alg, Recipients: []encryption.To{{KEK: c.kek}}})
	if err != nil {
		t.Fatal(err)
	}
	c.ct = ct
	if c.infoRaw, err = info.Encode(); err != nil {
		t.Fatal(err)
	}
	return c
}

// manifest returns a manifest whose install fetches "#fw" into comp0 with
// the encryption info (and the plaintext's digest when withDigest).
func (c *encryptedCase) manifest(t *testing.T, info []byte, withDigest bool) *suit.Manifest {
	t.Helper()
	ps := suit.Parameters{suit.ParamBytes(suit.ParamEncryptionInfo, info), suit.ParamText(suit.ParamURI, "#fw")}
	if withDigest {
		d, _ := suit.ComputeDigest(suit.AlgSHA256, c.plain)
		dp, err := suit.ParamDigest(suit.ParamImageDigest, d)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(suit.Parameters{dp}, ps...)
	}
	return &suit.Manifest{
		SequenceNumber: 1,
		Common:         &suit.Common{Components: []suit.ComponentID{comp0}},
		Install: &suit.SeverableSequence{Sequence: &suit.CommandSequence{Commands: []suit.Command{
			{ID: suit.DirectiveOverrideParameters, Params: ps},
			{ID: suit.DirectiveFetch, ReportingPolicy: 2},
		}}},
	}
}

func (c *encryptedCase) install(t *testing.T, m *suit.Manifest, payload []byte, rk ...encryption.RecipientKey) (*process.MemoryStorage, error) {
	t.Helper()
	st := &process.MemoryStorage{}
	st.Set(comp0, []byte("old image"))
	p, err := process.New(process.Platform{Storage: st, DecryptionKeys: rk, SkipCompatibilityCheckUnsafe: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New([]*verify.Key{c.key.anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Install(context.Background(), v, seal(t, c.key, m, map[string][]byte{"#fw": payload}))
	return st, err
}

// TestEncryptedFetchInstalls: an integrated encrypted payload is decrypted
// while staged, for every content algorithm; AEAD content needs no image
// digest, CTR content does.
func TestEncryptedFetchInstalls(t *testing.T) {
	for _, alg := range encryption.ContentAlgorithms() {
		t.Run(alg.String(), func(t *testing.T) {
			c := newEncryptedCase(t, alg)
			st, err := c.install(t, c.manifest(t, c.infoRaw, true), c.ct, &encryption.KEK{Key: c.kek})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := st.Get(comp0); !bytes.Equal(got, c.plain) {
				t.Fatal("component does not hold the plaintext")
			}
			st, err = c.install(t, c.manifest(t, c.infoRaw, false), c.ct, &encryption.KEK{Key: c.kek})
			if alg.IsAEAD() {
				if err != nil {
					t.Fatalf("AEAD without a digest: %v", err)
				}
				return
			}
			if !errors.Is(err, process.ErrUnauthenticatedContent) {
				t.Fatalf("CTR without a digest: %v, want ErrUnauthenticatedContent", err)
			}
			if got, _ := st.Get(comp0); string(got) != "old image" {
				t.Fatal("device changed")
			}
		})
	}
}

// TestEncryptedNegativesLeaveDeviceUnchanged: a wrong key, a flipped
// ciphertext or tag bit, a truncated ciphertext, a mismatched algorithm and
// a malformed COSE_Encrypt are refused with typed errors, and the
// component keeps its old content.
func TestEncryptedNegativesLeaveDeviceUnchanged(t *testing.T) {
	c := newEncryptedCase(t, encryption.A128GCM)
	flip := func(i int) []byte { b := bytes.Clone(c.ct); b[i] ^= 0x01; return b }
	// The info claims A256GCM while its recipient wraps a 16-byte key.
	mismatched := bytes.Replace(c.infoRaw, []byte{0x43, 0xa1, 0x01, 0x01}, []byte{0x43, 0xa1, 0x01, 0x03}, 1)
	if bytes.Equal(mismatched, c.infoRaw) {
		t.Fatal("could not build the mismatched info")
	}
	cases := []struct {
		name    string
		info    []byte
		payload []byte
		key     encryption.RecipientKey
		want    []error
	}{
		{"wrong KEK", c.infoRaw, c.ct, &encryption.KEK{Key: bytes.Repeat([]byte{8}, 16)}, []error{process.ErrDecrypt, encryption.ErrUnwrap}},
		{"no key for the recipient", c.infoRaw, c.ct, &encryption.KEK{Key: bytes.Repeat([]byte{8}, 32)}, []error{process.ErrDecrypt, encryption.ErrNoKey}},
		{"flipped ciphertext bit", c.infoRaw, flip(10), &encryption.KEK{Key: c.kek}, []error{process.ErrDecrypt, encryption.ErrAuthentication}},
		{"flipped tag bit", c.infoRaw, flip(len(c.ct) - 1), &encryption.KEK{Key: c.kek}, []error{process.ErrDecrypt, encryption.ErrAuthentication}},
		{"truncated", c.infoRaw, c.ct[:len(c.ct)-5], &encryption.KEK{Key: c.kek}, []error{process.ErrDecrypt, encryption.ErrAuthentication}},
		{"shorter than a tag", c.infoRaw, c.ct[:9], &encryption.KEK{Key: c.kek}, []error{process.ErrDecrypt, encryption.ErrTruncated}},
		{"mismatched algorithm", mismatched, c.ct, &encryption.KEK{Key: c.kek}, []error{process.ErrManifest, encryption.ErrMalformed}},
		// Well-formed CBOR (the codec accepts it), but not the draft's
		// COSE_Encrypt: the ciphertext is an empty bstr instead of nil.
		{"malformed COSE_Encrypt", bytes.Replace(c.infoRaw, []byte{0xf6, 0x81}, []byte{0x40, 0x81}, 1), c.ct, &encryption.KEK{Key: c.kek}, []error{process.ErrManifest, encryption.ErrMalformed}},
		{"unsupported algorithm", bytes.Replace(c.infoRaw, []byte{0x43, 0xa1, 0x01, 0x01}, []byte{0x43, 0xa1, 0x01, 0x02}, 1), c.ct, &encryption.KEK{Key: c.kek}, []error{process.ErrUnsupported, encryption.ErrUnsupportedAlgorithm}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := c.install(t, c.manifest(t, tc.info, false), tc.payload, tc.key)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
			if got, _ := st.Get(comp0); string(got) != "old image" {
				t.Fatalf("device changed: %q", got)
			}
		})
	}
}

// TestEncryptedDeltaUpdateInstalls: encryption composes with delta
// updates. The builder encrypts the patch (ECDH-ES+A128KW on P-256, and a
// KEK for a second device group), the device decrypts it while fetching it
// into the patch component, checks the plaintext patch's digest, applies it
// and checks the result's digest. The integrated ciphertext does not
// contain the plaintext patch.
func TestEncryptedDeltaUpdateInstalls(t *testing.T) {
	k := newTestKey(t)
	v1 := firmware(7, 40000)
	v2 := mutate(v1, 3)
	dev, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kek := bytes.Repeat([]byte{9}, 32)
	u := &build.DeltaUpdate{Sequence: 2, Encrypt: &encryption.EncryptOptions{Alg: encryption.A256GCM, Recipients: []encryption.To{
		{Public: dev.PublicKey(), KeyID: []byte("dev-1")}, {KEK: kek, KeyID: []byte("group-2")},
	}}}
	copy(u.VendorID[:], testVendor)
	copy(u.ClassID[:], testClass)
	env, ct, err := u.Build(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	plainPatch, _, err := (&build.DeltaUpdate{Sequence: 2, VendorID: u.VendorID, ClassID: u.ClassID}).Build(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, plainPatch.Integrated[build.DefaultPatchURI][:64]) {
		t.Fatal("the integrated patch is not encrypted")
	}
	if err := sign.Authenticate(env, k.signer); err != nil {
		t.Fatal(err)
	}
	data, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]encryption.RecipientKey{
		"ECDH device": &encryption.ECDHKey{Private: dev, KeyID: []byte("dev-1")},
		"KEK group":   &encryption.KEK{Key: kek, KeyID: []byte("group-2")},
	} {
		t.Run(name, func(t *testing.T) {
			flash := testdevice.New()
			flash.Set(comp0, v1)
			d := newDevice(t, flash, k, process.Platform{DecryptionKeys: []encryption.RecipientKey{key}}, nil)
			if rep, err := d.install(data); err != nil {
				t.Fatalf("%v\n%s", err, rep)
			}
			if got, _ := flash.Get(comp0); !bytes.Equal(got, v2) {
				t.Fatal("device does not hold v2")
			}
		})
	}
	// Without the key the device keeps v1.
	flash := testdevice.New()
	flash.Set(comp0, v1)
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if _, err := d.install(data); !errors.Is(err, process.ErrDecrypt) {
		t.Fatalf("no key: %v, want ErrDecrypt", err)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, v1) {
		t.Fatal("device changed without the key")
	}
}

// TestBuilderEncryptedImageInstalls: build.Image with EncryptionInfo and
// the ciphertext as its integrated Payload installs the plaintext, checked
// by its digest at install and validate.
func TestBuilderEncryptedImageInstalls(t *testing.T) {
	k := newTestKey(t)
	img := firmware(3, 5000)
	kek := bytes.Repeat([]byte{5}, 16)
	ct, info, err := encryption.Encrypt(img, &encryption.EncryptOptions{Alg: encryption.A128CTR, Recipients: []encryption.To{{KEK: kek}}})
	if err != nil {
		t.Fatal(err)
	}
	infoRaw, err := info.Encode()
	if err != nil {
		t.Fatal(err)
	}
	b := build.New(1)
	im := build.Image{Component: comp0, Data: img, Integrated: "#fw", EncryptionInfo: infoRaw, Payload: ct}
	copy(im.VendorID[:], testVendor)
	copy(im.ClassID[:], testClass)
	if err := b.AddImage(im); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, k.signer); err != nil {
		t.Fatal(err)
	}
	data, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{DecryptionKeys: []encryption.RecipientKey{&encryption.KEK{Key: kek}}}, nil)
	if rep, err := d.install(data); err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, img) {
		t.Fatal("device does not hold the image")
	}
}

// TestEncryptedInstallEveryAlgorithmPair: every content algorithm with every
// key distribution (AES-KW of each size, ECDH-ES+A128KW and +A256KW on
// P-256 and X25519) installs through the processor, each device holding
// only its own key of a COSE_Encrypt with all seven recipients.
func TestEncryptedInstallEveryAlgorithmPair(t *testing.T) {
	k := newTestKey(t)
	plain := firmware(11, 3000)
	var tos []encryption.To
	var rks []encryption.RecipientKey
	for _, n := range []int{16, 24, 32} {
		kek := bytes.Repeat([]byte{byte(n)}, n)
		tos = append(tos, encryption.To{KEK: kek})
		rks = append(rks, &encryption.KEK{Key: kek})
	}
	for _, c := range []ecdh.Curve{ecdh.P256(), ecdh.X25519()} {
		for _, alg := range []encryption.Algorithm{encryption.ECDHESA128KW, encryption.ECDHESA256KW} {
			priv, err := c.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			tos = append(tos, encryption.To{Public: priv.PublicKey(), Alg: alg})
			rks = append(rks, &encryption.ECDHKey{Private: priv})
		}
	}
	d, _ := suit.ComputeDigest(suit.AlgSHA256, plain)
	dp, err := suit.ParamDigest(suit.ParamImageDigest, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range encryption.ContentAlgorithms() {
		ct, info, err := encryption.Encrypt(plain, &encryption.EncryptOptions{Alg: alg, Recipients: tos})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := info.Encode()
		if err != nil {
			t.Fatal(err)
		}
		m := &suit.Manifest{Version: 1, SequenceNumber: 1,
			Common: &suit.Common{Components: []suit.ComponentID{comp0}, SharedSequence: seq(compat(testClass)...)},
			Install: &suit.SeverableSequence{Sequence: seq(
				override(dp, suit.ParamBytes(suit.ParamEncryptionInfo, raw), suit.ParamText(suit.ParamURI, "#fw")),
				cmd(suit.DirectiveFetch))}}
		env := seal(t, k, m, map[string][]byte{"#fw": ct})
		for i, rk := range rks {
			flash := testdevice.New()
			dev := newDevice(t, flash, k, process.Platform{DecryptionKeys: []encryption.RecipientKey{rk}}, nil)
			if rep, err := dev.install(env); err != nil {
				t.Fatalf("%s, recipient %d (%s): %v\n%s", alg, i, tos[i].Alg, err, rep)
			}
			if got, _ := flash.Get(comp0); !bytes.Equal(got, plain) {
				t.Fatalf("%s, recipient %d: wrong content", alg, i)
			}
		}
	}
}

// TestFetchThenDecryptingCopy: a fetch without an image digest is allowed
// only when the same sequence later copies the fetched component into
// another while decrypting with an AEAD algorithm (the draft's flow, where
// the tag authenticates what is installed). With AES-CTR, or with no
// decrypting copy after it, the fetch is refused before anything is
// fetched, and the target keeps its content.
func TestFetchThenDecryptingCopy(t *testing.T) {
	k := newTestKey(t)
	plain := firmware(4, 2000)
	kek := bytes.Repeat([]byte{6}, 16)
	mk := func(alg encryption.Algorithm, withCopy bool) []byte {
		ct, info, err := encryption.Encrypt(plain, &encryption.EncryptOptions{Alg: alg, Recipients: []encryption.To{{KEK: kek}}})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := info.Encode()
		install := []suit.Command{index(1), override(suit.ParamText(suit.ParamURI, "#ct")), cmd(suit.DirectiveFetch), index(0)}
		ps := []suit.Parameter{suit.ParamBytes(suit.ParamEncryptionInfo, raw), suit.ParamUint(suit.ParamSourceComponent, 1)}
		if !alg.IsAEAD() {
			ps = append([]suit.Parameter{pDigest(t, plain)}, ps...)
		}
		install = append(install, override(ps...))
		if withCopy {
			install = append(install, cmd(suit.DirectiveCopy))
		}
		m := &suit.Manifest{Version: 1, SequenceNumber: 1,
			Common:  &suit.Common{Components: []suit.ComponentID{comp0, comp1}, SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...)},
			Install: &suit.SeverableSequence{Sequence: seq(install...)}}
		return seal(t, k, m, map[string][]byte{"#ct": ct})
	}
	for _, c := range []struct {
		name     string
		alg      encryption.Algorithm
		withCopy bool
		ok       bool
	}{
		{"AEAD copy after the fetch", encryption.A128GCM, true, true},
		{"ChaCha20/Poly1305 copy after the fetch", encryption.ChaCha20Poly1305, true, true},
		{"CTR copy after the fetch", encryption.A128CTR, true, false},
		{"no copy after the fetch", encryption.A128GCM, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			flash := testdevice.New()
			flash.Set(comp0, []byte("old image"))
			d := newDevice(t, flash, k, process.Platform{DecryptionKeys: []encryption.RecipientKey{&encryption.KEK{Key: kek}}}, nil)
			rep, err := d.install(mk(c.alg, c.withCopy))
			got, _ := flash.Get(comp0)
			if c.ok {
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("%v\n%s", err, rep)
				}
				return
			}
			if !errors.Is(err, process.ErrUnauthenticatedContent) {
				t.Fatalf("err = %v, want ErrUnauthenticatedContent", err)
			}
			if string(got) != "old image" {
				t.Fatal("target changed")
			}
			if _, fetched := flash.Get(comp1); fetched {
				t.Fatal("the ciphertext was fetched although refused")
			}
		})
	}
}
