package build

import (
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/suit"
)

// Dependency is a dependency manifest (draft-ietf-suit-trust-domains) a
// dependent manifest references by its manifest digest: the digest of
// the dependency's manifest bstr, which its own authentication wrapper
// also carries, so signing (or re-signing) the dependency afterwards does
// not change the reference. Each manifest is signed by its own signer;
// a device runs the dependency with its own signer's authority.
type Dependency struct {
	// Envelope is the dependency's envelope. Its manifest digest is read
	// from it; for an integrated dependency these exact bytes are carried,
	// so sign it first.
	Envelope []byte
	// URI is where a device fetches the dependency from. Empty means
	// integrated: the envelope is carried in the dependent under
	// Integrated.
	URI string
	// Integrated is the "#name" key of an integrated dependency; empty
	// selects "#dependency-N.suit".
	Integrated string
	// Prefix, when set, is written as suit-dependency-prefix.
	Prefix suit.ComponentID
}

// builderDependency is a dependency with its digest, as Build needs it.
type builderDependency struct {
	digest suit.Digest
	size   uint64 // set for integrated dependencies, whose bytes are fixed
	uri    string
	prefix suit.ComponentID
}

// AddDependency adds a dependency. The dependent then, for each
// dependency: in dependency-resolution, fetches it (from its URI or the
// integrated copy), checks it with image-match against its manifest digest
// and processes its dependency-resolution; in install, checks its own
// signature with dependency-integrity and processes its install; in
// validate, processes its validate. Dependencies are processed before the
// dependent's own images in every sequence, and take the component
// indices after the images.
func (b *Builder) AddDependency(dep Dependency) error {
	env, err := suit.Parse(dep.Envelope, &suit.Limits{MaxEnvelopeSize: max(len(dep.Envelope), 1)})
	if err != nil {
		return b.fail(fmt.Errorf("%w: dependency envelope: %v", ErrInvalid, err))
	}
	if env.Authentication == nil {
		return b.fail(fmt.Errorf("%w: dependency envelope has no authentication wrapper (no manifest digest)", ErrInvalid))
	}
	if !env.Authentication.Digest.MatchesBstr(env.ManifestBytes) {
		return b.fail(fmt.Errorf("%w: dependency envelope: its manifest digest does not match its manifest", ErrInvalid))
	}
	bd := builderDependency{digest: env.Authentication.Digest, uri: dep.URI, prefix: dep.Prefix.Clone()}
	if dep.URI == "" {
		key := dep.Integrated
		if key == "" {
			key = fmt.Sprintf("#dependency-%d.suit", len(b.dependencies))
		}
		if !strings.HasPrefix(key, "#") {
			return b.fail(fmt.Errorf("%w: integrated dependency key %q must start with '#'", ErrInvalid, key))
		}
		if err := b.addIntegrated(key, dep.Envelope); err != nil {
			return b.fail(err)
		}
		bd.uri, bd.size = key, uint64(len(dep.Envelope))
	} else if strings.HasPrefix(dep.URI, "#") {
		return b.fail(fmt.Errorf("%w: dependency URI %q: use Integrated for a carried dependency", ErrInvalid, dep.URI))
	}
	b.dependencies = append(b.dependencies, bd)
	return nil
}

// commands returns the dependency's commands for sequence key, without
// set-component-index; nil for a sequence it takes no part in.
func (d *builderDependency) commands(key int64) ([]suit.Command, error) {
	digest, err := suit.ParamDigest(suit.ParamImageDigest, d.digest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	switch key {
	case suit.ManifestDependencyResolution:
		ps := suit.Parameters{digest}
		if d.size > 0 {
			ps = append(ps, suit.ParamUint(suit.ParamImageSize, d.size))
		}
		ps = append(ps, suit.ParamText(suit.ParamURI, d.uri))
		return []suit.Command{override(ps...), directive(suit.DirectiveFetch), condition(suit.ConditionImageMatch),
			directive(suit.DirectiveProcessDependency)}, nil
	case suit.ManifestInstall:
		return []suit.Command{override(digest), condition(suit.ConditionDependencyIntegrity),
			directive(suit.DirectiveProcessDependency)}, nil
	case suit.ManifestValidate:
		return []suit.Command{directive(suit.DirectiveProcessDependency)}, nil
	}
	return nil, nil
}
