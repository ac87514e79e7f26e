package process

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// tree is what every manifest of one tree of dependency manifests shares.
type tree struct {
	proc      procedure
	manifests int                // manifests of the tree so far, the root included
	verified  []*verify.Verified // dependencies processed, in order
}

// depState is one dependency of a manifest (an entry of suit-dependencies):
// its envelope once fetched, how it was authenticated, and its run.
type depState struct {
	meta suit.Dependency
	// data is the fetched envelope; nil until fetched.
	data []byte
	// ver is set once the dependency was authenticated (image-match
	// against the declared digest, or dependency-integrity).
	ver *verify.Verified
	how verify.DependencyAuth
	// child runs the dependency's sequences; created by the first
	// process-dependency (or unlink).
	child *run
	// inherited holds what the dependent set on the dependency's index
	// with set-parameters: passed to every component of the dependency
	// before each of its sections, where they win over the dependency's
	// own set-parameters but not over its override-parameters.
	inherited map[int64]suit.Parameter
	unlinked  bool
}

// declareDependencies reads suit-dependencies: each key is a component
// index that addresses a dependency manifest. Dependency indices follow
// the components (in every published example the components are [X] and
// the dependency index 1); an index that is also a component is refused.
func (r *run) declareDependencies() error {
	r.nidx = uint64(len(r.comps))
	deps := r.m.Common.Dependencies
	if len(deps) == 0 {
		return nil
	}
	if len(r.comps)+len(deps) > r.p.lim.MaxComponents {
		return errf(ErrComponent, "%d components and %d dependencies, the device supports %d", len(r.comps), len(deps), r.p.lim.MaxComponents)
	}
	r.deps = make(map[uint64]*depState, len(deps))
	for _, d := range deps {
		if d.Index < uint64(len(r.comps)) {
			return errf(ErrManifest, "dependency index %d is also a component (%s)", d.Index, r.comps[d.Index])
		}
		// Bounds the parameter storage: the index space stays within
		// the device's capacity.
		if d.Index >= uint64(r.p.lim.MaxComponents) {
			return errf(ErrComponent, "dependency index %d: the device supports %d components and dependencies", d.Index, r.p.lim.MaxComponents)
		}
		if _, dup := r.deps[d.Index]; dup {
			return errf(ErrManifest, "dependency index %d declared twice", d.Index)
		}
		r.deps[d.Index] = &depState{meta: d}
		r.nidx = max(r.nidx, d.Index+1)
	}
	return nil
}

// depName names dependency index ci for messages.
func (r *run) depName(ci uint64) string {
	d := r.deps[ci]
	if d != nil && d.meta.Prefix != nil {
		return fmt.Sprintf("dependency %d %s", ci, *d.meta.Prefix)
	}
	return fmt.Sprintf("dependency %d", ci)
}

// dependencyCommand runs command c on dependency index ci. Only the
// commands that make sense for a manifest held as a dependency apply.
func (r *run) dependencyCommand(c *suit.Command, depth int, ci uint64) error {
	switch c.ID {
	case suit.DirectiveOverrideParameters:
		return r.setParams(ci, c.Params, depth, true)
	case suit.DirectiveSetParameters:
		if err := r.setParams(ci, c.Params, depth, false); err != nil {
			return err
		}
		d := r.deps[ci]
		if d.inherited == nil {
			d.inherited = map[int64]suit.Parameter{}
		}
		for _, p := range c.Params {
			if _, set := d.inherited[p.Key]; !set && p.Key != suit.ParamSoftFailure && p.Key != suit.ParamStrictOrder {
				d.inherited[p.Key] = p
			}
		}
		return nil
	case suit.DirectiveCopyParams:
		return r.copyParams(ci, c.Copy)
	case suit.DirectiveTryEach:
		return r.tryEach(c, depth, ci)
	case suit.DirectiveRunSequence:
		return r.runSequence(c, depth, ci)
	case suit.ConditionAbort:
		return condFail(ErrConditionFailed, "abort")
	case suit.ConditionIsDependency:
		return nil
	case suit.ConditionImageMatch:
		return r.authenticateDependency(ci, verify.ByDeclaredDigest)
	case suit.ConditionDependencyIntegrity:
		return r.authenticateDependency(ci, verify.BySignature)
	case suit.DirectiveFetch:
		return r.fetchDependency(ci)
	case suit.DirectiveProcessDependency:
		return r.processDependency(ci, r.section)
	case suit.DirectiveUnlink:
		return r.unlinkDependency(ci)
	}
	return errf(ErrComponent, "%s does not apply to %s (a manifest, not a component)", commandName(c.ID), r.depName(ci))
}

// fetchDependency fetches the envelope of dependency ci into memory: from
// the envelope for "#name" (an integrated dependency), else through the
// platform's Fetcher, at most image-size (or Limits.MaxDependencySize)
// bytes. Nothing of it is trusted until image-match or
// dependency-integrity authenticates it.
func (r *run) fetchDependency(ci uint64) error {
	d := r.deps[ci]
	if d.child != nil {
		return errf(ErrManifest, "fetch: %s was already processed", r.depName(ci))
	}
	p, ok := r.param(ci, suit.ParamURI)
	if !ok {
		return errf(ErrParameterUnset, "fetch: uri parameter not set")
	}
	uri, err := p.Text()
	if err != nil {
		return errf(ErrManifest, "uri: %v", err)
	}
	if _, set := r.param(ci, suit.ParamImageDigest); !set {
		return errf(ErrUnauthenticatedContent, "fetch %s: the manifest sets no image-digest for %s", uri, r.depName(ci))
	}
	max := r.p.lim.MaxDependencySize
	if size, ok, err := r.uintParam(ci, suit.ParamImageSize); err != nil {
		return err
	} else if ok && size < uint64(max) {
		max = int64(size)
	}
	var data []byte
	if strings.HasPrefix(uri, "#") {
		b, ok := r.env.Integrated[uri]
		if !ok {
			return errf(ErrOperation, "fetch: the envelope has no integrated dependency %q", uri)
		}
		if int64(len(b)) > max {
			return errf(ErrLimit, "integrated dependency %q: %d bytes, more than %d", uri, len(b), max)
		}
		data = b
	} else {
		if r.p.pf.Fetcher == nil {
			return errf(ErrOperation, "fetch %s: the device has no fetcher", uri)
		}
		rc, err := r.p.pf.Fetcher.Fetch(r.ctx, uri, max)
		if err != nil {
			if errors.Is(err, ErrLimit) {
				return err
			}
			return wrapErr(ErrOperation, err, "fetch "+uri)
		}
		data, err = io.ReadAll(&ctxReader{ctx: r.ctx, r: newCapReader(rc, max)})
		rc.Close()
		if err != nil {
			if errors.Is(err, ErrLimit) {
				return errf(ErrLimit, "dependency %s: %v", uri, err)
			}
			return wrapErr(ErrOperation, err, "fetch "+uri)
		}
	}
	if d.data != nil && !bytes.Equal(d.data, data) {
		d.ver = nil // new bytes: authenticate again
	}
	d.data = data
	return nil
}

// authenticateDependency implements image-match (how = ByDeclaredDigest)
// and dependency-integrity (BySignature) on dependency ci: the fetched
// envelope's manifest digest must equal the image-digest this manifest
// (authenticated) declares for it, and for dependency-integrity its own
// signature must verify with the device's trust anchors. Any failure is a
// failed condition, so it aborts unless a try-each has another
// alternative; process-dependency refuses a dependency that did not pass.
func (r *run) authenticateDependency(ci uint64, how verify.DependencyAuth) error {
	d := r.deps[ci]
	name := commandName(suit.ConditionImageMatch)
	if how == verify.BySignature {
		name = commandName(suit.ConditionDependencyIntegrity)
	}
	p, ok := r.param(ci, suit.ParamImageDigest)
	if !ok {
		return &conditionFailure{errf(ErrParameterUnset, "%s: image-digest not set for %s", name, r.depName(ci))}
	}
	want, err := p.Digest()
	if err != nil {
		return errf(ErrManifest, "image digest: %v", err)
	}
	if d.data == nil {
		return condFail(ErrConditionFailed, "%s: %s was not fetched", name, r.depName(ci))
	}
	if size, ok, err := r.uintParam(ci, suit.ParamImageSize); err != nil {
		return err
	} else if ok && size != uint64(len(d.data)) {
		return condFail(ErrConditionFailed, "%s: %s is %d bytes, image-size is %d", name, r.depName(ci), len(d.data), size)
	}
	if r.ver == nil {
		return errf(ErrDependency, "%s: the dependent manifest was not authenticated", name)
	}
	v, err := r.ver.VerifyDependency(d.data, want, how)
	if err != nil {
		return &conditionFailure{fmt.Errorf("%w: %w: %s: %s: %w", ErrConditionFailed, ErrDependency, name, r.depName(ci), err)}
	}
	// A signature check after an image-match (or the reverse) keeps the
	// stricter result: the dependency then acts with its own signers'
	// authority.
	if d.ver == nil || how == verify.BySignature {
		d.ver, d.how = v, how
		if d.child != nil { // processed already: its later sections run under the new result
			for i, tv := range r.tree.verified {
				if tv == d.child.ver {
					r.tree.verified[i] = v
				}
			}
			d.child.ver, d.child.check = v, v.CheckWrite
		}
	}
	return nil
}

// processDependency implements process-dependency on dependency ci: it
// runs the dependency's shared sequence and then its sequence for section
// (the section this manifest is running), with the dependency's own
// components, parameters and anti-rollback checks.
func (r *run) processDependency(ci uint64, section int64) error {
	child, err := r.dependencyRun(ci)
	if err != nil {
		return err
	}
	seq, err := child.sequenceFor(section)
	if err != nil {
		return err
	}
	return child.topFor(section, seq)
}

// unlinkDependency implements unlink on dependency ci: the dependency's
// uninstall sequence runs (after its shared sequence). This processor
// keeps no reference counts across updates: a manifest unlinks the
// dependencies it names.
func (r *run) unlinkDependency(ci uint64) error {
	child, err := r.dependencyRun(ci)
	if err != nil {
		return err
	}
	if err := child.topFor(suit.ManifestUninstall, child.m.Uninstall); err != nil {
		return err
	}
	r.deps[ci].unlinked = true
	return nil
}

// topFor runs seq as section of a dependency, first passing it what its
// dependent set with set-parameters.
func (r *run) topFor(section int64, seq *suit.CommandSequence) error {
	if d := r.up.deps[r.path[len(r.path)-1]]; d != nil && d.unlinked {
		return errf(ErrDependency, "%s was unlinked", r.up.depName(r.path[len(r.path)-1]))
	}
	if d := r.up.deps[r.path[len(r.path)-1]]; d != nil {
		for i := range r.params {
			for k, p := range d.inherited {
				r.params[i][k] = p
			}
		}
	}
	// A component both manifests name sees the parameters the dependent
	// set for it, unless the dependency set them itself: the encryption
	// draft's dependency example writes with the content and
	// encryption-info only its dependent sets (its README's quirk 7).
	// Both manifests' signers were authorised for that component.
	for i, id := range r.comps {
		for j, pid := range r.up.comps {
			if !id.Equal(pid) {
				continue
			}
			for k, p := range r.up.params[j] {
				if _, set := r.params[i][k]; !set {
					r.params[i][k] = p
				}
			}
		}
	}
	return r.top(section, seq)
}

// dependencyRun returns the run of dependency ci, making it the first
// time: the dependency must have been authenticated, and the tree must
// stay within the depth and count limits and have no cycle.
func (r *run) dependencyRun(ci uint64) (*run, error) {
	d := r.deps[ci]
	if d.child != nil {
		return d.child, nil
	}
	if d.ver == nil {
		return nil, errf(ErrDependency, "%s: %s was not authenticated (dependency-integrity, or image-match against its declared digest, must pass first)",
			commandName(suit.DirectiveProcessDependency), r.depName(ci))
	}
	if r.depth+1 > r.p.lim.MaxDependencyDepth {
		return nil, errf(ErrLimit, "dependency manifests nested deeper than %d", r.p.lim.MaxDependencyDepth)
	}
	if r.tree.manifests+1 > r.p.lim.MaxManifests {
		return nil, errf(ErrLimit, "more than %d manifests in the dependency tree", r.p.lim.MaxManifests)
	}
	m := d.ver.Manifest()
	for a := r; a != nil; a = a.up {
		if a.ver.Digest().Equal(d.ver.Digest()) {
			return nil, errf(ErrDependency, "dependency cycle: %s is its own dependent", r.depName(ci))
		}
		if m.ManifestComponentID != nil && a.m.ManifestComponentID != nil && m.ManifestComponentID.Equal(*a.m.ManifestComponentID) {
			return nil, errf(ErrDependency, "dependency cycle: %s has the manifest-component-id %s of a manifest that depends on it",
				r.depName(ci), m.ManifestComponentID)
		}
	}
	child := &run{ctx: r.ctx, p: r.p, env: d.ver.Envelope(), m: m, rep: r.rep, check: d.ver.CheckWrite,
		ver: d.ver, tree: r.tree, depth: r.depth + 1, up: r, path: append(slices.Clip(r.path), ci)}
	if err := child.prepare(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDependency, r.depName(ci), err)
	}
	if r.tree.proc == updateProcedure {
		if err := child.checkExpiry(); err != nil {
			return nil, err
		}
	}
	r.tree.manifests++
	r.tree.verified = append(r.tree.verified, d.ver)
	d.child = child
	return child, nil
}
