package verify

import (
	"math/bits"

	"github.com/suitkit/suitkit/suit"
)

// This file reads, in one walk over the bytes of a validated manifest's
// command sequences (suit.CommandReader, no command model), the three
// things Verify needs from them: the components they may write (rollback
// floors), the integrated payloads they name (which must be present), and
// the vendor and class identifiers (the informational identity).

// maxWalkDepth bounds the nesting the walk follows; deeper nesting (which
// the processor refuses anyway) counts as writing every component, and
// URIs deeper than that are not required.
const maxWalkDepth = 64

// manifestFacts is what walkManifest found.
type manifestFacts struct {
	// every is the mask of all components (all bits when there are more
	// than 64, which mayWrite then treats as all of them); written the
	// components some run may write.
	every, written uint64
	// missing is the first "#name" URI, outside try-each, whose payload
	// the envelope lacks; nil when there is none.
	missing []byte
	// vendor and class are the first vendor-id and class-id parameters
	// set at the top level of the shared sequence.
	vendor, class []byte
	haveV, haveC  bool

	integrated map[string][]byte
}

// walkManifest walks every command sequence of o: the shared sequence,
// validate, load, invoke, uninstall and the severable sequences, in that
// order (the order in which a missing payload is reported). A severable
// sequence that is severed and absent counts as writing every component.
func walkManifest(env *suit.Envelope, o suit.Outline) manifestFacts {
	f := manifestFacts{every: ^uint64(0), integrated: env.Integrated}
	if n := len(o.Components()); n < 64 {
		f.every = 1<<n - 1
	}
	f.walk(o.Shared(), f.every, 0, true, false)
	for _, key := range [...]int64{suit.ManifestValidate, suit.ManifestLoad, suit.ManifestInvoke, suit.ManifestUninstall,
		suit.ManifestDependencyResolution, suit.ManifestPayloadFetch, suit.ManifestCandidateVerification, suit.ManifestInstall} {
		raw, missing := o.Sequence(key)
		if missing {
			f.written = f.every
		}
		f.walk(raw, f.every, 0, false, false)
	}
	return f
}

// walk follows the encoded sequence seq with cur, the set of components
// the current index may select, and returns the set it may select
// afterwards. shared is true at the top level of the shared sequence;
// inTry inside a try-each alternative (URIs there are not required: an
// envelope may carry only the alternative meant for its device).
func (f *manifestFacts) walk(seq []byte, cur uint64, depth int, shared, inTry bool) uint64 {
	if seq == nil {
		return cur
	}
	if depth > maxWalkDepth {
		f.written = f.every
		return f.every
	}
	r := suit.NewCommandReader(seq)
	for c, ok := r.Next(); ok; c, ok = r.Next() {
		switch c.ID {
		case suit.DirectiveSetComponentIndex:
			if c.SelectsAll() {
				cur = f.every
				break
			}
			cur = 0
			c.EachIndex(func(ix uint64) bool {
				cur |= f.bit(ix)
				return true
			})
		case suit.DirectiveOverrideParameters, suit.DirectiveSetParameters:
			c.EachParam(func(p suit.Parameter) bool {
				f.param(p, shared, inTry)
				return true
			})
		case suit.DirectiveOverrideMultiple:
			c.EachIndexedParam(func(_ uint64, p suit.Parameter) bool {
				f.param(p, false, inTry)
				return true
			})
		case suit.DirectiveTryEach:
			out := cur // a trailing nil, or a soft failure, keeps cur
			c.EachSequence(func(alt []byte) bool {
				out |= f.walk(alt, cur, depth+1, false, true)
				return true
			})
			cur = out
		case suit.DirectiveRunSequence:
			c.EachSequence(func(s []byte) bool {
				cur |= f.walk(s, cur, depth+1, false, inTry)
				return true
			})
		case suit.DirectiveFetch, suit.DirectiveCopy, suit.DirectiveWrite, suit.DirectiveApplyDelta, suit.DirectiveUnlink:
			f.written |= cur
		case suit.DirectiveSwap:
			f.written = f.every
		}
	}
	return cur
}

// param notes an integrated payload's URI and, at the top level of the
// shared sequence, the vendor and class identifiers.
func (f *manifestFacts) param(p suit.Parameter, shared, inTry bool) {
	switch {
	case p.Key == suit.ParamURI && !inTry && f.missing == nil:
		if uri, ok := fragmentURI(p.Value); ok {
			if _, ok := f.integrated[string(uri)]; !ok { // no allocation for the lookup
				f.missing = uri
			}
		}
	case p.Key == suit.ParamVendorIdentifier && shared && !f.haveV:
		f.vendor, f.haveV = paramBytes(p), true
	case p.Key == suit.ParamClassIdentifier && shared && !f.haveC:
		f.class, f.haveC = paramBytes(p), true
	}
}

// bit is the mask of component index ix, 0 when out of range.
func (f *manifestFacts) bit(ix uint64) uint64 {
	if ix >= 64 {
		return 0
	}
	return 1 << ix & f.every
}

// missingPayload is the error for the first missing integrated payload.
func (f *manifestFacts) missingPayload() error {
	if f.missing == nil {
		return nil
	}
	return &MissingPayloadError{URI: string(f.missing)}
}

// mayWrite returns the components of comps (the manifest's) that some run
// of its command sequences could write (fetch, copy, write, apply-delta,
// unlink: the components the index may select there; swap: every
// component, since its second component is a parameter). It
// over-approximates on purpose: every alternative of a try-each counts,
// and a sequence that is severed and absent, nesting deeper than
// maxWalkDepth, or a manifest with more than 64 components counts as
// writing everything. The processor checks exactly what it writes, under
// the device lock; this set is what Verify can check before any command
// runs. The result shares comps's identifiers.
func (f *manifestFacts) mayWrite(comps []suit.ComponentID) []suit.ComponentID {
	switch {
	case len(comps) == 0:
		return nil
	case len(comps) > 64:
		return comps
	case f.written == 0:
		return nil
	}
	out := make([]suit.ComponentID, 0, bits.OnesCount64(f.written))
	for i := range comps {
		if f.written&(1<<i) != 0 {
			out = append(out, comps[i])
		}
	}
	return out
}

// identity is [IdentityOf] for the walked manifest.
func (f *manifestFacts) identity(o suit.Outline) string {
	if id := o.ManifestComponentID(); id != nil {
		return "component:" + id.String()
	}
	return vendorClassIdentity(f.vendor, f.class, f.haveV, f.haveC)
}
