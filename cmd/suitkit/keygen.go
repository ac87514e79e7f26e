package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
)

func init() {
	register(&command{name: "keygen", summary: "generate a signing key (ES256, ESP256, ES384, ES512, Ed25519, ML-DSA-44/65/87), an HSS-LMS key state or an HMAC-256 secret", run: runKeygen})
}

func runKeygen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("keygen", stdout, "suitkit keygen --alg ALG --out KEY [--pub PUB] [--format pem|cose] [--kid ID] [--force]\n       suitkit keygen --alg HSS-LMS --out STATE [--pub PUB] [--levels N] [--height H[,H...]] [--w W[,W...]] [--hash sha256|sha256-192|shake|shake-192]")
	algName := fset.String("alg", "", "algorithm: ES256, ESP256, ES384, ESP384, ES512, ESP512, Ed25519, EdDSA, ML-DSA-44, ML-DSA-65, ML-DSA-87, HSS-LMS or HMAC-256")
	out := fset.String("out", "", "private key (or HMAC secret, or HSS-LMS key state) file to write, mode 0600")
	pub := fset.String("pub", "", "also write the public key to this file")
	format := fset.String("format", "pem", "key file format: pem (PKCS#8 private, PKIX public; HMAC: raw 32 bytes) or cose (COSE_Key)")
	kid := fset.String("kid", "", "key id to store in a COSE_Key (--format cose only)")
	force := fset.Bool("force", false, "overwrite existing key files")
	hss := hssFlags{
		levels: fset.Int("levels", 2, "HSS-LMS: number of tree levels (1 to 8)"),
		height: fset.String("height", "10", "HSS-LMS: tree height per level, 5, 10, 15, 20 or 25; one value or a comma-separated list, top first"),
		w:      fset.String("w", "4", "HSS-LMS: Winternitz parameter per level, 1, 2, 4 or 8; one value or a list"),
		hash:   fset.String("hash", "sha256", "HSS-LMS: hash, sha256, sha256-192, shake or shake-192 (SP 800-208)"),
	}
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if *out == "-" {
		stdout = stderr // the data goes to standard output, the messages not
	}
	if len(pos) != 0 {
		return usagef("keygen: unexpected arguments %q", pos)
	}
	if *algName == "" || *out == "" {
		return usagef("keygen: --alg and --out are required")
	}
	alg, err := keys.ParseAlgorithm(*algName)
	if err != nil {
		return usagef("keygen: %v", err)
	}
	if !slices.Contains(sign.Algorithms(), alg) {
		return usagef("keygen: %v", &keys.AlgorithmError{Algorithm: alg, Reason: "suitkit verifies it but does not sign with it"})
	}
	f := strings.ToLower(*format)
	if f != "pem" && f != "cose" {
		return usagef("keygen: --format must be pem or cose")
	}
	if *kid != "" && f != "cose" {
		return usagef("keygen: --kid needs --format cose (PEM has no key id)")
	}
	if alg.IsMAC() && *pub != "" {
		return usagef("keygen: an HMAC secret has no public key; share the secret file itself")
	}
	if *pub != "" && filepath.Clean(*pub) == filepath.Clean(*out) {
		return usagef("keygen: --pub and --out name the same file")
	}
	if alg.IsHSSLMS() {
		return keygenHSS(ctx, hss, *out, *pub, f, []byte(*kid), *force, stdout, stderr)
	}
	key, err := keys.GenerateKey(alg)
	if err != nil {
		return err
	}
	if *kid != "" {
		key.KeyID = []byte(*kid)
	}
	var priv, public []byte
	switch {
	case f == "cose":
		if priv, err = key.MarshalCOSEKey(); err == nil && *pub != "" {
			var po *keys.Key
			if po, err = key.PublicOnly(); err == nil {
				public, err = po.MarshalCOSEKey()
			}
		}
	case alg.IsMAC():
		priv = key.Secret
	default:
		if priv, err = key.MarshalPEM(); err == nil && *pub != "" {
			public, err = key.MarshalPublicPEM()
		}
	}
	if err != nil {
		return err
	}
	if err := writeFile(ctx, *out, priv, 0o600, *force); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s key %s (%s)\n", alg, *out, keygenDescribe(f, alg, true))
	if *pub != "" {
		if err := writeFile(ctx, *pub, public, 0o644, *force); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote public key %s (%s)\n", *pub, keygenDescribe(f, alg, false))
	}
	return nil
}

func keygenDescribe(format string, alg keys.Algorithm, private bool) string {
	switch {
	case format == "cose":
		return "COSE_Key"
	case alg.IsMAC():
		return "raw secret, 32 bytes"
	case private:
		return "PEM PKCS#8"
	}
	return "PEM PKIX"
}
