package verify

import (
	"errors"
	"math"

	"github.com/suitkit/suitkit/suit"
)

// maxWalkDepth bounds the nesting mayWrite follows; deeper nesting (which
// the processor refuses anyway) counts as writing every component.
const maxWalkDepth = 64

// mayWrite returns the components of m that some run of its command
// sequences could write (fetch, copy, write, apply-delta, unlink: the
// components the index may select there; swap: every component, since its
// second component is a parameter). It over-approximates on purpose:
// every alternative of a try-each counts, and a sequence that is severed
// and absent, or nested too deeply, counts as writing everything. The
// processor checks exactly what it writes, under the device lock; this
// set is what Verify can check before any command runs.
func mayWrite(m *suit.Manifest) []suit.ComponentID {
	if m == nil || m.Common == nil {
		return nil
	}
	comps := m.Common.Components
	w := &writeWalk{n: len(comps), written: make([]bool, len(comps))}
	seqs := []*suit.CommandSequence{m.Common.SharedSequence, m.Validate, m.Load, m.Invoke}
	for _, key := range []int64{suit.ManifestPayloadFetch, suit.ManifestInstall} {
		sev, ok := m.Severable(key).(*suit.SeverableSequence)
		if !ok || sev == nil {
			continue
		}
		if sev.Sequence == nil {
			w.all()
			continue
		}
		seqs = append(seqs, sev.Sequence)
	}
	for _, s := range seqs {
		if s != nil {
			w.walk(s, w.every(), 0)
		}
	}
	var out []suit.ComponentID
	for i, yes := range w.written {
		if yes {
			out = append(out, comps[i])
		}
	}
	return out
}

type writeWalk struct {
	n       int
	written []bool
}

func (w *writeWalk) every() []bool {
	s := make([]bool, w.n)
	for i := range s {
		s[i] = true
	}
	return s
}

func (w *writeWalk) all() {
	for i := range w.written {
		w.written[i] = true
	}
}

// walk follows seq with cur, the set of components the current index may
// select, and returns the set it may select afterwards.
func (w *writeWalk) walk(seq *suit.CommandSequence, cur []bool, depth int) []bool {
	if depth > maxWalkDepth {
		w.all()
		return w.every()
	}
	for i := range seq.Commands {
		c := &seq.Commands[i]
		switch c.ID {
		case suit.DirectiveSetComponentIndex:
			cur = make([]bool, w.n)
			idx := c.Index.List
			if len(idx) == 0 {
				idx = []uint64{c.Index.Index}
			}
			if c.Index.All {
				cur, idx = w.every(), nil
			}
			for _, ix := range idx {
				if ix < uint64(w.n) {
					cur[ix] = true
				}
			}
		case suit.DirectiveTryEach:
			out := append([]bool(nil), cur...) // a trailing nil, or a soft failure, keeps cur
			for j := range c.TryEach {
				union(out, w.walk(&c.TryEach[j], append([]bool(nil), cur...), depth+1))
			}
			cur = out
		case suit.DirectiveRunSequence:
			if c.Sequence != nil {
				union(cur, w.walk(c.Sequence, append([]bool(nil), cur...), depth+1))
			}
		case suit.DirectiveFetch, suit.DirectiveCopy, suit.DirectiveWrite, suit.DirectiveApplyDelta, suit.DirectiveUnlink:
			union(w.written, cur)
		case suit.DirectiveSwap:
			w.all()
		}
	}
	return cur
}

func union(dst, src []bool) {
	for i, b := range src {
		if b {
			dst[i] = true
		}
	}
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

// Recheck repeats the anti-rollback part of the Verify that produced r
// (the minimum, the scope floor and the floors of [Verified.MayWrite],
// read now), so that a device can confirm, under its update lock, that no
// newer update was committed after r was verified. It fails like Verify,
// with a *[RollbackError]; a Verified that no Verifier produced, or whose
// Verifier has no rollback store, passes the store check.
func (r *Verified) Recheck() error {
	if r == nil || r.verifier == nil {
		return nil
	}
	return r.verifier.checkFloors(r.sequence, r.ID(), r.mayWrite)
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
	return r.verifier.checkFloors(r.sequence, r.ID(), ids)
}

// checkFloors applies the verifier's rules to a manifest with sequence
// number seq and ID manifest writing comps.
func (v *Verifier) checkFloors(seq uint64, manifest string, comps []suit.ComponentID) error {
	if seq == math.MaxUint64 {
		return maxSequenceError(seq)
	}
	if v.hasMin && seq < v.minSeq {
		return &RollbackError{Stored: v.minSeq, Got: seq, Minimum: true}
	}
	if v.store == nil {
		return nil
	}
	for _, key := range v.floorKeys(comps) {
		if err := CheckFloor(v.store, key, seq, manifest, v.strict); err != nil {
			return err
		}
	}
	return nil
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
	return v.checkFloors(seq, manifest, comps)
}
