package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/delta/differ"
	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

func init() {
	register(&command{name: "demo", summary: "run the whole update flow end to end on built-in defaults", run: runDemo})
}

// The demo device's identity: vendor UUID5(DNS, "example.com"), class
// UUID5(vendor, "demo-board-v1").
var (
	demoVendor = suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	demoClass  = suit.NewUUID5(demoVendor, []byte("demo-board-v1"))
)

// demo is one run: where it writes and what it prints. A cancelled ctx
// stops it at its next write or install.
type demo struct {
	ctx  context.Context
	dir  string
	out  io.Writer
	step int
	bad  []string
}

func (d *demo) stepf(format string, a ...any) {
	d.step++
	fmt.Fprintf(d.out, "\n[%d] %s\n", d.step, fmt.Sprintf(format, a...))
}

func (d *demo) notef(format string, a ...any) {
	fmt.Fprintf(d.out, "    %s\n", fmt.Sprintf(format, a...))
}

// demoPrivateKey is the demo's signing key file, inside its directory.
const demoPrivateKey = "keys/signing.pem"

func (d *demo) path(name string) string { return filepath.Join(d.dir, name) }

func (d *demo) write(name string, data []byte) error {
	if d.ctx.Err() != nil {
		return context.Cause(d.ctx)
	}
	if err := os.MkdirAll(filepath.Dir(d.path(name)), 0o755); err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if name == demoPrivateKey {
		perm = 0o600 // a private key is readable by its owner only
	}
	return writeFile(d.ctx, d.path(name), data, perm, true)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stdout, "suitkit demo [--dir DIR]",
		"Runs the whole update flow on built-in defaults: key, v1/v2 images, delta, sign, install, then three attacks the device must reject. Exits 0 only if every step behaved as expected.")
	dir := fs.String("dir", "", "work directory to create and keep (default: a temporary directory, removed at exit)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("demo: unexpected arguments %q", pos)
	}
	d := &demo{ctx: ctx, out: stdout}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "suitkit-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		d.dir = tmp
		fmt.Fprintf(stdout, "suitkit demo: build, sign, deliver and install firmware updates with SUIT\nwork directory: %s (removed at exit; --dir DIR keeps the files)\n", tmp)
	} else {
		if ents, err := os.ReadDir(*dir); err == nil && len(ents) > 0 {
			return usagef("demo: --dir %s is not empty", *dir)
		}
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			return err
		}
		d.dir = *dir
		fmt.Fprintf(stdout, "suitkit demo: build, sign, deliver and install firmware updates with SUIT\nwork directory: %s\n", *dir)
	}
	if err := d.run(); err != nil {
		return err
	}
	if len(d.bad) > 0 {
		return rejected(fmt.Errorf("demo: %d step(s) did not behave as expected: %q", len(d.bad), d.bad))
	}
	fmt.Fprintln(stdout, "\nall steps behaved as expected.")
	return nil
}

func (d *demo) run() error {
	// 1. Keys.
	d.stepf("build server: make a signing key (ECDSA P-256, ES256)")
	key, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		return err
	}
	priv, err := key.MarshalPEM()
	if err != nil {
		return err
	}
	pub, err := key.MarshalPublicPEM()
	if err != nil {
		return err
	}
	if err := d.write(demoPrivateKey, priv); err != nil {
		return err
	}
	if err := d.write("keys/signing.pub.pem", pub); err != nil {
		return err
	}
	d.notef("private key keys/signing.pem stays on the build server; the device trusts keys/signing.pub.pem")
	signer, err := sign.ForKey(key, keys.ES256)
	if err != nil {
		return err
	}

	// 2. Images.
	d.stepf("build server: generate firmware v1 and v2 (v2 = v1 with code changes)")
	v1 := demoFirmware(64<<10, 1)
	v2 := demoMutate(v1)
	if err := d.write("images/v1.bin", v1); err != nil {
		return err
	}
	if err := d.write("images/v2.bin", v2); err != nil {
		return err
	}
	d.notef("images/v1.bin %d bytes  sha256:%x", len(v1), sha256.Sum256(v1))
	d.notef("images/v2.bin %d bytes  sha256:%x", len(v2), sha256.Sum256(v2))

	// 3. Delta.
	d.stepf("build server: make a delta patch v1 -> v2")
	var pbuf bytes.Buffer
	if err := differ.Diff(context.Background(), v1, v2, &pbuf, nil); err != nil {
		return err
	}
	patch := pbuf.Bytes()
	if err := d.write("images/v1-to-v2.patch", patch); err != nil {
		return err
	}
	d.notef("images/v1-to-v2.patch %d bytes (%.1f%% of v2)", len(patch), 100*float64(len(patch))/float64(len(v2)))

	// 4. v1 envelope: full image.
	d.stepf("build server: build and sign the v1 envelope (full image, sequence number 1)")
	b := build.New(1)
	if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: v1, Integrated: "#firmware.bin"}); err != nil {
		return err
	}
	envV1, err := d.sealBuilt(b, signer, "v1.suit")
	if err != nil {
		return err
	}

	// 5. v2 envelope: delta, encrypted for the device.
	d.stepf("build server: build and sign the v2 envelope (delta patch encrypted for the device, sequence number 2)")
	devKey, err := keys.GenerateKey(keys.ES256) // the device's ECDH key pair (P-256)
	if err != nil {
		return err
	}
	devPriv, err := devKey.MarshalPEM()
	if err != nil {
		return err
	}
	if err := d.write("keys/device-decrypt.pem", devPriv); err != nil {
		return err
	}
	devECDH, err := devKey.Signer.(*ecdsa.PrivateKey).ECDH()
	if err != nil {
		return err
	}
	du := &build.DeltaUpdate{VendorID: demoVendor, ClassID: demoClass, Sequence: 2,
		Encrypt: &encryption.EncryptOptions{Alg: encryption.A128GCM, Recipients: []encryption.To{{Public: devECDH.PublicKey()}}}}
	env, _, err := du.Build(v1, v2)
	if err != nil {
		return err
	}
	d.notef("the patch travels encrypted (A128GCM, key wrapped with ECDH-ES+A128KW for the device's")
	d.notef("key keys/device-decrypt.pem): a CDN or an eavesdropper sees only ciphertext")
	envV2, err := d.seal(env, signer, "v2-delta.suit")
	if err != nil {
		return err
	}
	d.notef("the manifest checks the device holds exactly v1 (authenticated precursor digest) before")
	d.notef("patching, applies the patch (suitkit-directive-apply-delta, -257) into a staged copy and")
	d.notef("switches to it only if the result has v2's digest")

	// 6. Device.
	dev := deviceConfig{dir: d.path("device"), identity: process.Identity{VendorID: demoVendor.Bytes(), ClassID: demoClass.Bytes()}}
	if err := host.SaveIdentity(dev.dir, dev.identity); err != nil {
		return err
	}
	anchor, err := loadTrustKey("--key", d.path("keys/signing.pub.pem"), false)
	if err != nil {
		return err
	}
	dev.keys = []*verify.Key{anchor}
	dev.decryptKeys = []encryption.RecipientKey{&encryption.ECDHKey{Private: devECDH}}
	d.stepf("device: install v1.suit on a fresh device (device/, identity in device/device.json)")
	d.notef("same as: suitkit process --key keys/signing.pub.pem --device device v1.suit")
	d.expectOK(dev.install(d.ctx, envV1))
	d.checkImage(dev.dir, v1, "v1")

	d.stepf("device: install v2-delta.suit (decrypts the patch while fetching it)")
	d.notef("same as: suitkit process --key keys/signing.pub.pem --decrypt-key keys/device-decrypt.pem --device device v2-delta.suit")
	d.expectOK(dev.install(d.ctx, envV2))
	d.checkImage(dev.dir, v2, "v2")

	// 7. Attacks.
	d.stepf("attacker: replay the older v1.suit (a rollback to sequence number 1)")
	d.expectReject(dev, envV1, verify.ErrRollback, v2)

	d.stepf("attacker: flip one byte of the signed manifest in v2-delta.suit")
	tampered, err := demoTamper(envV2)
	if err != nil {
		return err
	}
	if err := d.write("attacks/v2-tampered.suit", tampered); err != nil {
		return err
	}
	d.expectReject(dev, tampered, suit.ErrDigestMismatch, v2)

	d.stepf("attacker: sign a new firmware (sequence number 3) with a key the device does not trust")
	evilKey, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		return err
	}
	evilSigner, err := sign.ForKey(evilKey, keys.ES256)
	if err != nil {
		return err
	}
	b3 := build.New(3)
	if err := b3.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: demoFirmware(64<<10, 666), Integrated: "#firmware.bin"}); err != nil {
		return err
	}
	evil, err := d.sealBuilt(b3, evilSigner, "attacks/unknown-key.suit")
	if err != nil {
		return err
	}
	d.expectReject(dev, evil, verify.ErrUnauthenticated, v2)
	return nil
}

func (d *demo) sealBuilt(b *build.Builder, s *sign.Signer, name string) ([]byte, error) {
	env, err := b.Build()
	if err != nil {
		return nil, err
	}
	return d.seal(env, s, name)
}

func (d *demo) seal(env *suit.Envelope, s *sign.Signer, name string) ([]byte, error) {
	if err := sign.Authenticate(env, s); err != nil {
		return nil, err
	}
	data, err := env.Encode()
	if err != nil {
		return nil, err
	}
	if err := d.write(name, data); err != nil {
		return nil, err
	}
	d.notef("%s: %d bytes", name, len(data))
	return data, nil
}

func (d *demo) expectOK(rep *process.Report, err error) {
	if rep != nil {
		for _, line := range bytes.Split(bytes.TrimSpace([]byte(rep.String())), []byte("\n")) {
			d.notef("| %s", line)
		}
	}
	if err != nil {
		d.notef("UNEXPECTED: the update failed: %v", err)
		d.bad = append(d.bad, fmt.Sprintf("step %d", d.step))
	}
}

func (d *demo) expectReject(dev deviceConfig, env []byte, want error, still []byte) {
	_, err := dev.install(d.ctx, env)
	switch {
	case err == nil:
		d.notef("UNEXPECTED: the device accepted it")
		d.bad = append(d.bad, fmt.Sprintf("step %d", d.step))
	case !errors.Is(err, want):
		d.notef("UNEXPECTED: rejected for the wrong reason: %v", err)
		d.bad = append(d.bad, fmt.Sprintf("step %d", d.step))
	default:
		d.notef("rejected as expected: %v", err)
	}
	d.checkImage(dev.dir, still, "v2")
}

func (d *demo) checkImage(dir string, want []byte, name string) {
	s, err := host.OpenDirStorage(dir)
	if err == nil {
		var p string
		if p, err = s.Path(suit.ComponentID{{0x00}}); err == nil {
			var got []byte
			if got, err = os.ReadFile(p); err == nil && bytes.Equal(got, want) {
				d.notef("device holds %s (sha256:%x)", name, sha256.Sum256(got))
				return
			}
		}
	}
	d.notef("UNEXPECTED: the device does not hold %s (%v)", name, err)
	d.bad = append(d.bad, fmt.Sprintf("step %d", d.step))
}

// demoTamper flips one byte in the middle of the envelope's manifest.
func demoTamper(data []byte) ([]byte, error) {
	env, err := suit.Parse(bytes.Clone(data), nil)
	if err != nil {
		return nil, err
	}
	mb := bytes.Clone(env.ManifestBytes)
	mb[len(mb)/2] ^= 0x01
	env.ManifestBytes = mb
	return env.Encode()
}
