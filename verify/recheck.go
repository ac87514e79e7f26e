package verify

// Recheck repeats the anti-rollback part of the Verify that produced r
// (the minimum sequence number and the rollback store, read now), so that a device can
// confirm, under its update lock and just before it commits anything, that
// no newer update was committed after r was verified. It fails like
// Verify, with a *[RollbackError]; a Verified that no Verifier produced,
// or whose Verifier has no rollback store, passes the store check.
func (r *Verified) Recheck() error {
	if r == nil || r.verifier == nil {
		return nil
	}
	return r.verifier.checkRollback(r.identity, r.sequence)
}
