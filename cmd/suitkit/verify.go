package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

func init() {
	register(&command{name: "verify", summary: "check an envelope's signatures, digests and sequence number", run: runVerify})
}

func runVerify(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("verify", stderr)
	var keys, macKeys multiFlag
	fset.Var(&keys, "key", "trusted public key, PEM (PKIX) or COSE_Key (a COSE_Key's alg binds the key to it); repeatable")
	fset.Var(&macKeys, "mac-key", "trusted HMAC secret: raw bytes or a symmetric COSE_Key; repeatable")
	minSeq := fset.String("min-sequence", "", "reject sequence numbers below `N`")
	state := fset.String("state", "", "existing anti-rollback state `FILE` to check against (read only, never changed)")
	strict := fset.Bool("strict-sequence", false, "with --state, reject a sequence number equal to the stored one too")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: suitkit verify [--key PUB ...] [--mac-key FILE ...] [--min-sequence N] [--state FILE] [--strict-sequence] FILE")
		fset.PrintDefaults()
	}
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("verify: want exactly one envelope FILE, got %d arguments", len(pos))
	}
	if len(keys) == 0 && len(macKeys) == 0 {
		return usagef("verify: at least one --key or --mac-key is required")
	}
	if *strict && *state == "" {
		return usagef("verify: --strict-sequence needs --state")
	}
	var trust []*verify.Key
	for _, name := range keys {
		k, err := verifyLoadKey(name, false)
		if err != nil {
			return usagef("verify: --key %s: %v", name, err)
		}
		trust = append(trust, k)
	}
	for _, name := range macKeys {
		k, err := verifyLoadKey(name, true)
		if err != nil {
			return usagef("verify: --mac-key %s: %v", name, err)
		}
		trust = append(trust, k)
	}
	var opts []verify.Option
	if *minSeq != "" {
		n, err := strconv.ParseUint(*minSeq, 10, 64)
		if err != nil {
			return usagef("verify: --min-sequence %q is not an unsigned integer", *minSeq)
		}
		opts = append(opts, verify.WithMinSequence(n))
	}
	if *state != "" {
		if _, err := os.Stat(*state); err != nil {
			return fmt.Errorf("verify: --state: %w", err)
		}
		store, err := verify.OpenFileStore(*state)
		if err != nil {
			return err
		}
		opts = append(opts, verify.WithRollbackStore(store))
		if *strict {
			opts = append(opts, verify.WithStrictSequence())
		}
	} else {
		// An inspection tool without device state: only --min-sequence
		// (if given) guards against old manifests.
		opts = append(opts, verify.WithoutRollbackCheckUnsafe())
	}
	v, err := verify.New(trust, opts...)
	if err != nil {
		return usagef("%v", err)
	}
	data, err := verifyReadFile(pos[0], suit.DefaultMaxEnvelopeSize)
	if err != nil {
		return err
	}
	res, err := v.Verify(data)
	if err != nil {
		var se *verify.StoreError
		if errors.As(err, &se) {
			return err // the state, not the envelope, is at fault: exit 2
		}
		return rejected(err)
	}
	fmt.Fprintf(stdout, "manifest-digest: %s\n", hex.EncodeToString(res.Digest.Value))
	fmt.Fprintf(stdout, "sequence-number: %d\n", res.Sequence)
	fmt.Fprintf(stdout, "digest-algorithm: %d\n", res.Digest.Algorithm)
	fmt.Fprintf(stdout, "identity: %s\n", res.Identity)
	for _, k := range res.Signers {
		fmt.Fprintf(stdout, "signed-by: %s\n", k.Name())
	}
	return nil
}

// verifyLoadKey reads a trust anchor. A private key file is accepted too
// (only its public half is used).
func verifyLoadKey(path string, mac bool) (*verify.Key, error) {
	data, err := verifyReadFile(path, sign.MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	k, perr := sign.ParseKey(data)
	if mac {
		if perr == nil && k.Secret != nil {
			return verify.NewMACKey(k.Secret, verify.WithName(path))
		}
		return verify.NewMACKey(data, verify.WithName(path))
	}
	if perr != nil {
		return nil, perr
	}
	if k.Secret != nil {
		return nil, errors.New("a symmetric key: pass it with --mac-key")
	}
	opts := []verify.KeyOption{verify.WithName(path)}
	if k.Algorithm != 0 {
		opts = append(opts, verify.WithAlgorithms(int64(k.Algorithm)))
	}
	return verify.NewKey(k.Public, opts...)
}

// verifyReadFile reads at most max bytes of a file; a larger file is
// rejected (exit 1), a missing or unreadable one is an I/O error (exit 2).
func verifyReadFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode()&fs.ModeType == fs.ModeDir {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, rejected(fmt.Errorf("%s: larger than %d bytes", path, max))
	}
	return b, nil
}
