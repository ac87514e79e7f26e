package verify

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// DependencyAuth says how a dependency manifest (draft-ietf-suit-trust-domains)
// is authenticated before any of its commands may run.
type DependencyAuth int

const (
	// BySignature: suit-condition-dependency-integrity. The dependency's
	// own authentication blocks must verify with the Verifier's trust
	// anchors under its policy, and its signers must be authorised for
	// every component it names (their component prefixes): it acts with
	// its own signers' authority, not its dependent's.
	BySignature DependencyAuth = iota
	// ByDeclaredDigest: suit-condition-image-match on a dependency. The
	// digest the authenticated dependent declared (covered by the
	// dependent's signature) vouches for the dependency's manifest, so its
	// own signature is not required. When its own signature does verify
	// with the trust anchors it acts with its own signers' authority;
	// otherwise with the authority of the dependent's signers. Either
	// way those signers must be authorised for every component it names.
	ByDeclaredDigest
)

// String names the method for messages.
func (a DependencyAuth) String() string {
	if a == ByDeclaredDigest {
		return "declared digest"
	}
	return "signature"
}

// VerifyDependency authenticates the envelope data of a dependency that
// the authenticated manifest r declares with digest want (its
// suit-parameter-image-digest for the dependency's index). The digest of a
// dependency covers its manifest bstr, as its authentication wrapper's
// digest does, so re-signing a dependency does not change it. It checks,
// in order:
//
//  1. data is a well-formed envelope whose authentication-wrapper digest
//     equals want and matches the manifest bstr ([suit.ErrDigestMismatch]);
//  2. with BySignature, the authentication blocks verify with the trust
//     anchors under the policy ([ErrUnauthenticated]); with
//     ByDeclaredDigest they may, else the dependency inherits r's signers;
//  3. the manifest decodes, and the signers are authorised for every
//     component it names ([ErrUnauthorizedComponent]);
//  4. the anti-rollback floors of every component it may write, as for
//     [Verifier.Verify] ([ErrRollback]).
//
// The result is used like one from Verify: its CheckWrite guards each
// commit and [Verifier.Commit] raises its floors once the whole tree of
// manifests succeeded.
func (r *Verified) VerifyDependency(data []byte, want suit.Digest, how DependencyAuth) (*Verified, error) {
	if r == nil || r.verifier == nil || r.envelope == nil {
		return nil, errors.New("verify: a dependency needs an authenticated dependent")
	}
	v := r.verifier
	buf := bytes.Clone(data)
	env, err := suit.Parse(buf, v.lim)
	if err != nil {
		return nil, &MalformedError{Part: "dependency envelope", Err: err}
	}
	if env.BareManifest || env.Authentication == nil {
		return nil, &AuthError{Reason: "the dependency has no authentication wrapper"}
	}
	a := env.Authentication
	if !a.Digest.Equal(want) {
		return nil, &DigestError{What: "dependency manifest", Algorithm: want.Algorithm, Want: want.Value, Got: a.Digest.Value}
	}
	if err := checkManifestDigest(a.Digest, env.ManifestBytes); err != nil {
		return nil, err
	}
	var signers []*Key
	switch how {
	case BySignature:
		if len(a.Blocks) == 0 {
			return nil, &AuthError{Reason: "the dependency's authentication wrapper holds only a digest, no COSE block"}
		}
		if signers, err = v.authenticate(a); err != nil {
			return nil, fmt.Errorf("dependency: %w", err)
		}
	case ByDeclaredDigest:
		// Its own trusted signers, when its signature verifies, decide
		// what it may touch; otherwise the dependent's, who vouched for
		// these exact bytes.
		signers = r.signers
		if len(a.Blocks) > 0 {
			if own, err := v.authenticate(a); err == nil {
				signers = own
			}
		}
	default:
		return nil, fmt.Errorf("verify: unknown dependency authentication %d", how)
	}
	if len(env.Extensions) > 0 {
		return nil, &MalformedError{Part: "dependency envelope", Err: errors.New("an unknown member: nothing authenticates it")}
	}
	return v.checkManifest(env, signers)
}
