package process

import (
	"errors"
	"strconv"

	"github.com/suitkit/suitkit/suit"
)

// command runs one command on component ci (set-component-index and
// override-multiple are handled by the caller).
func (r *run) command(c *suit.Command, depth int, ci uint64) error {
	if r.deps != nil && r.deps[ci] != nil {
		return r.dependencyCommand(c, depth, ci)
	}
	switch c.ID {
	// Sequencing and parameters.
	case suit.DirectiveOverrideParameters:
		return r.setParams(ci, c.Params, depth, true)
	case suit.DirectiveSetParameters:
		return r.setParams(ci, c.Params, depth, false)
	case suit.DirectiveCopyParams:
		return r.copyParams(ci, c.Copy)
	case suit.DirectiveTryEach:
		return r.tryEach(c, depth, ci)
	case suit.DirectiveRunSequence:
		return r.runSequence(c, depth, ci)

	// Conditions.
	case suit.ConditionVendorIdentifier:
		return r.checkIdentity(ci, suit.ParamVendorIdentifier, r.p.pf.Identity.VendorID, "vendor")
	case suit.ConditionClassIdentifier:
		return r.checkIdentity(ci, suit.ParamClassIdentifier, r.p.pf.Identity.ClassID, "class")
	case suit.ConditionDeviceIdentifier:
		return r.checkIdentity(ci, suit.ParamDeviceIdentifier, r.p.pf.Identity.DeviceID, "device")
	case suit.ConditionImageMatch:
		return r.imageMatch(ci, true)
	case suit.ConditionImageNotMatch:
		return r.imageMatch(ci, false)
	case suit.ConditionComponentSlot:
		return r.componentSlot(ci)
	case suit.ConditionCheckContent:
		return r.checkContent(ci)
	case suit.ConditionAbort:
		return condFail(ErrConditionFailed, "abort")
	case suit.ConditionUseBefore:
		return r.useBefore(ci)
	case suit.ConditionMinimumBattery:
		return r.minimumBattery(ci)
	case suit.ConditionVersion:
		return r.version(ci)
	case suit.ConditionUpdateAuthorized:
		return r.updateAuthorized(ci)

	// Directives.
	case suit.DirectiveFetch:
		return r.fetch(ci)
	case suit.DirectiveCopy:
		return r.copy(ci)
	case suit.DirectiveWrite:
		return r.write(ci)
	case suit.DirectiveSwap:
		return r.swap(ci)
	case suit.DirectiveUnlink:
		return r.unlink(ci)
	case suit.DirectiveInvoke:
		return r.invoke(ci)
	case suit.DirectiveApplyDelta:
		return r.applyDelta(ci)
	case suit.DirectiveWait:
		return r.wait(ci)

	// Dependency commands on a component (draft-ietf-suit-trust-domains).
	case suit.ConditionIsDependency:
		return condFail(ErrConditionFailed, "component %s is not a dependency", r.comps[ci])
	case suit.ConditionDependencyIntegrity, suit.DirectiveProcessDependency:
		return errf(ErrComponent, "%s: component index %d is not a dependency", commandName(c.ID), ci)
	}
	// A condition or directive this processor does not implement fails
	// (a condition is not a soft failure either: the manifest asks for a
	// check we cannot do).
	return errf(ErrUnsupported, "%s is not supported", commandName(c.ID))
}

// supportedParam reports whether this processor understands parameter k.
// Any other parameter makes the manifest invalid (draft-ietf-suit-manifest:
// "an unsupported parameter").
func supportedParam(k int64) bool {
	switch k {
	case suit.ParamVendorIdentifier, suit.ParamClassIdentifier, suit.ParamImageDigest,
		suit.ParamUseBefore, suit.ParamComponentSlot, suit.ParamStrictOrder,
		suit.ParamSoftFailure, suit.ParamImageSize, suit.ParamContent,
		suit.ParamURI, suit.ParamSourceComponent, suit.ParamInvokeArgs,
		suit.ParamDeviceIdentifier, suit.ParamMinimumBattery, suit.ParamUpdatePriority,
		suit.ParamVersion, suit.ParamWaitInfo, suit.ParamComponentMetadata,
		suit.ParamEncryptionInfo:
		return true
	}
	return false
}

// setParams implements override-parameters (override=true) and
// set-parameters (set only what is unset).
func (r *run) setParams(ci uint64, ps suit.Parameters, depth int, override bool) error {
	for _, p := range ps {
		if !supportedParam(p.Key) {
			return errf(ErrUnsupported, "parameter %s", paramName(p.Key))
		}
		switch p.Key {
		case suit.ParamSoftFailure:
			if depth == 0 {
				return errf(ErrManifest, "soft-failure set outside try-each and run-sequence")
			}
			v, err := p.Bool()
			if err != nil {
				return errf(ErrManifest, "%v", err)
			}
			r.soft = v
			continue
		case suit.ParamStrictOrder:
			v, err := p.Bool()
			if err != nil {
				return errf(ErrManifest, "%v", err)
			}
			r.strict = v
			continue
		}
		if _, set := r.params[ci][p.Key]; set && !override {
			continue
		}
		r.params[ci][p.Key] = p
	}
	return nil
}

// overrideMultiple implements override-multiple: override parameters on
// the listed components.
func (r *run) overrideMultiple(c *suit.Command, depth int) error {
	for _, e := range c.Multiple {
		if !r.validIndex(e.Index) {
			return errf(ErrComponent, "override-multiple: component index %d out of range", e.Index)
		}
	}
	for _, e := range c.Multiple {
		if err := r.setParams(e.Index, e.Params, depth, true); err != nil {
			return err
		}
	}
	return nil
}

// copyParams implements copy-params: copy the listed parameters of each
// source component into component ci (parameters the source lacks are
// skipped).
func (r *run) copyParams(ci uint64, entries []suit.CopyParams) error {
	for _, e := range entries {
		if !r.validIndex(e.Source) {
			return errf(ErrComponent, "copy-params: component index %d out of range", e.Source)
		}
		for _, k := range e.Keys {
			if !supportedParam(k) || k == suit.ParamSoftFailure || k == suit.ParamStrictOrder {
				return errf(ErrUnsupported, "copy-params: parameter %s", paramName(k))
			}
			if p, ok := r.params[e.Source][k]; ok {
				r.params[ci][k] = p
			}
		}
	}
	return nil
}

// tryEach runs the alternatives in order, with soft-failure true, until one
// completes. If none does, it succeeds when the argument ends with nil and
// fails as a condition otherwise.
func (r *run) tryEach(c *suit.Command, depth int, ci uint64) error {
	saved := r.soft
	defer func() { r.soft = saved }()
	var last error
	for i := range c.TryEach {
		r.soft = true
		err := r.sequence(&c.TryEach[i], depth+1, []uint64{ci})
		if err == nil {
			return nil
		}
		var ss *softStop
		if !errors.As(err, &ss) {
			return err
		}
		last = ss.err
	}
	if c.TryEachNil {
		return nil
	}
	return &conditionFailure{errf(ErrConditionFailed, "every try-each alternative failed (last: %v)", last)}
}

// runSequence runs the argument with soft-failure false unless the
// sequence sets it; under soft-failure, a failed condition only ends it.
func (r *run) runSequence(c *suit.Command, depth int, ci uint64) error {
	if c.Sequence == nil {
		return errf(ErrManifest, "run-sequence without a sequence")
	}
	saved := r.soft
	defer func() { r.soft = saved }()
	r.soft = false
	err := r.sequence(c.Sequence, depth+1, []uint64{ci})
	var ss *softStop
	if errors.As(err, &ss) {
		return nil
	}
	return err
}

// param returns a parameter of component ci.
func (r *run) param(ci uint64, key int64) (suit.Parameter, bool) {
	p, ok := r.params[ci][key]
	return p, ok
}

// uintParam returns a uint parameter; ok is false when unset.
func (r *run) uintParam(ci uint64, key int64) (uint64, bool, error) {
	p, ok := r.param(ci, key)
	if !ok {
		return 0, false, nil
	}
	v, err := p.Uint()
	if err != nil {
		return 0, true, errf(ErrManifest, "%v", err)
	}
	return v, true, nil
}

func paramName(k int64) string {
	if n := suit.ParameterName(k); n != "" {
		return n
	}
	return "parameter " + strconv.FormatInt(k, 10)
}
