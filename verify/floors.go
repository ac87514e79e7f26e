package verify

import (
	"errors"
	"math"

	"github.com/suitkit/suitkit/suit"
)

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
