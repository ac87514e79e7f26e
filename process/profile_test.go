package process_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/internal/testkeys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/profile"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// profileRun is one profile's envelope and what the device needs for it.
type profileRun struct {
	p        *profile.Profile
	envelope []byte
	anchor   *verify.Key
	dec      []encryption.RecipientKey
	image    []byte
}

// buildForProfile builds, encrypts and signs an update with exactly the
// algorithms of p, with the builder restricted to p.
func buildForProfile(t *testing.T, p *profile.Profile) profileRun {
	t.Helper()
	img := bytes.Repeat([]byte("firmware for "+p.Name+". "), 300)
	to := encryption.To{Alg: encryption.Algorithm(p.KeyExchange)}
	var dec encryption.RecipientKey
	switch encryption.Algorithm(p.KeyExchange) {
	case encryption.A128KW, encryption.A256KW:
		kek := make([]byte, encryption.Algorithm(p.KeyExchange).KEKSize())
		rand.Read(kek)
		to.KEK, dec = kek, &encryption.KEK{Key: kek}
	case encryption.ECDHESA128KW:
		priv, _ := ecdh.P256().GenerateKey(rand.Reader)
		to.Public, dec = priv.PublicKey(), &encryption.ECDHKey{Private: priv}
	default:
		t.Fatalf("key exchange %d not covered", p.KeyExchange)
	}
	ct, info, err := encryption.Encrypt(img, &encryption.EncryptOptions{Alg: encryption.Algorithm(p.Encryption), Recipients: []encryption.To{to}})
	if err != nil {
		t.Fatal(err)
	}
	infoRaw, _ := info.Encode()
	b := build.New(1)
	b.Profile = p
	im := build.Image{Data: img, Integrated: "#fw", EncryptionInfo: infoRaw, Payload: ct}
	copy(im.VendorID[:], testVendor)
	copy(im.ClassID[:], testClass)
	if err := b.AddImage(im); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	var signer *sign.Signer
	var anchor *verify.Key
	if p.Auth.IsMAC() {
		secret := make([]byte, 32)
		rand.Read(secret)
		signer, _ = sign.NewMACer(secret, nil)
		anchor, _ = verify.NewMACKey(secret, nil)
	} else {
		k, err := testkeys.Generate(t, p.Auth)
		if err != nil {
			t.Fatal(err)
		}
		if signer, err = sign.ForKey(k, p.Auth); err != nil {
			t.Fatal(err)
		}
		anchor, _ = verify.NewKey(k.Public, nil)
	}
	if err := sign.Authenticate(env, signer); err != nil {
		t.Fatal(err)
	}
	out, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return profileRun{p, out, anchor, []encryption.RecipientKey{dec}, img}
}

func installUnder(t *testing.T, r profileRun, vp, pp *profile.Profile) ([]byte, error) {
	t.Helper()
	ver, err := verify.New([]*verify.Key{r.anchor}, &verify.Options{Store: verify.NewMemoryStore(), Profile: vp})
	if err != nil {
		t.Fatal(err)
	}
	st := &process.MemoryStorage{}
	proc, err := process.New(process.Platform{
		Identity:       process.Identity{VendorID: testVendor, ClassID: testClass},
		Storage:        st,
		DecryptionKeys: r.dec,
		Profile:        pp,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = proc.Install(context.Background(), ver, r.envelope)
	got, _ := st.Get(suit.ComponentID{{0x00}})
	return got, err
}

// TestEveryMTIProfileEndToEnd: for each of the six profiles of
// draft-ietf-suit-mti, an update built (builder restricted to the
// profile), encrypted and signed with exactly its algorithms verifies,
// decrypts and installs on a device restricted to it; a verifier
// restricted to a profile with another authentication algorithm, and a
// processor restricted to one with other encryption, refuse it with
// errors matching profile.ErrProfile; a builder restricted to another
// profile refuses its encryption info.
func TestEveryMTIProfileEndToEnd(t *testing.T) {
	var runs []profileRun
	for _, p := range profile.All() {
		t.Run(p.Name, func(t *testing.T) {
			r := buildForProfile(t, &p)
			got, err := installUnder(t, r, &p, &p)
			if err != nil {
				t.Fatalf("install: %v", err)
			}
			if !bytes.Equal(got, r.image) {
				t.Fatal("installed content is not the image")
			}
			runs = append(runs, r)
		})
	}
	if len(runs) != 6 {
		t.Fatalf("%d profiles ran", len(runs))
	}
	for _, r := range runs {
		for _, q := range profile.All() {
			if q.Name == r.p.Name {
				continue
			}
			switch {
			case q.Auth != r.p.Auth:
				if _, err := installUnder(t, r, &q, nil); !errors.Is(err, profile.ErrProfile) || !errors.Is(err, verify.ErrUnsupportedAlgorithm) {
					t.Errorf("%s envelope, verifier restricted to %s: %v", r.p.Name, q.Name, err)
				}
			default: // same signature, other encryption
				if _, err := installUnder(t, r, &q, &q); !errors.Is(err, profile.ErrProfile) || !errors.Is(err, process.ErrUnsupported) {
					t.Errorf("%s envelope, processor restricted to %s: %v", r.p.Name, q.Name, err)
				}
			}
		}
	}
	// The builder refuses the encryption of another profile.
	hmac, _ := profile.ByName("suit-sha256-hmac-a128kw-a128ctr")
	_, info, _ := encryption.Encrypt([]byte("x"), &encryption.EncryptOptions{Alg: encryption.A128GCM, Recipients: []encryption.To{{KEK: make([]byte, 16)}}})
	raw, _ := info.Encode()
	b := build.New(1)
	b.Profile = hmac
	if err := b.AddImage(build.Image{Data: []byte("x"), Integrated: "#fw", EncryptionInfo: raw, Payload: []byte("y")}); !errors.Is(err, profile.ErrProfile) || !errors.Is(err, build.ErrInvalid) {
		t.Errorf("builder restricted to %s with A128GCM encryption: %v", hmac.Name, err)
	}
	b2 := build.New(1)
	b2.Profile = hmac
	if err := b2.AddImage(build.Image{Data: []byte("x"), DigestAlgorithm: suit.AlgSHA512, Integrated: "#fw"}); !errors.Is(err, profile.ErrProfile) {
		t.Errorf("builder restricted to %s with a SHA-512 image digest: %v", hmac.Name, err)
	}
}
