package process

import (
	"context"
	"fmt"

	"github.com/suitkit/suitkit/verify"
)

// Update runs the Update procedure of a verified manifest: for each of
// payload-fetch, install and validate that the manifest has, the shared
// sequence and then that sequence. It takes verify's result so that a
// manifest cannot be processed without having been authenticated first;
// v must come from a verify.Verifier (which also checked anti-rollback).
//
// Update holds the device lock (Storage.Lock) for the whole run, waiting
// for it as long as ctx allows (ErrLocked), and repeats the anti-rollback
// check (v.Recheck) before committing any component (ErrSuperseded). It
// does not commit the sequence number: call the Verifier's Commit after
// Update succeeds, or better use Install, which also keeps the lock from
// verification to that commit.
//
// The returned Report lists every command that ran; it is non-nil even
// when err is not.
func (p *Processor) Update(ctx context.Context, v *verify.Verified) (*Report, error) {
	return p.locked(ctx, v, updateProcedure)
}

// Invoke runs the Invoke procedure of a verified manifest: shared and
// validate, shared and load, shared and invoke. Like Update, it holds the
// device lock and repeats the anti-rollback check before any commit.
func (p *Processor) Invoke(ctx context.Context, v *verify.Verified) (*Report, error) {
	return p.locked(ctx, v, invokeProcedure)
}

// locked runs a procedure of v under the device lock.
func (p *Processor) locked(ctx context.Context, v *verify.Verified, proc procedure) (*Report, error) {
	unlock, rep, err := p.lock(ctx)
	if err != nil {
		return rep, err
	}
	defer unlock()
	return p.runVerified(ctx, v, proc)
}

// runVerified runs a procedure of v; the caller holds the device lock.
func (p *Processor) runVerified(ctx context.Context, v *verify.Verified, proc procedure) (*Report, error) {
	if v.Envelope() == nil || v.Manifest() == nil { // nil-safe: a nil or zero Verified holds nothing
		rep := &Report{Err: errf(ErrManifest, "no verified manifest")}
		return rep, rep.Err
	}
	return p.runManifest(ctx, v.Envelope(), v.Manifest(), v.Digest(), proc, v.Recheck)
}

// lock takes the device lock. On failure it returns the report to hand
// back.
func (p *Processor) lock(ctx context.Context) (func(), *Report, error) {
	if p == nil || p.pf.Storage == nil {
		rep := &Report{Err: errf(ErrOperation, "processor has no storage (make it with New)")}
		return nil, rep, rep.Err
	}
	unlock, err := p.pf.Storage.Lock(ctx)
	if err != nil {
		rep := &Report{Err: fmt.Errorf("%w: %w", ErrLocked, err)}
		return nil, rep, rep.Err
	}
	return unlock, nil, nil
}

// Install is the whole device-side update: verify the envelope with ver
// (signature, digests, anti-rollback check), run the Update procedure, and
// only when it succeeded (the new image is in place and passed validate)
// commit the sequence number to ver's rollback store. ver must have a
// rollback store (verify.Options.Store).
//
// The device lock (Storage.Lock) is held from before verification until
// after the sequence number is committed, so two concurrent Installs on
// one device run one after the other and the second is checked against
// what the first committed; Install waits for the lock as long as ctx
// allows and then fails with ErrLocked.
//
// The Report is non-nil; when verification fails it holds only the error.
func (p *Processor) Install(ctx context.Context, ver *verify.Verifier, envelope []byte) (*Report, error) {
	if ver == nil {
		rep := &Report{Err: errf(ErrManifest, "no verifier")}
		return rep, rep.Err
	}
	unlock, rep, err := p.lock(ctx)
	if err != nil {
		return rep, err
	}
	defer unlock()
	v, err := ver.Verify(envelope)
	if err != nil {
		rep := &Report{Err: err}
		return rep, err
	}
	rep, err = p.runVerified(ctx, v, updateProcedure)
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
