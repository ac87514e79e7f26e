package process

import (
	"errors"
	"io"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/suit"
)

// errStopApply stops a patch applier whose output is no longer wanted.
var errStopApply = errors.New("process: apply-delta output abandoned")

// applyDelta implements suitkit-directive-apply-delta (-257): the new
// content of ci is delta.Apply(ci's present content, the content of the
// source component). The output is streamed into a staging area and
// committed only if it matches ci's image digest and size (see stage), so
// an interrupted or failed patch leaves the old image in place. The
// image-digest is required (requireDigest): the patch is content from
// outside the manifest, and so is its output.
func (r *run) applyDelta(ci uint64) error {
	src, err := r.source(ci, "apply-delta")
	if err != nil {
		return err
	}
	if src == ci {
		return errf(ErrManifest, "apply-delta: the patch component is the target component")
	}
	if _, set := r.param(ci, suit.ParamEncryptionInfo); set {
		return errf(ErrUnsupported, "apply-delta with encryption-info")
	}
	what := "apply-delta of " + r.comps[src].String()
	if err := r.requireDigest(ci, what); err != nil {
		return err
	}
	old, err := r.p.pf.Storage.Open(r.comps[ci])
	if err != nil {
		return wrapErr(ErrOperation, err, "apply-delta: old image "+r.comps[ci].String())
	}
	defer old.Close()
	patch, err := r.p.pf.Storage.Open(r.comps[src])
	if err != nil {
		return wrapErr(ErrOperation, err, "apply-delta: patch "+r.comps[src].String())
	}
	defer patch.Close()

	max := r.p.lim.MaxImageSize
	if size, ok, err := r.uintParam(ci, suit.ParamImageSize); err != nil {
		return err
	} else if ok && size < uint64(max) {
		max = int64(size)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := delta.Apply(old, old.Size(), io.NewSectionReader(patch, 0, patch.Size()), pw, &delta.Limits{MaxMemory: r.p.lim.MaxPatchMemory, MaxNewSize: max})
		pw.CloseWithError(err)
		done <- err
	}()
	serr := r.stage(ci, what, fromOutside, pr)
	pr.CloseWithError(errStopApply)
	aerr := <-done
	if aerr != nil && !errors.Is(aerr, errStopApply) {
		switch {
		case errors.Is(aerr, delta.ErrLimit):
			return wrapErr(ErrLimit, aerr, "apply-delta")
		case errors.Is(aerr, delta.ErrOldImageMismatch), errors.Is(aerr, delta.ErrDigestMismatch):
			return wrapErr(ErrPayloadMismatch, aerr, "apply-delta")
		case errors.Is(aerr, delta.ErrMalformed), errors.Is(aerr, delta.ErrUnsupported):
			return wrapErr(ErrOperation, aerr, "apply-delta")
		}
	}
	if serr != nil {
		return serr
	}
	if aerr != nil {
		return wrapErr(ErrOperation, aerr, "apply-delta")
	}
	return nil
}
