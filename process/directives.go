package process

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/suitkit/suitkit/internal/capread"
	"github.com/suitkit/suitkit/suit"
)

// stage streams src into a staging area for component ci and commits it
// only if it is complete and, when the component's image-digest (and
// image-size) parameters are set, matches them. So a fetch, copy, write or
// patch never leaves a component with unverified content: on any failure
// the component keeps what it had. At most image-size (or
// Limits.MaxImageSize) + 1 bytes are read from src.
func (r *run) stage(ci uint64, src io.Reader) error {
	d, size, err := r.imageSpec(ci)
	if err != nil {
		return err
	}
	max := r.p.lim.MaxImageSize
	if size != nil {
		if *size > uint64(max) {
			return errf(ErrLimit, "image-size %d exceeds the device limit %d", *size, max)
		}
		max = int64(*size)
	}
	var h *suit.Hasher
	if d != nil {
		if h, err = suit.NewHasher(d.Algorithm); err != nil {
			return errf(ErrUnsupported, "%v", err)
		}
	}
	st, err := r.p.pf.Storage.Stage(r.comps[ci])
	if err != nil {
		return wrapErr(ErrOperation, err, "stage "+r.comps[ci].String())
	}
	w := io.Writer(st)
	if h != nil {
		w = io.MultiWriter(st, h)
	}
	n, err := io.Copy(w, &ctxReader{ctx: r.ctx, r: newCapReader(src, max)})
	if err != nil {
		st.Discard()
		if errors.Is(err, ErrLimit) {
			return errf(ErrLimit, "payload for %s: %v", r.comps[ci], err)
		}
		return wrapErr(ErrOperation, err, "write "+r.comps[ci].String())
	}
	if size != nil && uint64(n) != *size {
		st.Discard()
		return errf(ErrPayloadMismatch, "payload for %s is %d bytes, image-size is %d", r.comps[ci], n, *size)
	}
	if h != nil && !digestEqual(h.Digest().Value, d.Value) {
		st.Discard()
		return errf(ErrPayloadMismatch, "payload for %s does not match its image digest", r.comps[ci])
	}
	if err := r.beforeCommit(ci); err != nil {
		st.Discard()
		return err
	}
	if err := st.Commit(); err != nil {
		return wrapErr(ErrOperation, err, "commit "+r.comps[ci].String())
	}
	return nil
}

// fetch implements fetch: store the payload named by the uri parameter in
// the component. "#name" is an integrated payload of the envelope; other
// URIs go to the platform's Fetcher. When the component already matches
// its image digest and size the fetch is skipped (this also resumes an
// update interrupted after the fetch).
func (r *run) fetch(ci uint64) error {
	p, ok := r.param(ci, suit.ParamURI)
	if !ok {
		return errf(ErrParameterUnset, "fetch: uri parameter not set")
	}
	uri, err := p.Text()
	if err != nil {
		return errf(ErrManifest, "uri: %v", err)
	}
	if _, set := r.param(ci, suit.ParamImageDigest); set {
		if ok, err := r.componentMatches(ci); err == nil && ok {
			return nil
		}
	}
	if strings.HasPrefix(uri, "#") {
		var data []byte
		if r.env != nil {
			data, ok = r.env.Integrated[uri]
		}
		if !ok {
			return errf(ErrOperation, "fetch: the envelope has no integrated payload %q", uri)
		}
		return r.stage(ci, bytes.NewReader(data))
	}
	if r.p.pf.Fetcher == nil {
		return errf(ErrOperation, "fetch %s: the device has no fetcher", uri)
	}
	max := r.p.lim.MaxImageSize
	if size, ok, err := r.uintParam(ci, suit.ParamImageSize); err != nil {
		return err
	} else if ok && size < uint64(max) {
		max = int64(size)
	}
	rc, err := r.p.pf.Fetcher.Fetch(r.ctx, uri, max)
	if err != nil {
		if errors.Is(err, ErrLimit) {
			return err
		}
		return wrapErr(ErrOperation, err, "fetch "+uri)
	}
	defer rc.Close()
	return r.stage(ci, rc)
}

// source returns the source-component parameter of ci, checked.
func (r *run) source(ci uint64, what string) (uint64, error) {
	src, ok, err := r.uintParam(ci, suit.ParamSourceComponent)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errf(ErrParameterUnset, "%s: source-component parameter not set", what)
	}
	if src >= uint64(len(r.comps)) {
		return 0, errf(ErrComponent, "%s: source component %d out of range", what, src)
	}
	if src == ci && !r.strict {
		return 0, errf(ErrManifest, "%s: component %d is both source and target while strict-order is false", what, src)
	}
	return src, nil
}

// copy implements copy: the source component's content becomes ci's.
func (r *run) copy(ci uint64) error {
	if _, set := r.param(ci, suit.ParamEncryptionInfo); set {
		return errf(ErrUnsupported, "copy with encryption-info")
	}
	src, err := r.source(ci, "copy")
	if err != nil {
		return err
	}
	c, err := r.p.pf.Storage.Open(r.comps[src])
	if err != nil {
		return wrapErr(ErrOperation, err, "copy: source "+r.comps[src].String())
	}
	defer c.Close()
	return r.stage(ci, io.NewSectionReader(c, 0, c.Size()))
}

// write implements write: the content parameter becomes ci's content.
func (r *run) write(ci uint64) error {
	p, ok := r.param(ci, suit.ParamContent)
	if !ok {
		return errf(ErrParameterUnset, "write: content parameter not set")
	}
	b, err := p.Bytes()
	if err != nil {
		return errf(ErrManifest, "content: %v", err)
	}
	return r.stage(ci, bytes.NewReader(b))
}

// swap implements swap: exchange ci's content with the source component's.
func (r *run) swap(ci uint64) error {
	src, err := r.source(ci, "swap")
	if err != nil {
		return err
	}
	if err := r.beforeCommit(ci, src); err != nil {
		return err
	}
	if err := r.p.pf.Storage.Swap(r.comps[ci], r.comps[src]); err != nil {
		return wrapErr(ErrOperation, err, "swap "+r.comps[ci].String()+" and "+r.comps[src].String())
	}
	return nil
}

// unlink implements unlink: remove ci's content.
func (r *run) unlink(ci uint64) error {
	if err := r.beforeCommit(ci); err != nil {
		return err
	}
	if err := r.p.pf.Storage.Unlink(r.comps[ci]); err != nil {
		return wrapErr(ErrOperation, err, "unlink "+r.comps[ci].String())
	}
	return nil
}

// invoke implements invoke through the platform's Invoker.
func (r *run) invoke(ci uint64) error {
	if r.p.pf.Invoker == nil {
		return errf(ErrOperation, "invoke: the device has no invoker")
	}
	var args []byte
	if p, ok := r.param(ci, suit.ParamInvokeArgs); ok {
		b, err := p.Bytes()
		if err != nil {
			return errf(ErrManifest, "invoke-args: %v", err)
		}
		args = b
	}
	if err := r.p.pf.Invoker.Invoke(r.ctx, r.comps[ci], args); err != nil {
		return wrapErr(ErrOperation, err, "invoke "+r.comps[ci].String())
	}
	return nil
}

// newCapReader wraps r so that reading more than max bytes fails with
// ErrLimit.
func newCapReader(r io.Reader, max int64) io.ReadCloser {
	return capread.New(r, max, errf(ErrLimit, "payload larger than %d bytes", max))
}
