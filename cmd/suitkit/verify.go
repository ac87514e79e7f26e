package main

import (
	"context"
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
	fset := newFlagSet("verify", stdout, "suitkit verify [--key PUB ...] [--mac-key FILE ...] [--min-sequence N] [--state FILE [--state-key FILE]] [--strict-sequence] [--json] FILE",
		"FILE may be - (standard input). Prints the manifest digest, sequence number, identity and the keys that verified it; with --json one JSON object (also on rejection: {\"verified\": false, \"error\": ...}).")
	var keys, macKeys multiFlag
	fset.Var(&keys, "key", "trusted public key, PEM (PKIX) or COSE_Key (a COSE_Key's alg binds the key to it); repeatable")
	fset.Var(&macKeys, "mac-key", "trusted HMAC secret: raw bytes or a symmetric COSE_Key; repeatable")
	minSeq := fset.String("min-sequence", "", "reject sequence numbers below `N`")
	state := fset.String("state", "", "existing anti-rollback state `FILE` to check against (read only, never changed)")
	strict := fset.Bool("strict-sequence", false, "with --state, reject a sequence number equal to the stored one too")
	profName := profileFlag(fset, "verification")
	stateKey := fset.String("state-key", "", "with --state, the device secret `FILE` the state file is bound with (HMAC-SHA256)")
	asJSON := fset.Bool("json", false, "print the result as one JSON object on stdout (on rejection too)")
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
		opts.NoRollbackCheckUnsafe = opts.MinSequence == 0
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
		if *asJSON {
			writeJSON(stdout, verifyJSON{File: pos[0], Error: errorText(err)})
		}
		return rejected(fmt.Errorf("%s: %w", pos[0], err))
	}
	signers := []string{}
	for _, k := range res.Signers() {
		signers = append(signers, k.Name())
	}
	if *asJSON {
		seq := res.Sequence()
		return writeJSON(stdout, verifyJSON{File: pos[0], Verified: true, Digest: res.Digest().String(), Sequence: &seq, Identity: res.Identity(), SignedBy: signers})
	}
	fmt.Fprintf(stdout, "manifest-digest: %s\n", res.Digest())
	fmt.Fprintf(stdout, "sequence-number: %d\n", res.Sequence())
	fmt.Fprintf(stdout, "identity: %s\n", res.Identity())
	for _, s := range signers {
		fmt.Fprintf(stdout, "signed-by: %s\n", s)
	}
	return nil
}

// verifyJSON is verify --json's output.
type verifyJSON struct {
	File     string   `json:"file"`
	Verified bool     `json:"verified"`
	Digest   string   `json:"manifest-digest,omitempty"`
	Sequence *uint64  `json:"sequence-number,omitempty"`
	Identity string   `json:"identity,omitempty"`
	SignedBy []string `json:"signed-by,omitempty"`
	Error    string   `json:"error,omitempty"`
}
