package sign

import (
	"bytes"
	"fmt"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// Envelope signs env in place: it makes sure the authentication wrapper
// holds the digest of the manifest env carries, then appends one
// authentication block per signer (COSE_Sign1 or COSE_Mac0), in order.
//
// If env has no authentication wrapper, one is created with the SHA-256
// digest of the manifest bstr. If it has one, its SUIT_Digest is decoded and
// recomputed over suit.BstrItem(env.ManifestBytes) first (the TOCTOU rule:
// a signer verifies the digest before signing); a mismatch or an
// unsupported digest algorithm gives [suit.ErrDigestMismatch] and env is left
// unchanged. Existing blocks are kept. When env.ManifestBytes is nil and
// env.Manifest is set (an envelope built in code), ManifestBytes is set to
// env.Manifest.Encode().
//
// Envelope does not interpret the manifest; callers that got env from
// suit.Parse should decode it first (or use [SignBytes], which runs
// suit.Decode and so also checks severed elements against their digests)
// to avoid signing a manifest no device would accept.
func Authenticate(env *suit.Envelope, signers ...*Signer) error {
	return addBlocks(env, signers, false)
}

// EnvelopeMulti is like [Authenticate] but appends a single COSE_Sign block
// (tag 98) with one signature per signer.
func AuthenticateMulti(env *suit.Envelope, signers ...*Signer) error {
	return addBlocks(env, signers, true)
}

// SignBytes decodes an envelope with [suit.Decode] (so a manifest that does
// not decode strictly is never signed), signs it with [Authenticate] and
// returns the encoding. data is not modified.
func SignBytes(data []byte, signers ...*Signer) ([]byte, error) {
	env, err := suit.Decode(bytes.Clone(data), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	if err := Authenticate(env, signers...); err != nil {
		return nil, err
	}
	return env.Encode()
}

func addBlocks(env *suit.Envelope, signers []*Signer, multi bool) error {
	if len(signers) == 0 {
		return fmt.Errorf("%w: no signers", keys.ErrKey)
	}
	for _, s := range signers {
		if s == nil {
			return keyErr("crypto.Signer", "nil Signer", nil)
		}
	}
	payload, auth, err := checkedDigest(env)
	if err != nil {
		return err
	}
	var blocks [][]byte
	if multi {
		b, err := MultiBlock(payload, signers...)
		if err != nil {
			return err
		}
		blocks = append(blocks, b)
	} else {
		for _, s := range signers {
			b, err := s.Block(payload)
			if err != nil {
				return err
			}
			blocks = append(blocks, b)
		}
	}
	auth.Blocks = append(auth.Blocks, blocks...)
	env.Authentication = auth
	return nil
}

// checkedDigest returns the encoded SUIT_Digest to sign and the
// authentication wrapper to extend, after recomputing the digest over the
// manifest bstr. env is not modified; the returned wrapper is a copy.
func checkedDigest(env *suit.Envelope) ([]byte, *suit.Authentication, error) {
	if env == nil {
		return nil, nil, fmt.Errorf("%w: nil envelope", ErrEnvelope)
	}
	if env.BareManifest {
		return nil, nil, fmt.Errorf("%w: a bare tagged manifest (1070) has no authentication wrapper; wrap it in an envelope first", ErrEnvelope)
	}
	mb := env.ManifestBytes
	if mb == nil {
		if env.Manifest == nil {
			return nil, nil, fmt.Errorf("%w: envelope has no manifest", ErrEnvelope)
		}
		var err error
		if mb, err = env.Manifest.Encode(); err != nil {
			return nil, nil, fmt.Errorf("%w: encoding manifest: %w", ErrEnvelope, err)
		}
		env.ManifestBytes = mb
	}
	item := suit.BstrItem(mb)
	if env.Authentication == nil {
		d, err := suit.ComputeDigest(suit.AlgSHA256, item)
		if err != nil {
			return nil, nil, err
		}
		db, err := d.Encode()
		if err != nil {
			return nil, nil, err
		}
		return db, &suit.Authentication{DigestBytes: db, Digest: d}, nil
	}
	old := env.Authentication
	db := old.DigestBytes
	if db == nil {
		var err error
		if db, err = old.Digest.Encode(); err != nil {
			return nil, nil, fmt.Errorf("%w: authentication wrapper digest: %w", suit.ErrDigestMismatch, err)
		}
	}
	// Decode exactly the bytes that will be signed, not the struct field.
	d, err := suit.DecodeDigest(db, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: authentication wrapper digest does not decode: %w", suit.ErrDigestMismatch, err)
	}
	if suit.DigestSize(d.Algorithm) == 0 {
		return nil, nil, &DigestMismatchError{Algorithm: d.Algorithm, Got: d.Value}
	}
	if !d.Matches(item) {
		want, _ := suit.ComputeDigest(d.Algorithm, item)
		return nil, nil, &DigestMismatchError{Algorithm: d.Algorithm, Want: want.Value, Got: d.Value}
	}
	auth := &suit.Authentication{DigestBytes: bytes.Clone(db), Digest: d}
	auth.Blocks = append(auth.Blocks, old.Blocks...)
	return db, auth, nil
}
