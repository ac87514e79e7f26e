package process

import (
	"context"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// This file implements the commands of draft-ietf-suit-update-management
// that need a platform decision: update-authorized, wait, and the use-before
// check the Update procedure makes before it runs anything.

// updateAuthorized implements update-authorized: ask the Authorizer, with
// update-priority when the manifest sets it.
func (r *run) updateAuthorized(ci uint64) error {
	if r.p.pf.Authorizer == nil {
		return errf(ErrUnsupported, "update-authorized: the device has no authorizer")
	}
	var prio *int64
	if p, ok := r.param(ci, suit.ParamUpdatePriority); ok {
		v, err := p.Int()
		if err != nil {
			return errf(ErrManifest, "update-priority: %v", err)
		}
		prio = &v
	}
	ok, err := r.p.pf.Authorizer.Authorize(r.ctx, r.comps[ci], prio)
	switch {
	case err != nil && (errors.Is(err, ErrDeferred) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return &conditionFailure{wrapErr(ErrDeferred, err, "update-authorized")}
	case err != nil:
		return wrapErr(ErrOperation, err, "update-authorized")
	case !ok:
		return condFail(ErrConditionFailed, "update not authorized")
	}
	return nil
}

// wait implements wait: the Waiter waits for the events of wait-info, is
// satisfied at once, or refuses (deferred).
func (r *run) wait(ci uint64) error {
	p, ok := r.param(ci, suit.ParamWaitInfo)
	if !ok {
		return errf(ErrParameterUnset, "wait: wait-info parameter not set")
	}
	info, err := p.WaitInfo()
	if err != nil {
		return errf(ErrManifest, "wait-info: %v", err)
	}
	if r.p.pf.Waiter == nil {
		return errf(ErrUnsupported, "wait: the device has no waiter")
	}
	err = r.p.pf.Waiter.Wait(r.ctx, r.comps[ci], info)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrDeferred) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return wrapErr(ErrDeferred, err, "wait")
	case errors.Is(err, ErrUnsupported):
		return wrapErr(ErrUnsupported, err, "wait")
	}
	return wrapErr(ErrOperation, err, "wait")
}

// checkExpiry implements "an expired use-before aborts before anything is
// written": suit-parameter-use-before is the manifest's expiry date
// (draft-ietf-suit-update-management), so before the Update procedure
// runs any command it looks for every use-before value the manifest sets
// (in the shared sequence and every section of the procedure, nested
// sequences and override-multiple included) and refuses the manifest when
// the earliest is not in the future, or when the device has no clock to
// tell. The condition use-before is still checked where the manifest puts
// it.
func (r *run) checkExpiry() error {
	limit, found := uint64(0), false
	visit := func(ps suit.Parameters) {
		if p, ok := ps.Get(suit.ParamUseBefore); ok {
			if v, err := p.Uint(); err == nil && (!found || v < limit) {
				limit, found = v, true
			}
		}
	}
	var walk func(seq *suit.CommandSequence, depth int)
	walk = func(seq *suit.CommandSequence, depth int) {
		if seq == nil || depth > r.p.lim.MaxDepth {
			return
		}
		for i := range seq.Commands {
			c := &seq.Commands[i]
			visit(c.Params)
			for _, m := range c.Multiple {
				visit(m.Params)
			}
			for j := range c.TryEach {
				walk(&c.TryEach[j], depth+1)
			}
			walk(c.Sequence, depth+1)
		}
	}
	walk(r.m.Common.SharedSequence, 0)
	for _, key := range updateProcedure.sections(false) {
		if seq, err := r.sequenceFor(key); err == nil {
			walk(seq, 0)
		}
	}
	if !found {
		return nil
	}
	if r.p.pf.Clock == nil {
		return &conditionFailure{fmt.Errorf("%w: %w: the manifest sets use-before %d and the device has no clock", ErrExpired, ErrConditionFailed, limit)}
	}
	now := r.p.pf.Clock().Unix()
	if now < 0 || uint64(now) >= limit {
		return &conditionFailure{fmt.Errorf("%w: %w: use before %d, now %d", ErrExpired, ErrConditionFailed, limit, now)}
	}
	return nil
}

// stageFor opens a staging area for ci, through MetadataStorage when the
// manifest sets component-metadata for it.
func (r *run) stageFor(ci uint64) (Staging, error) {
	p, ok := r.param(ci, suit.ParamComponentMetadata)
	if !ok {
		return r.p.pf.Storage.Stage(r.comps[ci])
	}
	md, err := p.ComponentMetadata()
	if err != nil {
		return nil, errf(ErrManifest, "component-metadata: %v", err)
	}
	ms, ok := r.p.pf.Storage.(MetadataStorage)
	if !ok {
		return nil, errf(ErrUnsupported, "component-metadata: the device storage cannot apply file metadata")
	}
	r.measure(p)
	return ms.StageWithMetadata(r.comps[ci], md)
}

// measure records a value the device measured while running the current
// command (its actual vendor identifier, battery, version, ...), for the
// system-property claims of a report (reporting policy bits
// suit-send-sysinfo-success and -failure).
func (r *run) measure(p suit.Parameter) {
	r.measured = append(r.measured, p)
}

// consumedParams lists the parameters each command reads: what a
// SUIT_Record of the command carries as its properties (reporting policy
// bits suit-send-record-on-success and -failure), so that a server can see
// the values the decision was made on.
func consumedParams(cmd int64) []int64 {
	switch cmd {
	case suit.ConditionVendorIdentifier:
		return []int64{suit.ParamVendorIdentifier}
	case suit.ConditionClassIdentifier:
		return []int64{suit.ParamClassIdentifier}
	case suit.ConditionDeviceIdentifier:
		return []int64{suit.ParamDeviceIdentifier}
	case suit.ConditionImageMatch, suit.ConditionImageNotMatch:
		return []int64{suit.ParamImageDigest, suit.ParamImageSize}
	case suit.ConditionComponentSlot:
		return []int64{suit.ParamComponentSlot}
	case suit.ConditionUseBefore:
		return []int64{suit.ParamUseBefore}
	case suit.ConditionMinimumBattery:
		return []int64{suit.ParamMinimumBattery}
	case suit.ConditionUpdateAuthorized:
		return []int64{suit.ParamUpdatePriority}
	case suit.ConditionVersion:
		return []int64{suit.ParamVersion}
	case suit.DirectiveWait:
		return []int64{suit.ParamWaitInfo}
	case suit.DirectiveFetch:
		return []int64{suit.ParamURI, suit.ParamImageDigest, suit.ParamImageSize}
	case suit.DirectiveCopy, suit.DirectiveSwap, suit.DirectiveApplyDelta:
		return []int64{suit.ParamSourceComponent, suit.ParamImageDigest, suit.ParamImageSize}
	case suit.DirectiveWrite:
		return []int64{suit.ParamImageDigest, suit.ParamImageSize}
	case suit.DirectiveInvoke:
		return []int64{suit.ParamInvokeArgs}
	}
	return nil
}

// consumed returns the parameters command cmd read on component ci, as
// they are set now.
func (r *run) consumed(cmd int64, ci uint64) suit.Parameters {
	keys := consumedParams(cmd)
	if len(keys) == 0 || ci >= uint64(len(r.params)) {
		return nil
	}
	var out suit.Parameters
	for _, k := range keys {
		if p, ok := r.params[ci][k]; ok {
			out = append(out, p)
		}
	}
	return out
}
