package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Limits bounds what one procedure may do. The zero value selects the
// defaults given with each field.
type Limits struct {
	// MaxComponents is how many components a manifest may declare: the
	// device's capacity (default 16).
	MaxComponents int
	// MaxDepth bounds the nesting of try-each and run-sequence (default 8).
	MaxDepth int
	// MaxImageSize caps a fetched, copied, written or patched image when
	// the manifest sets no image-size (default 256 MiB). With image-size
	// set, the cap is image-size.
	MaxImageSize int64
	// MaxCommands bounds the commands executed in one procedure, counting
	// each repetition per component (default 65536).
	MaxCommands int
	// MaxPatchMemory caps the working memory a delta patch may ask for
	// (delta.Limits.MaxMemory; default delta.DefaultMaxMemory, 16 MiB). A
	// patch made with a larger block budget (differ.Options.BlockMemory)
	// needs it raised.
	MaxPatchMemory int64
	// MaxDependencyDepth bounds how deep a tree of dependency manifests
	// (draft-ietf-suit-trust-domains) may nest: 1 lets the manifest a
	// Processor is given process dependencies that have none themselves
	// (default 4).
	MaxDependencyDepth int
	// MaxManifests bounds the manifests of one tree, the root included
	// (default 16).
	MaxManifests int
	// MaxDependencySize caps a fetched dependency envelope, which is held
	// in memory (default 1 MiB; image-size lowers it).
	MaxDependencySize int64
}

const (
	defaultMaxComponents = 16
	defaultMaxDepth      = 8
	defaultMaxImageSize  = 256 << 20
	defaultMaxCommands   = 1 << 16
	defaultMaxDepDepth   = 4
	defaultMaxManifests  = 16
	defaultMaxDepSize    = 1 << 20
)

func (l *Limits) resolve() Limits {
	out := Limits{MaxComponents: defaultMaxComponents, MaxDepth: defaultMaxDepth, MaxImageSize: defaultMaxImageSize,
		MaxCommands: defaultMaxCommands, MaxPatchMemory: delta.DefaultMaxMemory,
		MaxDependencyDepth: defaultMaxDepDepth, MaxManifests: defaultMaxManifests, MaxDependencySize: defaultMaxDepSize}
	if l == nil {
		return out
	}
	if l.MaxComponents > 0 {
		out.MaxComponents = l.MaxComponents
	}
	if l.MaxDepth > 0 {
		out.MaxDepth = l.MaxDepth
	}
	if l.MaxImageSize > 0 {
		out.MaxImageSize = l.MaxImageSize
	}
	if l.MaxCommands > 0 {
		out.MaxCommands = l.MaxCommands
	}
	if l.MaxPatchMemory > 0 {
		out.MaxPatchMemory = l.MaxPatchMemory
	}
	if l.MaxDependencyDepth > 0 {
		out.MaxDependencyDepth = l.MaxDependencyDepth
	}
	if l.MaxManifests > 0 {
		out.MaxManifests = l.MaxManifests
	}
	if l.MaxDependencySize > 0 {
		out.MaxDependencySize = l.MaxDependencySize
	}
	return out
}

// Processor runs the command sequences of verified manifests against a
// Platform. It keeps no state between calls; a Processor is safe for
// concurrent use if its Platform is. Make one with New: the zero
// Processor (and a nil one) refuses every manifest with ErrOperation.
type Processor struct {
	pf  Platform
	lim Limits
}

// New returns a Processor for the platform. Storage is required. lim may be
// nil for the defaults.
func New(pf Platform, lim *Limits) (*Processor, error) {
	if pf.Storage == nil {
		return nil, errors.New("process: platform has no storage")
	}
	return &Processor{pf: pf, lim: lim.resolve()}, nil
}

// procedure is one of the two procedures a manifest defines.
type procedure int

const (
	updateProcedure procedure = iota
	invokeProcedure
)

// sections names the sequences the procedure runs, in order. The update
// procedure is draft-ietf-suit-trust-domains' staging (dependency-resolution,
// payload-fetch) then installation (candidate-verification, install), then
// validate. A manifest with dependencies resolves them again before its
// invoke procedure, so that process-dependency there has them.
func (p procedure) sections(hasDeps bool) []int64 {
	if p == invokeProcedure {
		if hasDeps {
			return []int64{suit.ManifestDependencyResolution, suit.ManifestValidate, suit.ManifestLoad, suit.ManifestInvoke}
		}
		return []int64{suit.ManifestValidate, suit.ManifestLoad, suit.ManifestInvoke}
	}
	return []int64{suit.ManifestDependencyResolution, suit.ManifestPayloadFetch, suit.ManifestCandidateVerification,
		suit.ManifestInstall, suit.ManifestValidate}
}

// runManifest runs a procedure of a manifest whose envelope has been
// authenticated. It is the single place every public entry point ends in.
//
// check, when not nil, is the anti-rollback check of the components about
// to be committed; it runs before every commit to storage.
//
// v is the manifest's verification result, which authenticates its
// dependencies; nil (tests) refuses every dependency.
func (p *Processor) runManifest(ctx context.Context, env *suit.Envelope, m *suit.Manifest, dig suit.Digest, proc procedure, check func(...suit.ComponentID) error, v *verify.Verified) (*Report, error) {
	rep := &Report{DigestAlg: dig.Algorithm, Digest: dig.Value}
	if p == nil || p.pf.Storage == nil {
		rep.Err = errf(ErrOperation, "processor has no storage (make it with New)")
		return rep, rep.Err
	}
	if m == nil {
		rep.Err = errf(ErrMissingSequence, "manifest not decoded")
		return rep, rep.Err
	}
	rep.Sequence = m.SequenceNumber
	if m.ReferenceURI != nil {
		rep.ReferenceURI = *m.ReferenceURI
	}
	r := &run{ctx: ctx, p: p, env: env, m: m, rep: rep, check: check, ver: v, tree: &tree{manifests: 1, proc: proc}}
	err := r.procedure(proc)
	rep.Dependencies = r.tree.verified
	rep.Err = err
	return rep, err
}

// run is the state of one procedure.
type run struct {
	ctx     context.Context
	p       *Processor
	env     *suit.Envelope
	m       *suit.Manifest
	rep     *Report
	comps   []suit.ComponentID
	params  []map[int64]suit.Parameter
	section int64
	shared  bool
	soft    bool
	strict  bool
	steps   int
	check   func(...suit.ComponentID) error
	// measured collects what the current command measured (measure).
	measured suit.Parameters
	// sectionRaw is the encoding of the running section's sequence;
	// offs and base give the byte offsets of the running sequence's
	// commands in it (see sequence).
	sectionRaw []byte
	offs       []int
	base       int
	// curSeq and curOff are the sequence and offset of the command being
	// run (decryptedLater looks ahead from there).
	curSeq *suit.CommandSequence
	curOff int

	// Dependencies (draft-ietf-suit-trust-domains).
	ver   *verify.Verified     // this manifest, to authenticate its dependencies
	tree  *tree                // shared by every manifest of the tree
	depth int                  // 0 for the root manifest
	up    *run                 // the dependent; nil for the root
	deps  map[uint64]*depState // by component index; nil without dependencies
	nidx  uint64               // size of the index space: components and dependencies
	path  []uint64             // dependency indices from the root to this manifest
}

// beforeCommit runs just before new content of the components cis is
// committed to storage: under the device lock it checks their
// anti-rollback floors as they are now, so that no manifest overwrites
// content committed by a newer one (or by another manifest with the same
// sequence number), whatever it declares and whichever try-each
// alternative chose the component.
func (r *run) beforeCommit(cis ...uint64) error {
	if r.check == nil {
		return nil
	}
	ids := make([]suit.ComponentID, len(cis))
	for i, ci := range cis {
		ids[i] = r.comps[ci]
	}
	if err := r.check(ids...); err != nil {
		return fmt.Errorf("%w: %w", ErrSuperseded, err)
	}
	return nil
}

func (r *run) procedure(proc procedure) error {
	if err := r.prepare(); err != nil {
		return err
	}
	if proc == updateProcedure {
		if err := r.checkExpiry(); err != nil {
			return err
		}
	}
	ran := false
	for _, key := range proc.sections(len(r.deps) > 0) {
		seq, err := r.sequenceFor(key)
		if err != nil {
			return err
		}
		if seq == nil {
			continue
		}
		if err := r.top(key, seq); err != nil {
			return err
		}
		ran = true
	}
	if !ran {
		// Nothing to run: still check compatibility.
		return r.top(0, nil)
	}
	return nil
}

// prepare checks what the manifest declares before any command runs and
// clears the parameter storage.
func (r *run) prepare() error {
	m := r.m
	if m.Version != 1 {
		return errf(ErrManifest, "manifest version %d, want 1", m.Version)
	}
	if m.Common == nil {
		return errf(ErrManifest, "manifest has no common section")
	}
	r.comps = m.Common.Components
	r.rep.Components = r.comps
	if len(r.comps) > r.p.lim.MaxComponents {
		return errf(ErrComponent, "%d components, the device supports %d", len(r.comps), r.p.lim.MaxComponents)
	}
	for i, id := range r.comps {
		if r.p.pf.AcceptComponent != nil && !r.p.pf.AcceptComponent(id) {
			return errf(ErrComponent, "the device has no component %s", id)
		}
		for j := 0; j < i; j++ {
			if id.Equal(r.comps[j]) {
				return errf(ErrComponent, "component %s listed twice", id)
			}
		}
	}
	if !r.p.pf.SkipCompatibilityCheckUnsafe {
		sh := m.Common.SharedSequence
		if !containsCommand(sh, suit.ConditionVendorIdentifier, 0) || !containsCommand(sh, suit.ConditionClassIdentifier, 0) {
			return errf(ErrManifest, "the shared sequence does not check both vendor and class identifier (RFC 9124 REQ.SEC.COMPATIBLE)")
		}
	}
	if err := r.declareDependencies(); err != nil {
		return err
	}
	// Clear all parameter storage before processing.
	r.params = make([]map[int64]suit.Parameter, r.nidx)
	for i := range r.params {
		r.params[i] = map[int64]suit.Parameter{}
	}
	r.strict = true
	return nil
}

// sequenceFor returns the command sequence at a manifest key, nil if the
// manifest has none, or ErrMissingSequence if it was severed and not
// supplied.
func (r *run) sequenceFor(key int64) (*suit.CommandSequence, error) {
	m := r.m
	var sev *suit.SeverableSequence
	switch key {
	case suit.ManifestValidate:
		return m.Validate, nil
	case suit.ManifestLoad:
		return m.Load, nil
	case suit.ManifestInvoke:
		return m.Invoke, nil
	case suit.ManifestUninstall:
		return m.Uninstall, nil
	case suit.ManifestDependencyResolution, suit.ManifestPayloadFetch, suit.ManifestCandidateVerification, suit.ManifestInstall:
		sev, _ = m.Severable(key).(*suit.SeverableSequence)
	default:
		return nil, fmt.Errorf("process: no sequence %d", key)
	}
	if sev == nil {
		return nil, nil
	}
	if sev.Sequence == nil {
		return nil, errf(ErrMissingSequence, "%s was severed and the envelope does not carry it", sectionName(key))
	}
	return sev.Sequence, nil
}

// top runs the shared sequence and then seq (if not nil) as section key.
func (r *run) top(key int64, seq *suit.CommandSequence) error {
	if sh := r.m.Common.SharedSequence; sh != nil {
		r.section, r.shared = suit.CommonSharedSequence, true
		if err := r.topSequence(sh); err != nil {
			return err
		}
	}
	r.shared = false
	if seq == nil {
		return nil
	}
	r.section = key
	return r.topSequence(seq)
}

func (r *run) topSequence(seq *suit.CommandSequence) error {
	var cur []uint64
	switch n := len(r.comps) + len(r.deps); {
	case n == 1 && len(r.comps) == 1:
		cur = []uint64{0}
	case n > 1:
		if len(seq.Commands) == 0 || seq.Commands[0].ID != suit.DirectiveSetComponentIndex {
			return errf(ErrComponent, "%s: a manifest with %d components and dependencies must start every sequence with set-component-index",
				sectionName(r.section), n)
		}
	}
	r.soft = false
	err := r.sequence(seq, 0, cur)
	var ss *softStop
	if errors.As(err, &ss) {
		return ss.err // cannot happen at depth 0, but never treat it as success
	}
	return err
}

// seqBase returns where seq's encoding starts in the running section's:
// 0 for the section itself; for a nested sequence, which the decoder
// keeps as a slice of the section's bytes, the distance between them
// (checked to lie inside the section and to hold the same bytes).
func (r *run) seqBase(seq *suit.CommandSequence, depth int) int {
	if depth == 0 {
		r.sectionRaw = seq.Raw
		return 0
	}
	sec := r.sectionRaw
	if seq.Raw == nil || sec == nil {
		return 0
	}
	b := cap(sec) - cap(seq.Raw)
	if b < 0 || b+len(seq.Raw) > len(sec) || !bytes.Equal(sec[b:b+len(seq.Raw)], seq.Raw) {
		return 0
	}
	return b
}

// softStop ends a nested sequence because a condition failed while
// soft-failure was true. It never escapes the enclosing try-each or
// run-sequence.
type softStop struct{ err error }

func (s *softStop) Error() string { return s.err.Error() }
func (s *softStop) Unwrap() error { return s.err }

// sequence runs the commands of seq with the current component indices
// cur. It returns nil when every command ran, a *softStop when a condition
// failed under soft-failure, and any other error to abort.
func (r *run) sequence(seq *suit.CommandSequence, depth int, cur []uint64) error {
	if depth > r.p.lim.MaxDepth {
		return errf(ErrLimit, "command sequences nested deeper than %d", r.p.lim.MaxDepth)
	}
	savedOffs, savedBase := r.offs, r.base
	defer func() { r.offs, r.base = savedOffs, savedBase }()
	r.offs, r.base = seq.CommandOffsets(), r.seqBase(seq, depth)
	for off := range seq.Commands {
		c := &seq.Commands[off]
		if err := r.ctx.Err(); err != nil {
			return fmt.Errorf("%w: %w", ErrOperation, err)
		}
		if err := r.checkShared(c); err != nil {
			r.record(off, depth, 0, c.ID, err)
			return r.cmdErr(off, 0, c.ID, err)
		}
		switch c.ID {
		case suit.DirectiveSetComponentIndex:
			idx, err := r.indices(c.Index)
			r.record(off, depth, firstOr(idx), c.ID, err)
			if err != nil {
				return r.cmdErr(off, 0, c.ID, err)
			}
			cur = idx
			continue
		case suit.DirectiveOverrideMultiple:
			err := r.overrideMultiple(c, depth)
			r.record(off, depth, firstOr(cur), c.ID, err)
			if err != nil {
				return r.cmdErr(off, firstOr(cur), c.ID, err)
			}
			// "The component index is set to the last component listed."
			cur = []uint64{c.Multiple[len(c.Multiple)-1].Index}
			continue
		}
		if len(cur) == 0 {
			err := errf(ErrComponent, "no component selected")
			r.record(off, depth, 0, c.ID, err)
			return r.cmdErr(off, 0, c.ID, err)
		}
		for _, ci := range cur {
			r.steps++
			if r.steps > r.p.lim.MaxCommands {
				return r.cmdErr(off, ci, c.ID, errf(ErrLimit, "more than %d commands executed", r.p.lim.MaxCommands))
			}
			slot := r.reserve(off, depth, ci, c.ID)
			if slot >= 0 && c.Kind() == suit.ArgReportingPolicy {
				r.rep.Records[slot].Policy = c.ReportingPolicy
			}
			r.measured = nil
			r.curSeq, r.curOff = seq, off
			err := r.command(c, depth, ci)
			if slot >= 0 {
				r.rep.Records[slot].Properties = r.consumed(c.ID, ci)
				r.rep.Records[slot].Measured = r.measured
			}
			r.finish(slot, err)
			if err != nil && isConditionFailure(err) {
				ce := r.cmdErr(off, ci, c.ID, err)
				if r.soft {
					return &softStop{ce}
				}
				return ce
			}
			if err != nil {
				return r.cmdErr(off, ci, c.ID, err)
			}
		}
	}
	return nil
}

// conditionFailure marks an error as a failed condition (as opposed to a
// failed directive, which always aborts).
type conditionFailure struct{ err error }

func (c *conditionFailure) Error() string { return c.err.Error() }
func (c *conditionFailure) Unwrap() error { return c.err }

func condFail(sentinel error, format string, a ...any) error {
	return &conditionFailure{errf(sentinel, format, a...)}
}

func isConditionFailure(err error) bool {
	var cf *conditionFailure
	return errors.As(err, &cf)
}

func (r *run) cmdErr(off int, comp uint64, cmd int64, err error) error {
	var ce *CommandError
	if errors.As(err, &ce) {
		return err // already located (nested sequence)
	}
	return &CommandError{Section: r.section, Offset: off, Component: comp, Command: cmd, Err: err}
}

func (r *run) record(off, depth int, comp uint64, cmd int64, err error) {
	r.finish(r.reserve(off, depth, comp, cmd), err)
}

// reserve adds a record for a command about to run, so that records list
// commands in the order they started (a try-each before its alternatives);
// finish fills in the outcome.
func (r *run) reserve(off, depth int, comp uint64, cmd int64) int {
	if len(r.rep.Records) >= maxRecords {
		r.rep.Truncated = true
		return -1
	}
	so := uint64(off)
	if off < len(r.offs) {
		so = uint64(r.base + r.offs[off])
	}
	r.rep.Records = append(r.rep.Records, Record{Manifest: r.path, Section: r.section, Offset: off, SectionOffset: so, Depth: depth, Component: comp, Command: cmd})
	return len(r.rep.Records) - 1
}

func (r *run) finish(slot int, err error) {
	var rec Record
	if slot >= 0 {
		rec = r.rep.Records[slot]
	}
	rec.Err = err
	switch {
	case err == nil:
		rec.Outcome = OK
	case errors.Is(err, ErrDeferred):
		rec.Outcome = Deferred
	case isConditionFailure(err):
		rec.Outcome = ConditionFailed
	default:
		rec.Outcome = Failed
	}
	if slot >= 0 {
		r.rep.Records[slot] = rec
	}
	if r.p.pf.Report != nil && slot >= 0 {
		r.p.pf.Report.Record(rec)
	}
}

func firstOr(idx []uint64) uint64 {
	if len(idx) > 0 {
		return idx[0]
	}
	return 0
}

// indices resolves a set-component-index argument.
// Index true selects every component and every dependency.
func (r *run) indices(ci suit.ComponentIndex) ([]uint64, error) {
	n := len(r.comps) + len(r.deps)
	if ci.All {
		if n == 0 {
			return nil, errf(ErrComponent, "set-component-index true with no components")
		}
		out := make([]uint64, 0, n)
		for i := uint64(0); i < r.nidx; i++ {
			if r.validIndex(i) {
				out = append(out, i)
			}
		}
		return out, nil
	}
	if len(ci.List) > n {
		return nil, errf(ErrComponent, "%d indices for %d components and dependencies", len(ci.List), n)
	}
	idx := ci.Indices(n)
	for _, i := range idx {
		if !r.validIndex(i) {
			return nil, errf(ErrComponent, "component index %d out of range (%d components, %d dependencies)", i, len(r.comps), len(r.deps))
		}
	}
	return idx, nil
}

// validIndex reports whether i names a component or a dependency.
func (r *run) validIndex(i uint64) bool {
	if i < uint64(len(r.comps)) {
		return true
	}
	_, ok := r.deps[i]
	return ok
}

// checkShared enforces what the shared sequence may contain: conditions,
// set-component-index, try-each, run-sequence and the commands that only
// set parameters (override-parameters, set-parameters, override-multiple,
// copy-params); no custom commands and no other side effects.
func (r *run) checkShared(c *suit.Command) error {
	if !r.shared {
		return nil
	}
	switch c.ID {
	case suit.DirectiveSetComponentIndex, suit.DirectiveOverrideParameters, suit.DirectiveTryEach, suit.DirectiveRunSequence,
		suit.DirectiveSetParameters, suit.DirectiveOverrideMultiple, suit.DirectiveCopyParams:
		return nil // these only set parameters
	}
	if c.ID >= 0 && suit.IsCondition(c.ID) {
		return nil
	}
	return errf(ErrManifest, "%s is not allowed in the shared sequence", commandName(c.ID))
}

// containsCommand reports whether seq, or a sequence nested in it, has
// command id.
func containsCommand(seq *suit.CommandSequence, id int64, depth int) bool {
	if seq == nil || depth > defaultMaxDepth {
		return false
	}
	for i := range seq.Commands {
		c := &seq.Commands[i]
		if c.ID == id {
			return true
		}
		for j := range c.TryEach {
			if containsCommand(&c.TryEach[j], id, depth+1) {
				return true
			}
		}
		if containsCommand(c.Sequence, id, depth+1) {
			return true
		}
	}
	return false
}
