package verify

import (
	"errors"
	"math"
	"math/bits"

	"github.com/suitkit/suitkit/suit"
)

// maxWalkDepth bounds the nesting mayWrite follows; deeper nesting (which
// the processor refuses anyway) counts as writing every component.
const maxWalkDepth = 64

// mayWrite returns the components of the manifest that some run of its
// command sequences could write (fetch, copy, write, apply-delta, unlink:
// the components the index may select there; swap: every component, since
// its second component is a parameter). It over-approximates on purpose:
// every alternative of a try-each counts, and a sequence that is severed
// and absent, nesting deeper than maxWalkDepth, or a manifest with more
// than 64 components counts as writing everything. The processor checks
// exactly what it writes, under the device lock; this set is what Verify
// can check before any command runs. It reads the validated sequences
// straight from their bytes (suit.CommandReader) and shares the outline's
// component identifiers.
func mayWrite(o suit.Outline) []suit.ComponentID {
	comps := o.Components()
	n := len(comps)
	if n == 0 {
		return nil
	}
	w := &writeWalk{every: ^uint64(0)}
	if n > 64 {
		return comps
	}
	if n < 64 {
		w.every = 1<<n - 1
	}
	for _, key := range [...]int64{suit.ManifestDependencyResolution, suit.ManifestPayloadFetch, suit.ManifestCandidateVerification, suit.ManifestInstall} {
		switch raw, missing := o.Sequence(key); {
		case missing:
			w.written = w.every
		case raw != nil:
			w.walk(raw, w.every, 0)
		}
	}
	if s := o.Shared(); s != nil {
		w.walk(s, w.every, 0)
	}
	for _, key := range [...]int64{suit.ManifestValidate, suit.ManifestLoad, suit.ManifestInvoke, suit.ManifestUninstall} {
		if s, _ := o.Sequence(key); s != nil {
			w.walk(s, w.every, 0)
		}
	}
	if w.written == 0 {
		return nil
	}
	out := make([]suit.ComponentID, 0, bits.OnesCount64(w.written))
	for i := range comps {
		if w.written&(1<<i) != 0 {
			out = append(out, comps[i])
		}
	}
	return out
}

// writeWalk holds sets of component indices as bit masks.
type writeWalk struct {
	every, written uint64
}

// walk follows the encoded sequence seq with cur, the set of components
// the current index may select, and returns the set it may select
// afterwards.
func (w *writeWalk) walk(seq []byte, cur uint64, depth int) uint64 {
	if depth > maxWalkDepth {
		w.written = w.every
		return w.every
	}
	r := suit.NewCommandReader(seq)
	for c, ok := r.Next(); ok; c, ok = r.Next() {
		switch c.ID {
		case suit.DirectiveSetComponentIndex:
			if c.SelectsAll() {
				cur = w.every
				break
			}
			cur = 0
			c.EachIndex(func(ix uint64) bool {
				cur |= w.bit(ix)
				return true
			})
		case suit.DirectiveTryEach:
			out := cur // a trailing nil, or a soft failure, keeps cur
			c.EachSequence(func(alt []byte) bool {
				out |= w.walk(alt, cur, depth+1)
				return true
			})
			cur = out
		case suit.DirectiveRunSequence:
			c.EachSequence(func(s []byte) bool {
				cur |= w.walk(s, cur, depth+1)
				return true
			})
		case suit.DirectiveFetch, suit.DirectiveCopy, suit.DirectiveWrite, suit.DirectiveApplyDelta, suit.DirectiveUnlink:
			w.written |= cur
		case suit.DirectiveSwap:
			w.written = w.every
		}
	}
	return cur
}

// bit is the mask of component index ix, 0 when out of range.
func (w *writeWalk) bit(ix uint64) uint64 {
	if ix >= 64 {
		return 0
	}
	return 1 << ix & w.every
}

// MayWrite returns the components the manifest could write, as Verify
// reads its sequences (every try-each alternative counts). Verify checked
// their floors; [Verifier.Commit] raises them.
func (r *Verified) MayWrite() []suit.ComponentID {
	if r == nil {
		return nil
	}
	out := make([]suit.ComponentID, len(r.mayWrite))
	for i, c := range r.mayWrite {
		out[i] = c.Clone()
	}
	return out
}

// CheckWrite is the check a processor makes under the device lock just
// before it commits new content to components (a staged image, both sides
// of a swap, an unlink): the minimum, the scope floor and the floor of
// each component in ids, read now. It fails with a *[RollbackError] when
// a newer manifest, or another manifest with the same number, committed
// one of them; re-installing the manifest that set a floor passes.
func (r *Verified) CheckWrite(ids ...suit.ComponentID) error {
	if r == nil || r.verifier == nil {
		return nil
	}
	return r.verifier.checkFloors(r, ids)
}

// checkFloors applies the verifier's rules to r writing comps.
func (v *Verifier) checkFloors(r *Verified, comps []suit.ComponentID) error {
	return v.checkSequence(r.sequence, r, "", comps)
}

// checkSequence applies the verifier's rules to a manifest with sequence
// number seq writing comps. Its ID is r.ID() when r is not nil, else
// manifest; r.ID() is called only when a floor equals seq (it formats a
// digest).
func (v *Verifier) checkSequence(seq uint64, r *Verified, manifest string, comps []suit.ComponentID) error {
	if seq == math.MaxUint64 {
		return maxSequenceError(seq)
	}
	if v.hasMin && seq < v.minSeq {
		return &RollbackError{Stored: v.minSeq, Got: seq, Minimum: true}
	}
	if v.store == nil {
		return nil
	}
	if v.scopeFloor {
		if err := v.checkKey(ScopeFloorKey(v.scope), seq, r, manifest); err != nil {
			return err
		}
	}
	for _, c := range comps {
		if err := v.checkKey(ComponentFloorKey(v.scope, c), seq, r, manifest); err != nil {
			return err
		}
	}
	return nil
}

func (v *Verifier) checkKey(key string, seq uint64, r *Verified, manifest string) error {
	f, ok, err := v.store.Floor(key)
	if err != nil || !ok {
		return err
	}
	if r != nil && f.Sequence == seq && f.Manifest != "" && !v.strict {
		manifest = r.ID()
	}
	return compareFloor(key, f, seq, manifest, v.strict)
}

// floorKeys returns the keys of the scope floor (when kept) and of comps.
func (v *Verifier) floorKeys(comps []suit.ComponentID) []string {
	var keys []string
	if v.scopeFloor {
		keys = append(keys, ScopeFloorKey(v.scope))
	}
	for _, c := range comps {
		keys = append(keys, ComponentFloorKey(v.scope, c))
	}
	return keys
}

// Commit raises the floors for r after the update was installed and
// confirmed (see [Store]): the scope floor (Options.ScopeFloor) and the
// floor of every component r may write ([Verified.MayWrite]). A caller
// that knows exactly what was written (process.Install does) uses
// [Verifier.CommitWritten] instead.
func (v *Verifier) Commit(r *Verified) error {
	if r == nil || r.envelope == nil {
		return errors.New("verify: nil or zero result")
	}
	return v.CommitWritten(r, r.mayWrite)
}

// CommitWritten raises the scope floor (Options.ScopeFloor) and the floors
// of the components in written to r's sequence number, in one atomic
// store update. Call it only after the update was installed and confirmed.
func (v *Verifier) CommitWritten(r *Verified, written []suit.ComponentID) error {
	if v.store == nil {
		return errors.New("verify: no rollback store to commit to")
	}
	if r == nil || r.envelope == nil {
		return errors.New("verify: nil or zero result")
	}
	keys := v.floorKeys(written)
	if len(keys) == 0 {
		return nil
	}
	return v.store.Raise(keys, Floor{Sequence: r.sequence, Manifest: r.ID()})
}

// CheckRollback applies the verifier's rollback rules (maximum, minimum,
// scope floor, the floors of comps) to a manifest with sequence number
// seq and [Verified.ID] manifest ("" if not known yet) without verifying
// an envelope and without changing the store, e.g. to refuse an old
// update before downloading it. With NoRollbackCheckUnsafe and no minimum
// only the maximum is checked.
func (v *Verifier) CheckRollback(seq uint64, manifest string, comps ...suit.ComponentID) error {
	return v.checkSequence(seq, nil, manifest, comps)
}
