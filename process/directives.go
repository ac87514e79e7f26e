package process

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/internal/capread"
	"github.com/suitkit/suitkit/suit"
)

// origin says where the bytes a directive installs come from, which
// decides what authenticates them.
type origin int

const (
	// fromOutside: bytes the signature does not cover (an integrated or
	// fetched payload, another component's content, a patch's output).
	// Only the image-digest the manifest sets for the receiving component
	// authenticates them, so it is required (see requireDigest).
	fromOutside origin = iota
	// fromManifest: the write directive's content parameter, which is part
	// of the authenticated manifest itself.
	fromManifest
)

// requireDigest is the one rule for installing content from outside the
// manifest: the manifest must set an image-digest for the receiving
// component ci, so that the content is checked against a value the
// signature covers before it is committed. Without one the directive
// (named by what) is refused with ErrUnauthenticatedContent, unless the
// platform opted out with AllowUnauthenticatedContentUnsafe. The
// directives call it before they fetch or open anything, and stage calls
// it again before it stages.
func (r *run) requireDigest(ci uint64, what string) error {
	if r.p.pf.AllowUnauthenticatedContentUnsafe {
		return nil
	}
	if _, set := r.param(ci, suit.ParamImageDigest); set {
		return nil
	}
	return errf(ErrUnauthenticatedContent,
		"%s: the manifest sets no image-digest for %s, so nothing authenticates the content it would receive (a signature covers the manifest, not payloads)",
		what, r.comps[ci])
}

// stage streams src into a staging area for component ci and commits it
// only if it is complete and matches the component's image-digest (and
// image-size, when set). Content from outside the manifest (o is
// fromOutside: fetch, copy, apply-delta) needs an image-digest
// (requireDigest); the write directive's content (fromManifest) is
// authenticated with the manifest and checked against a digest only when
// one is set. So a fetch, copy, write or patch never leaves a component
// with unauthenticated content: on any failure the component keeps what
// it had. At most image-size (or Limits.MaxImageSize) + 1 bytes are read
// from src.
func (r *run) stage(ci uint64, what string, o origin, src io.Reader) error {
	info, err := r.encryptionInfo(ci)
	if err != nil {
		return err
	}
	if err := r.requireAuth(ci, what, o, info); err != nil {
		return err
	}
	if info != nil {
		if src, err = r.decrypting(info, what, src); err != nil {
			return err
		}
	}
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
	st, err := r.stageFor(ci)
	if err != nil {
		if errors.Is(err, ErrManifest) || errors.Is(err, ErrUnsupported) {
			return err
		}
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
		if errors.Is(err, encryption.ErrAuthentication) || errors.Is(err, encryption.ErrMalformed) {
			return wrapErr(ErrDecrypt, err, what+" into "+r.comps[ci].String())
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
	info, err := r.encryptionInfo(ci)
	if err != nil {
		return err
	}
	if err := r.requireAuth(ci, "fetch "+uri, fromOutside, info); err != nil {
		return err
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
		return r.stage(ci, "fetch "+uri, fromOutside, bytes.NewReader(data))
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
	if info != nil && info.Alg.IsAEAD() {
		max += encryptionTagSize // image-size is the plaintext's
	}
	rc, err := r.p.pf.Fetcher.Fetch(r.ctx, uri, max)
	if err != nil {
		if errors.Is(err, ErrLimit) {
			return err
		}
		return wrapErr(ErrOperation, err, "fetch "+uri)
	}
	defer rc.Close()
	return r.stage(ci, "fetch "+uri, fromOutside, rc)
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

// copy implements copy: the source component's content becomes ci's. It
// needs ci's image-digest like a fetch: the processor cannot tell how the
// source's content got there (another agent, the storage's own download
// slot, an earlier update under AllowUnauthenticatedContentUnsafe), so the
// manifest must say what it installs.
func (r *run) copy(ci uint64) error {
	src, err := r.source(ci, "copy")
	if err != nil {
		return err
	}
	what := "copy from " + r.comps[src].String()
	info, err := r.encryptionInfo(ci)
	if err != nil {
		return err
	}
	if err := r.requireAuth(ci, what, fromOutside, info); err != nil {
		return err
	}
	c, err := r.p.pf.Storage.Open(r.comps[src])
	if err != nil {
		return wrapErr(ErrOperation, err, "copy: source "+r.comps[src].String())
	}
	defer c.Close()
	return r.stage(ci, what, fromOutside, io.NewSectionReader(c, 0, c.Size()))
}

// write implements write: the content parameter becomes ci's content.
// It needs no image-digest: the content is a parameter of the manifest,
// authenticated with it, and a digest next to it would be authenticated
// by the same signature and no more. A digest, when set, is still checked.
func (r *run) write(ci uint64) error {
	p, ok := r.param(ci, suit.ParamContent)
	if !ok {
		return errf(ErrParameterUnset, "write: content parameter not set")
	}
	b, err := p.Bytes()
	if err != nil {
		return errf(ErrManifest, "content: %v", err)
	}
	return r.stage(ci, "write", fromManifest, bytes.NewReader(b))
}

// swap implements swap: exchange ci's content with the source component's.
// The source's content becomes ci's, so, as for copy, it must match ci's
// image-digest (and image-size) before the swap; the source receives ci's
// previous content, which is not checked (in the usual A/B use it is the
// image the device ran until now, kept to fall back to).
func (r *run) swap(ci uint64) error {
	src, err := r.source(ci, "swap")
	if err != nil {
		return err
	}
	what := "swap with " + r.comps[src].String()
	if err := r.requireDigest(ci, what); err != nil {
		return err
	}
	d, size, err := r.imageSpec(ci)
	if err != nil {
		return err
	}
	if d != nil {
		ok, err := r.contentMatches(src, d, size)
		if err != nil {
			return err
		}
		if !ok {
			return errf(ErrPayloadMismatch, "%s: the content of %s does not match the image digest of %s", what, r.comps[src], r.comps[ci])
		}
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
