package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/suitkit/suitkit/hsslms/hsskey"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

func init() {
	register(&command{name: "sign", summary: "add one authentication block per key to an envelope", run: runSign})
}

// givenKey is a key given to sign, as a verifier sees it.
type givenKey struct {
	flag, name string
	id         string // public key (PEM) or secret: equal for the same key
	vk         *verify.Key
}

// addGivenKey appends k, named by flag and file name, to given; the same
// key given twice is a usage error.
func addGivenKey(given []givenKey, flag, name string, k *keys.Key) ([]givenKey, error) {
	g := givenKey{flag: flag, name: name}
	var err error
	if k.IsSymmetric() {
		g.id = "secret:" + string(k.Secret)
		g.vk, err = verify.NewMACKey(k.Secret, &verify.Binding{Name: name})
	} else {
		var pub []byte
		if pub, err = k.MarshalPublicPEM(); err == nil {
			g.id = string(pub)
			g.vk, err = verify.NewKey(k.Public, &verify.Binding{Name: name})
		}
	}
	if err != nil {
		return nil, ioErrorf("%s %s: %v", flag, name, err)
	}
	for _, o := range given {
		if o.id == g.id {
			return nil, usagef("%s %s and %s %s are the same key; each key signs once", o.flag, o.name, flag, name)
		}
	}
	return append(given, g), nil
}

func runSign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("sign", stdout, "suitkit sign --key KEY [--key KEY ...] [--mac-key SECRET ...] [--alg ALG] [--cose-sign] --in FILE --out FILE")
	var keyFiles, macKeys multiFlag
	fset.Var(&keyFiles, "key", "private key file, PEM (PKCS#8 or SEC1), COSE_Key or HSS-LMS key state; repeatable, one block per key")
	fset.Var(&macKeys, "mac-key", "HMAC-256 secret file, raw (32 to 1024 bytes) or a symmetric COSE_Key; repeatable, one COSE_Mac0 block each")
	algName := fset.String("alg", "", "signature algorithm for every --key (default: the COSE_Key's alg, else ES256/ES384/ES512 by curve, Ed25519 (-19) for Ed25519 keys)")
	adoptHSS := fset.Bool("adopt-hss-state", false, "accept an HSS-LMS key state that has no witness record on this machine (moved here deliberately; the original must never sign again)")
	profName := profileFlag(fset, "the signature (or MAC) and digest algorithms")
	coseSign := fset.Bool("cose-sign", false, "put the signatures of all --key keys in one COSE_Sign block instead of one COSE_Sign1 each")
	in := fset.String("in", "", "envelope to sign")
	out := fset.String("out", "", "signed envelope to write")
	limFlags := addDecodeLimits(fset)
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if *out == "-" {
		stdout = stderr // the data goes to standard output, the messages not
	}
	if len(pos) != 0 {
		return usagef("sign: unexpected arguments %q", pos)
	}
	if *in == "" || *out == "" {
		return usagef("sign: --in and --out are required")
	}
	if len(keyFiles) == 0 && len(macKeys) == 0 {
		return usagef("sign: at least one --key or --mac-key is required")
	}
	if *coseSign && len(keyFiles) == 0 {
		return usagef("sign: --cose-sign needs at least one signature --key")
	}
	lim, err := limFlags.limits("sign")
	if err != nil {
		return err
	}
	var alg keys.Algorithm
	if *algName != "" {
		if alg, err = keys.ParseAlgorithm(*algName); err != nil {
			return usagef("sign: %v", err)
		}
	}
	prof, err := parseProfile(*profName)
	if err != nil {
		return err
	}
	if alg == 0 && prof != nil && !prof.Auth.IsMAC() {
		alg = prof.Auth // a PEM key has no alg of its own: the profile picks ESP256, not ES256
	}
	var signers, macers []*sign.Signer
	// given are the keys of this run, to refuse a second block by a key
	// the envelope already carries one of, or a key given twice.
	var given []givenKey
	for _, name := range keyFiles {
		data, err := readKeyFile("--key", name)
		if err != nil {
			return err
		}
		var k *keys.Key
		if bytes.HasPrefix(data, []byte(hsskey.Magic)) {
			hk, err := hsskey.Open(ctx, name, &hsskey.Options{Adopt: *adoptHSS})
			switch {
			case errors.Is(err, hsskey.ErrRolledBack), errors.Is(err, hsskey.ErrNoWitness):
				return rejected(fmt.Errorf("--key %s: %w", name, err))
			case err != nil:
				return ioErrorf("--key %s: %v", name, err)
			}
			k = &keys.Key{Signer: hk, Public: hk.Public(), Algorithm: keys.HSSLMS}
		} else if k, err = keys.ParseKey(data); err != nil {
			return ioErrorf("--key %s: %v", name, keyFileError(err))
		}
		if !k.IsPrivate() {
			return ioErrorf("--key %s is a public key; signing needs the private key", name)
		}
		s, err := sign.ForKey(k, alg)
		if err != nil {
			return ioErrorf("--key %s: %v", name, err)
		}
		if s.Algorithm().IsMAC() {
			macers = append(macers, s)
		} else {
			signers = append(signers, s)
		}
		if given, err = addGivenKey(given, "--key", name, k); err != nil {
			return err
		}
	}
	for _, name := range macKeys {
		data, err := readKeyFile("--mac-key", name)
		if err != nil {
			return err
		}
		// A public or private key is not a shared secret: signing with
		// it as one would let anyone holding it forge.
		k, err := keys.ParseMACKey(data)
		if err != nil {
			return ioErrorf("--mac-key %s: %v", name, macKeyError(err))
		}
		s, err := sign.ForKey(k, keys.HMAC256)
		if err != nil {
			return ioErrorf("--mac-key %s: %v", name, err)
		}
		macers = append(macers, s)
		if given, err = addGivenKey(given, "--mac-key", name, k); err != nil {
			return err
		}
	}
	if *coseSign && len(signers) == 0 {
		return usagef("sign: --cose-sign needs at least one signature --key")
	}
	data, err := readFileMax(*in, maxEnvelope(lim))
	if err != nil {
		return err
	}
	env, err := suit.Decode(data, lim)
	if err != nil {
		return rejected(fmt.Errorf("%s: %w", *in, err))
	}
	for _, s := range append(append([]*sign.Signer(nil), signers...), macers...) {
		if err := prof.CheckAuth(s.Algorithm()); err != nil {
			return usagef("sign: %v", err)
		}
	}
	before := 0
	if env.Authentication != nil {
		before = len(env.Authentication.Blocks)
		if err := prof.CheckDigest(env.Authentication.Digest.Algorithm); err != nil {
			return rejected(fmt.Errorf("%s: %w", *in, err))
		}
	}
	if before > 0 {
		for _, g := range given {
			// A block this key verifies is a block by this key: a second
			// one adds nothing a verifier could use and makes k-of-n
			// policies count one key twice.
			v, err := verify.New([]*verify.Key{g.vk}, &verify.Options{Limits: lim, NoRollbackCheckUnsafe: true})
			if err == nil {
				if _, err := v.Verify(data); err == nil {
					return rejected(fmt.Errorf("%s already carries a block by %s %s; it is not signed twice by the same key", *in, g.flag, g.name))
				}
			}
		}
	}
	if *coseSign {
		err = sign.AuthenticateMulti(env, signers...)
		if err == nil && len(macers) > 0 {
			err = sign.Authenticate(env, macers...)
		}
	} else {
		err = sign.Authenticate(env, append(signers, macers...)...)
	}
	if err != nil {
		return rejected(err)
	}
	enc, err := env.Encode()
	if err != nil {
		return rejected(err)
	}
	if err := writeFile(ctx, *out, enc, 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed %s: %d block(s) added (%d in total), manifest digest %s, wrote %s (%d bytes)\n",
		*in, len(env.Authentication.Blocks)-before, len(env.Authentication.Blocks), env.Authentication.Digest, *out, len(enc))
	return nil
}
