package main

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/keys"
)

func init() {
	register(&command{name: "encrypt", summary: "encrypt a payload for recipients (firmware encryption) and write its encryption info", run: runEncrypt})
}

// maxEncryptInput caps the payload encrypt reads (it encrypts in memory).
const maxEncryptInput = 1 << 30

func runEncrypt(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("encrypt", stdout, "suitkit encrypt [--alg ALG] [--kek [KID=]FILE ...] [--recipient [KID=]PUBKEY ...] [--key-alg ALG] --out FILE --info FILE INPUT",
		"Encrypts INPUT (a firmware image or a delta patch) under a fresh content key and IV (draft-ietf-suit-firmware-encryption), wraps the key for every recipient and writes the ciphertext to --out and the COSE_Encrypt for suit-parameter-encryption-info to --info. A recipient is a device group sharing a key-encryption key (--kek: 16, 24 or 32 raw bytes or a symmetric COSE_Key; AES-KW) or a device's ECDH public key (--recipient: PEM or COSE_Key, P-256 or X25519; ECDH-ES + AES-KW). KID= sets the recipient's kid.",
		"Content algorithms: A128GCM (default), A256GCM, ChaCha20/Poly1305, A128CTR, A256CTR. AES-CTR has no integrity protection: the manifest must check the image digest.",
		"Exit status: 0 written, 2 usage, key or I/O error.")
	algName := fs.String("alg", "A128GCM", "content-encryption `ALG`")
	keyAlgName := fs.String("key-alg", "ECDH-ES+A128KW", "key distribution for --recipient keys: ECDH-ES+A128KW or ECDH-ES+A256KW")
	var keks, recipients multiFlag
	fs.Var(&keks, "kek", "pre-shared key-encryption key `[KID=]FILE`; repeatable")
	fs.Var(&recipients, "recipient", "device ECDH public key `[KID=]FILE`; repeatable")
	out := fs.String("out", "", "ciphertext output `FILE`")
	infoOut := fs.String("info", "", "encryption info output `FILE` (CBOR)")
	profName := profileFlag(fs, "the content and key-distribution algorithms (and default to them)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one INPUT, got %d arguments", len(pos))
	}
	if *out == "" || *infoOut == "" {
		return usagef("--out FILE and --info FILE are required")
	}
	if len(keks)+len(recipients) == 0 {
		return usagef("at least one --kek or --recipient is required")
	}
	prof, err := parseProfile(*profName)
	if err != nil {
		return err
	}
	if prof != nil && !flagSet(fs, "alg") {
		*algName = encryption.Algorithm(prof.Encryption).String()
	}
	if prof != nil && !flagSet(fs, "key-alg") && encryption.Algorithm(prof.KeyExchange).IsECDH() {
		*keyAlgName = encryption.Algorithm(prof.KeyExchange).String()
	}
	alg, err := encryption.ParseAlgorithm(*algName)
	if err != nil || !alg.IsContent() {
		return usagef("--alg %q is not a content-encryption algorithm (A128GCM, A256GCM, ChaCha20/Poly1305, A128CTR, A256CTR)", *algName)
	}
	keyAlg, err := encryption.ParseAlgorithm(*keyAlgName)
	if err != nil || !keyAlg.IsECDH() {
		return usagef("--key-alg %q is not ECDH-ES+A128KW or ECDH-ES+A256KW", *keyAlgName)
	}
	opts := &encryption.EncryptOptions{Alg: alg}
	for _, spec := range keks {
		kid, path := splitKID(spec)
		kek, err := loadKEK(path)
		if err != nil {
			return err
		}
		opts.Recipients = append(opts.Recipients, encryption.To{KEK: kek, KeyID: kid})
	}
	for _, spec := range recipients {
		kid, path := splitKID(spec)
		pub, err := loadECDHPublic(path)
		if err != nil {
			return err
		}
		opts.Recipients = append(opts.Recipients, encryption.To{Public: pub, Alg: keyAlg, KeyID: kid})
	}
	plain, err := readFileMax(pos[0], maxEncryptInput)
	if err != nil {
		return err
	}
	ct, info, err := encryption.Encrypt(plain, opts)
	if err != nil {
		return ioErrorf("%s: %w", pos[0], err)
	}
	if err := prof.CheckEncryption(int64(info.Alg)); err != nil {
		return usagef("%v", err)
	}
	for _, r := range info.Recipients {
		if err := prof.CheckKeyExchange(int64(r.Alg)); err != nil {
			return usagef("%v (the key-encryption key's size or --key-alg chooses it)", err)
		}
	}
	infoBytes, err := info.Encode()
	if err != nil {
		return ioErrorf("%s: %w", pos[0], err)
	}
	if err := writeFile(ctx, *out, ct, 0o644, true); err != nil {
		return err
	}
	if err := writeFile(ctx, *infoOut, infoBytes, 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "encrypted %d bytes with %s for %d recipient(s): %s (%d bytes), encryption info %s (%d bytes)\n",
		len(plain), alg, len(opts.Recipients), *out, len(ct), *infoOut, len(infoBytes))
	return nil
}

// splitKID splits "KID=FILE" into its kid and path; a spec without "="
// has no kid.
func splitKID(spec string) ([]byte, string) {
	if kid, path, ok := strings.Cut(spec, "="); ok && kid != "" {
		return []byte(kid), path
	}
	return nil, spec
}

// loadKEK reads a key-encryption key: a symmetric COSE_Key or the raw
// bytes of the file, 16, 24 or 32 of them.
func loadKEK(path string) ([]byte, error) {
	data, err := readFileMax(path, keys.MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	if k, err := keys.ParseCOSEKey(data); err == nil && k.Secret != nil {
		data = k.Secret
	}
	switch len(data) {
	case 16, 24, 32:
		return data, nil
	}
	return nil, ioErrorf("%s: a key-encryption key is 16, 24 or 32 bytes (raw, or a symmetric COSE_Key), not %d", path, len(data))
}

// loadECDHPublic reads a recipient's ECDH public key: PEM or COSE_Key on
// P-256, or a PEM X25519 key.
func loadECDHPublic(path string) (*ecdh.PublicKey, error) {
	data, err := readFileMax(path, keys.MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	if k, err := keys.ParsePublicKey(data); err == nil {
		if ec, ok := k.Public.(*ecdsa.PublicKey); ok {
			if pub, err := ec.ECDH(); err == nil && pub.Curve() == ecdh.P256() {
				return pub, nil
			}
		}
		return nil, ioErrorf("%s: not a P-256 or X25519 public key", path)
	}
	if b, _ := pem.Decode(data); b != nil && b.Type == "PUBLIC KEY" {
		if pk, err := x509.ParsePKIXPublicKey(b.Bytes); err == nil {
			if pub, ok := pk.(*ecdh.PublicKey); ok && pub.Curve() == ecdh.X25519() {
				return pub, nil
			}
		}
	}
	return nil, ioErrorf("%s: not a P-256 or X25519 public key (PEM or COSE_Key)", path)
}

// loadDecryptKeys reads the device's decryption keys for process
// --decrypt-key: an ECDH private key (PEM or COSE_Key, on P-256 or X25519)
// or a key-encryption key (raw 16, 24 or 32 bytes, or a symmetric
// COSE_Key). A COSE_Key's kid becomes the key's kid. A COSE_Key that
// package keys refuses (an X25519 d that is not 32 bytes, an x that d does
// not derive, no d) is reported with the reason.
func loadDecryptKeys(paths []string) ([]encryption.RecipientKey, error) {
	var out []encryption.RecipientKey
	for _, path := range paths {
		data, err := readFileMax(path, keys.MaxKeyFileSize)
		if err != nil {
			return nil, err
		}
		k, err := keys.ParseKey(data)
		switch {
		case err == nil && k.Agreement != nil:
			out = append(out, &encryption.ECDHKey{Private: k.Agreement, KeyID: k.KeyID})
			continue
		case err == nil && k.Signer != nil:
			ec, ok := k.Signer.(*ecdsa.PrivateKey)
			if !ok {
				return nil, ioErrorf("--decrypt-key %s: not a P-256 or X25519 private key", path)
			}
			priv, err := ec.ECDH()
			if err != nil || priv.Curve() != ecdh.P256() {
				return nil, ioErrorf("--decrypt-key %s: ECDH-ES needs a P-256 or X25519 key", path)
			}
			out = append(out, &encryption.ECDHKey{Private: priv, KeyID: k.KeyID})
			continue
		case err == nil && k.IsSymmetric():
			if n := len(k.Secret); n != 16 && n != 24 && n != 32 {
				return nil, ioErrorf("--decrypt-key %s: a key-encryption key is 16, 24 or 32 bytes, not %d", path, n)
			}
			out = append(out, &encryption.KEK{Key: k.Secret, KeyID: k.KeyID})
			continue
		case err == nil:
			return nil, ioErrorf("--decrypt-key %s: a public key cannot decrypt", path)
		}
		if b, _ := pem.Decode(data); b != nil {
			if pk, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
				if priv, ok := pk.(*ecdh.PrivateKey); ok && priv.Curve() == ecdh.X25519() {
					out = append(out, &encryption.ECDHKey{Private: priv})
					continue
				}
			}
			return nil, ioErrorf("--decrypt-key %s: not a P-256 or X25519 private key", path)
		}
		if !errors.Is(err, keys.ErrKeyType) {
			// A COSE_Key, but a bad one: say why.
			return nil, ioErrorf("--decrypt-key %s: %v", path, err)
		}
		switch len(data) {
		case 16, 24, 32:
			out = append(out, &encryption.KEK{Key: data})
			continue
		}
		return nil, ioErrorf("--decrypt-key %s: not a private key (PEM, COSE_Key) or a 16, 24 or 32-byte key-encryption key", path)
	}
	return out, nil
}
