package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/suitkit/suitkit/verify"
)

func init() {
	register(&command{name: "verify", summary: "check an envelope's signatures, digests and sequence number", run: runVerify})
}

func runVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("verify", stdout, "suitkit verify [--key PUB ...] [--mac-key FILE ...] [--min-sequence N] [--state FILE [--state-key FILE]] [--strict-sequence] FILE")
	var keys, macKeys multiFlag
	fset.Var(&keys, "key", "trusted public key, PEM (PKIX) or COSE_Key (a COSE_Key's alg binds the key to it); repeatable")
	fset.Var(&macKeys, "mac-key", "trusted HMAC secret: raw bytes or a symmetric COSE_Key; repeatable")
	minSeq := fset.String("min-sequence", "", "reject sequence numbers below `N`")
	state := fset.String("state", "", "existing anti-rollback state `FILE` to check against (read only, never changed)")
	strict := fset.Bool("strict-sequence", false, "with --state, reject a sequence number equal to the stored one too")
	profName := profileFlag(fset, "verification")
	stateKey := fset.String("state-key", "", "with --state, the device secret `FILE` the state file is bound with (HMAC-SHA256)")
	limFlags := addDecodeLimits(fset)
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
	if *stateKey != "" && *state == "" {
		return usagef("verify: --state-key needs --state")
	}
	if *strict && *state == "" {
		return usagef("verify: --strict-sequence needs --state")
	}
	trust, err := loadTrustKeys("verify", keys, macKeys)
	if err != nil {
		return err
	}
	lim, err := limFlags.limits("verify")
	if err != nil {
		return err
	}
	prof, err := parseProfile(*profName)
	if err != nil {
		return err
	}
	opts := &verify.Options{Limits: lim, Profile: prof}
	if *minSeq != "" {
		n, err := strconv.ParseUint(*minSeq, 10, 64)
		if err != nil {
			return usagef("verify: --min-sequence %q is not an unsigned integer", *minSeq)
		}
		opts.MinSequence = n
	}
	if *state != "" {
		if _, err := os.Stat(*state); err != nil {
			return fmt.Errorf("verify: --state: %w", err)
		}
		key, err := loadStateKey("verify", *stateKey)
		if err != nil {
			return err
		}
		store, err := verify.OpenFileStore(*state, &verify.FileStoreOptions{Key: key})
		if err != nil {
			return err
		}
		opts.Store, opts.StrictSequence = store, *strict
	} else {
		// An inspection tool without device state: only --min-sequence
		// (if given) guards against old manifests.
		opts.NoRollbackCheckUnsafe = true
	}
	v, err := verify.New(trust, opts)
	if err != nil {
		return usagef("%v", err)
	}
	data, err := readFileMax(pos[0], maxEnvelope(lim))
	if err != nil {
		return err
	}
	res, err := v.Verify(data)
	if err != nil {
		var se *verify.StoreError
		if errors.As(err, &se) {
			return err // the state, not the envelope, is at fault: exit 2
		}
		return rejected(fmt.Errorf("%s: %w", pos[0], err))
	}
	fmt.Fprintf(stdout, "manifest-digest: %s\n", hex.EncodeToString(res.Digest().Value))
	fmt.Fprintf(stdout, "sequence-number: %d\n", res.Sequence())
	fmt.Fprintf(stdout, "digest-algorithm: %d\n", res.Digest().Algorithm)
	fmt.Fprintf(stdout, "identity: %s\n", res.Identity())
	for _, k := range res.Signers() {
		fmt.Fprintf(stdout, "signed-by: %s\n", k.Name())
	}
	return nil
}
