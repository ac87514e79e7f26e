package process

import (
	"context"

	"github.com/suitkit/suitkit/verify"
)

// Update runs the Update procedure of a verified manifest: for each of
// payload-fetch, install and validate that the manifest has, the shared
// sequence and then that sequence. It takes verify's result so that a
// manifest cannot be processed without having been authenticated first;
// v must come from a verify.Verifier (which also checked anti-rollback).
//
// The returned Report lists every command that ran; it is non-nil even
// when err is not. Update does not commit the sequence number: call the
// Verifier's Commit after Update succeeds (or use Install, which does).
func (p *Processor) Update(ctx context.Context, v *verify.Verified) (*Report, error) {
	if v.Envelope() == nil || v.Manifest() == nil { // nil-safe: a nil or zero Verified holds nothing
		rep := &Report{Err: errf(ErrManifest, "no verified manifest")}
		return rep, rep.Err
	}
	return p.runManifest(ctx, v.Envelope(), v.Manifest(), v.Digest(), updateProcedure)
}

// Invoke runs the Invoke procedure of a verified manifest: shared and
// validate, shared and load, shared and invoke.
func (p *Processor) Invoke(ctx context.Context, v *verify.Verified) (*Report, error) {
	if v.Envelope() == nil || v.Manifest() == nil { // nil-safe: a nil or zero Verified holds nothing
		rep := &Report{Err: errf(ErrManifest, "no verified manifest")}
		return rep, rep.Err
	}
	return p.runManifest(ctx, v.Envelope(), v.Manifest(), v.Digest(), invokeProcedure)
}

// Install is the whole device-side update: verify the envelope with ver
// (signature, digests, anti-rollback check), run the Update procedure, and
// only when it succeeded (the new image is in place and passed validate)
// commit the sequence number to ver's rollback store. ver must have a
// rollback store (verify.Options.Store).
//
// The Report is non-nil; when verification fails it holds only the error.
func (p *Processor) Install(ctx context.Context, ver *verify.Verifier, envelope []byte) (*Report, error) {
	if ver == nil {
		rep := &Report{Err: errf(ErrManifest, "no verifier")}
		return rep, rep.Err
	}
	v, err := ver.Verify(envelope)
	if err != nil {
		rep := &Report{Err: err}
		return rep, err
	}
	rep, err := p.Update(ctx, v)
	if err != nil {
		return rep, err
	}
	if err := ver.Commit(v); err != nil {
		rep.Err = wrapErr(ErrOperation, err, "commit sequence number")
		return rep, rep.Err
	}
	rep.Committed = true
	return rep, nil
}
