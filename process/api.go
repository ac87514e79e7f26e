package process

import (
	"context"
	"fmt"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Update runs the Update procedure of a verified manifest: for each of
// payload-fetch, install and validate that the manifest has, the shared
// sequence and then that sequence. It takes verify's result so that a
// manifest cannot be processed without having been authenticated first;
// v must come from a verify.Verifier (which also checked anti-rollback).
//
// Update holds the device lock (Storage.Lock) for the whole run, waiting
// for it as long as ctx allows (ErrLocked), and checks the anti-rollback
// floors of each component just before committing new content to it
// (v.CheckWrite; ErrSuperseded). It does not raise the floors: call the
// Verifier's Commit after Update succeeds, or better use Install, which
// also keeps the lock from verification to that commit.
//
// The returned Report lists every command that ran; it is non-nil even
// when err is not.
func (p *Processor) Update(ctx context.Context, v *verify.Verified) (*Report, error) {
	return p.locked(ctx, v, updateProcedure)
}

// Invoke runs the Invoke procedure of a verified manifest: shared and
// validate, shared and load, shared and invoke. Like Update, it holds the
// device lock and checks the floors of each component before a commit.
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
	return p.runManifest(ctx, v.Envelope(), v.Manifest(), v.Digest(), proc, v.CheckWrite, v)
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
// (signature, digests, anti-rollback floors of every component the
// manifest may write), run the Update procedure (which checks the floor of
// each component again just before committing it), and only when it
// succeeded (the new image is in place and passed validate) raise the
// floors of the components it may write (verify.Verified.MayWrite: every
// try-each alternative counts, and so does a component a resumed run found
// already in place) and the scope floor if ver keeps one, to the
// manifest's sequence number. ver must have a rollback store
// (verify.Options.Store).
//
// The device lock (Storage.Lock) is held from before verification until
// after the sequence number is committed, so two concurrent Installs on
// one device run one after the other and the second is checked against
// what the first committed; Install waits for the lock as long as ctx
// allows and then fails with ErrLocked.
//
// A manifest with dependencies (draft-ietf-suit-trust-domains) is processed
// as a tree: each dependency is authenticated before any of its commands
// runs (dependency-integrity: its own signature with ver's trust anchors;
// or image-match against the digest its authenticated dependent declares),
// is checked against its own signers' component prefixes and its own
// anti-rollback floors, and its floors are raised only after the whole
// tree succeeded.
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
		identifyUnverified(rep, envelope)
		return rep, err
	}
	rep, err = p.runVerified(ctx, v, updateProcedure)
	if err != nil {
		return rep, err
	}
	// The whole tree succeeded: raise the floors of every dependency, then
	// the dependent's. Each Commit is atomic; an interruption between two
	// leaves a floor lower than it could be (the new content is in place
	// either way), never a torn one.
	for _, dv := range rep.Dependencies {
		if err := ver.Commit(dv); err != nil {
			rep.Err = wrapErr(ErrOperation, err, "commit sequence number of dependency "+dv.ID())
			return rep, rep.Err
		}
	}
	if err := ver.Commit(v); err != nil {
		rep.Err = wrapErr(ErrOperation, err, "commit sequence number")
		return rep, rep.Err
	}
	rep.Committed = true
	return rep, nil
}

// identifyUnverified fills in which manifest a refused envelope carried
// (its digest and reference URI), when the envelope decodes, so that the
// report of a rejection (an anti-rollback refusal, say) names it. These
// values are not authenticated: the server compares them with what it sent.
func identifyUnverified(rep *Report, envelope []byte) {
	e, err := suit.Decode(envelope, nil)
	if err != nil || e.Authentication == nil {
		return
	}
	rep.DigestAlg, rep.Digest = e.Authentication.Digest.Algorithm, e.Authentication.Digest.Value
	if e.Manifest != nil {
		rep.Sequence = e.Manifest.SequenceNumber
		if e.Manifest.ReferenceURI != nil {
			rep.ReferenceURI = *e.Manifest.ReferenceURI
		}
	}
}
