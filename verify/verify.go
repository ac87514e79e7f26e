package verify

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/profile"
	"github.com/suitkit/suitkit/suit"
)

// Verifier checks SUIT envelopes against a set of trust anchors, a
// signature policy and anti-rollback state. It is immutable after [New] and
// safe for concurrent use (if its [Store] is).
type Verifier struct {
	keys       []*Key
	distinct   int
	restricted bool // some key has component prefixes
	policy     Policy
	store      Store
	noRollback bool
	strict     bool
	minSeq     uint64
	hasMin     bool
	scope      string
	scopeFloor bool
	lim        *suit.Limits
	profile    *profile.Profile
}

// Options configures a [Verifier]. It is checked once, by [New]. A nil
// *Options is the zero value, which is safe: it verifies with the
// [RequireAny] policy and the suit package's default limits, and New
// refuses it until a rollback decision is made (Store, or
// NoRollbackCheckUnsafe).
type Options struct {
	// Policy says how many distinct trusted keys must have signed. The
	// zero value is [RequireAny]; see also [RequireAll] and
	// [RequireThreshold].
	Policy Policy

	// Store holds the device's anti-rollback floors, one per component
	// written (keyed by the device: [ComponentFloorKey]), never per a
	// field the manifest chooses. Verify rejects a manifest whose
	// sequence number is lower than the floor of a component it may
	// write ([Verified.MayWrite]), or equal to it but committed by
	// another manifest; re-installing the same manifest passes unless
	// StrictSequence. Verify only reads it; a processor checks again
	// before each component commit ([Verified.CheckWrite]) and raises the
	// floors after the update was installed ([Verifier.CommitWritten],
	// [Verifier.Commit]).
	Store Store

	// StrictSequence rejects a sequence number equal to a stored floor
	// too, even from the same manifest (TUF-like strictness; the SUIT
	// draft only forbids lower numbers).
	StrictSequence bool

	// ScopeFloor keeps, besides the component floors, one floor for the
	// whole scope (RollbackScope, or the device when it is empty): every
	// manifest must then be at least as new as the newest one committed,
	// whatever components it writes. Set it when one authority signs a
	// single series for the device; leave it off when independent series
	// update different components.
	ScopeFloor bool

	// MinSequence rejects manifests whose sequence number is below it,
	// whatever the store says (0: no minimum). It applies even with
	// NoRollbackCheckUnsafe. A MinSequence without a Store is a complete
	// rollback policy for a build or distribution service that knows the
	// oldest release it may ship: [New] accepts it without
	// NoRollbackCheckUnsafe.
	MinSequence uint64

	// RollbackScope, when not empty, prefixes every floor key with
	// scope + "|", so that floors are kept per trust domain: after
	// rotating to a new set of trust anchors under a new scope, a
	// compromised old key that signed a huge sequence number (a
	// fast-forward attack) no longer blocks updates, while the old key
	// itself is no longer trusted. The device chooses it, never the
	// manifest. [Verified.Identity] includes the prefix.
	RollbackScope string

	// Limits are the decoding caps passed to the suit codec; nil means
	// the suit package's defaults.
	Limits *suit.Limits

	// Profile, when set, restricts verification to one MTI algorithm
	// profile (package profile): a manifest digest of another algorithm,
	// or any COSE block whose algorithm is not the profile's, fails the
	// whole envelope with an error matching ErrUnsupportedAlgorithm and
	// profile.ErrProfile, even if another block would verify.
	Profile *profile.Profile

	// NoRollbackCheckUnsafe lets [New] build a Verifier without a Store.
	// Such a verifier accepts an authentic but old manifest: use it for
	// inspection tools, never on a device.
	NoRollbackCheckUnsafe bool
}

// New returns a Verifier that trusts anchors, configured by opts (nil for
// the defaults). It needs a rollback policy: a store (Options.Store), a
// minimum sequence number (Options.MinSequence, for services without
// device state), or Options.NoRollbackCheckUnsafe; and a policy that the
// anchors can meet.
func New(anchors []*Key, opts *Options) (*Verifier, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	v := &Verifier{policy: o.Policy, store: o.Store, noRollback: o.NoRollbackCheckUnsafe, strict: o.StrictSequence,
		minSeq: o.MinSequence, hasMin: o.MinSequence > 0, scope: o.RollbackScope, scopeFloor: o.ScopeFloor, profile: o.Profile}
	if o.Limits != nil {
		lim := *o.Limits
		v.lim = &lim
	}
	for _, k := range anchors {
		if k == nil {
			return nil, errors.New("verify: nil key")
		}
		v.keys = append(v.keys, k)
	}
	if len(v.keys) == 0 {
		return nil, errors.New("verify: no trusted keys")
	}
	v.distinct = len(distinctKeys(v.keys))
	for _, k := range v.keys {
		v.restricted = v.restricted || k.prefixes != nil
	}
	if v.store == nil && !v.noRollback && !v.hasMin {
		return nil, errors.New("verify: no rollback policy (set Options.Store on a device, Options.MinSequence in a build service, or Options.NoRollbackCheckUnsafe for inspection only)")
	}
	if n := v.policy.need(v.distinct); n > v.distinct {
		return nil, fmt.Errorf("verify: policy needs %d distinct keys but only %d are trusted", n, v.distinct)
	}
	return v, nil
}

// Verified is the result of a successful [Verifier.Verify]: only
// verification makes one, so a *Verified handed to a processor vouches that
// the envelope was authenticated and passed the rollback check (the zero
// value holds nothing and processors refuse it). Everything in it derives
// from a private copy of the input taken once at the start, so changing
// the caller's buffer afterwards changes nothing (threats A12).
type Verified struct {
	envelope *suit.Envelope
	// manifest is decoded from the envelope on first use (decode): Verify
	// validated it without building the command model.
	decode   sync.Once
	manifest *suit.Manifest
	digest   suit.Digest
	sequence uint64
	identity string
	mayWrite []suit.ComponentID
	signers  []*Key
	verifier *Verifier // the Verifier that made this result, for CheckWrite
}

// Envelope returns the parsed envelope, with its Manifest set (decoded
// now if [Verified.Manifest] was not called yet). Callers must not modify
// it.
func (r *Verified) Envelope() *suit.Envelope {
	if r.Manifest() == nil {
		return nil
	}
	return r.envelope
}

// Manifest returns the decoded, authenticated manifest. Verify validated
// every part of it (strictly, as [suit.Envelope.DecodeManifestForRun]
// does) but did not build the command model, which a caller that only
// verifies never needs; the first call decodes it, once, from Verify's
// private copy of the input. Callers must not modify it. It is safe for
// concurrent use.
func (r *Verified) Manifest() *suit.Manifest {
	if r == nil || r.envelope == nil {
		return nil
	}
	r.decode.Do(func() {
		var lim *suit.Limits
		if r.verifier != nil {
			lim = r.verifier.lim
		}
		// Cannot fail: CheckManifest made the same checks on the same
		// bytes. Should it fail, Manifest stays nil and processors refuse
		// the result, as they refuse a zero Verified.
		r.manifest, _ = r.envelope.DecodeManifestForRun(lim)
	})
	return r.manifest
}

// Digest returns the authenticated SUIT_Digest of the manifest bstr. With
// the sequence number it identifies the update; signature bytes never do
// (ECDSA signatures are malleable).
func (r *Verified) Digest() suit.Digest {
	if r == nil {
		return suit.Digest{}
	}
	return suit.Digest{Algorithm: r.digest.Algorithm, Value: bytes.Clone(r.digest.Value)}
}

// Sequence returns the manifest's sequence number.
func (r *Verified) Sequence() uint64 {
	if r == nil {
		return 0
	}
	return r.sequence
}

// Identity returns the manifest's own identity ([IdentityOf]), prefixed
// with Options.RollbackScope. It is informational: anti-rollback does not
// use it, because the manifest chooses it.
func (r *Verified) Identity() string {
	if r == nil {
		return ""
	}
	return r.identity
}

// Signers returns the distinct trusted keys whose blocks verified and who
// are authorised for every component of the manifest.
func (r *Verified) Signers() []*Key {
	if r == nil {
		return nil
	}
	return slices.Clone(r.signers)
}

// Text returns the manifest's text (key 23), decoded now: Verify checks
// a severed text's digest but does not decode it, since a device rarely
// needs it. It returns nil, nil when the manifest has no text, or severs it
// and the envelope does not carry it; an error matching [ErrMalformed] when
// the text is malformed.
func (r *Verified) Text() (*suit.Text, error) {
	if r.Manifest() == nil {
		return nil, nil
	}
	var lim *suit.Limits
	if r.verifier != nil {
		lim = r.verifier.lim
	}
	t, err := r.envelope.Text(lim)
	if err != nil {
		return nil, &MalformedError{Part: "text", Err: err}
	}
	return t, nil
}

// ID returns the manifest digest as "<alg>:<hex>", e.g. "-16:6658ea56...".
func (r *Verified) ID() string {
	if r == nil {
		return ""
	}
	// Built in a stack buffer: Verify computes it on every call.
	var buf [24 + 2*64]byte
	b := strconv.AppendInt(buf[:0], r.digest.Algorithm, 10)
	b = append(b, ':')
	b = hex.AppendEncode(b, r.digest.Value)
	return string(b)
}

// Verify is a shortcut for New(anchors, opts) followed by Verify(data).
func Verify(data []byte, anchors []*Key, opts *Options) (*Verified, error) {
	v, err := New(anchors, opts)
	if err != nil {
		return nil, err
	}
	return v.Verify(data)
}

// Verify authenticates the envelope in data and returns the verified
// manifest. The checks run in this order, and the manifest is not decoded
// before its signature and digest are verified:
//
//  1. data is copied once; suit.Parse strictly decodes the envelope
//     (deterministic CBOR, caps from the limits), without interpreting the
//     manifest;
//  2. an authentication wrapper with at least one COSE block is present;
//  3. the COSE blocks (Sign1, Sign, Mac0, Mac) are verified over the
//     detached payload (the encoded SUIT_Digest), each signature only with
//     trusted keys bound to its protected alg, until the policy is met;
//  4. the SUIT_Digest's algorithm is supported and it matches the manifest
//     bstr as received (head included);
//  5. the envelope has no unknown members (nothing would authenticate
//     them), and the manifest is strictly validated
//     ([suit.Envelope.CheckManifest]: every check of the decoder, but no
//     command model is built; [Verified.Manifest] builds it when asked);
//  6. every severable element present in the envelope matches its digest
//     in the manifest (hashed as received); severed command sequences are
//     then validated like the manifest, so that a malformed one is
//     rejected here, before a processor runs any command, but severed
//     text and coswid are only hashed: [Verified.Text] decodes the text
//     when asked;
//  7. every integrated payload ("#name" URI) the manifest needs outside a
//     try-each is present;
//  8. every component falls under the component prefixes of enough signers;
//  9. the sequence number is not 2^64-1 ([ErrMaxSequence]), not below
//     Options.MinSequence, and not lower than the floor of the scope
//     (Options.ScopeFloor) or of any component the manifest may write;
//     equal only if the floor was set by this same manifest (and never
//     with Options.StrictSequence).
//
// The error matches one of the package's sentinels.
func (v *Verifier) Verify(data []byte) (*Verified, error) {
	buf := bytes.Clone(data)
	env, err := suit.Parse(buf, v.lim)
	if err != nil {
		if lacksAuthWrapper(buf) {
			return nil, &AuthError{Reason: "no authentication wrapper"}
		}
		return nil, &MalformedError{Part: "envelope", Err: err}
	}
	if env.BareManifest {
		return nil, &AuthError{Reason: "a bare manifest (tag 1070) carries no authentication"}
	}
	a := env.Authentication
	if a == nil {
		return nil, &AuthError{Reason: "no authentication wrapper"}
	}
	if len(a.Blocks) == 0 {
		return nil, &AuthError{Reason: "the authentication wrapper holds only a digest, no COSE block"}
	}
	if v.profile != nil {
		if err := v.checkProfile(a); err != nil {
			return nil, err
		}
	}
	signers, err := v.authenticate(a)
	if err != nil {
		return nil, err
	}
	if err := checkManifestDigest(a.Digest, env.ManifestBytes); err != nil {
		return nil, err
	}
	if len(env.Extensions) > 0 {
		what := "an unknown member"
		if k, ok := env.Extensions[0].KeyInt(); ok {
			what = fmt.Sprintf("unknown member %d", k)
		}
		return nil, &MalformedError{Part: "envelope", Err: fmt.Errorf("%s: nothing authenticates it", what)}
	}
	return v.checkManifest(env, signers)
}

// checkManifest makes the checks that follow authentication (steps 5-9 of
// Verify) on the authenticated envelope env, whose blocks signers
// verified, and returns the result.
func (v *Verifier) checkManifest(env *suit.Envelope, signers []*Key) (*Verified, error) {
	// Validates the manifest and checks every severed element the
	// envelope carries against its digest (step 6), as
	// DecodeManifestForRun would, without building the command model:
	// Manifest decodes it when a processor asks.
	o, err := env.CheckManifest(v.lim)
	if err != nil {
		return nil, v.manifestError(env, err)
	}
	facts := walkManifest(env, o)
	if err := facts.missingPayload(); err != nil {
		return nil, err
	}
	signers, err = v.authorise(o.Components(), signers)
	if err != nil {
		return nil, err
	}
	res := &Verified{
		envelope: env,
		digest:   env.Authentication.Digest,
		sequence: o.SequenceNumber(),
		identity: v.identity(facts.identity(o)),
		mayWrite: facts.mayWrite(o.Components()),
		signers:  signers,
		verifier: v,
	}
	if err := v.checkFloors(res, res.mayWrite); err != nil {
		return nil, err
	}
	return res, nil
}

// manifestError classifies a DecodeManifest failure. When the envelope
// carries severed elements, the manifest is decoded once more without them
// so that a severed element the manifest does not sever, or one that does
// not match, is reported as ErrSeveredMismatch rather than malformed.
func (v *Verifier) manifestError(env *suit.Envelope, err error) error {
	if errors.Is(err, suit.ErrDigestMismatch) {
		return &DigestError{What: "severed element", Err: err, severed: true}
	}
	if len(env.Severed) > 0 {
		bare := *env
		bare.Severed = nil
		if m, err2 := bare.DecodeManifestForRun(v.lim); err2 == nil {
			if serr := checkSevered(env, m); serr != nil {
				return serr
			}
		}
	}
	return &MalformedError{Part: "manifest", Err: err}
}

func (v *Verifier) identity(id string) string {
	if v.scope == "" {
		return id
	}
	return v.scope + "|" + id
}

// lacksAuthWrapper reports whether data is a CBOR map (tagged 107 or not)
// without key 2, so that an envelope without authentication is reported
// as unauthenticated rather than malformed. It is used only after Parse
// failed.
func lacksAuthWrapper(data []byte) bool {
	r := &cborReader{b: data}
	m, n, err := r.head()
	if err == nil && m == cbor.Tag && n == 107 {
		m, n, err = r.head()
	}
	if err != nil || m != cbor.Map {
		return false
	}
	found := false
	err = r.mapItems(n, 1, func(key []byte) error {
		found = found || labelInt(key) == 2
		return r.skip(1)
	})
	return err == nil && !found
}

// checkManifestDigest compares the authenticated SUIT_Digest with the
// digest of the manifest bstr as received, head included.
func checkManifestDigest(d suit.Digest, manifest []byte) error {
	if suit.DigestSize(d.Algorithm) == 0 {
		return &AlgorithmError{Kind: "digest", Algorithm: d.Algorithm, Reason: "is not supported"}
	}
	if d.MatchesBstr(manifest) {
		return nil
	}
	got, _ := suit.ComputeDigest(d.Algorithm, suit.BstrItem(manifest))
	return &DigestError{What: "manifest", Algorithm: d.Algorithm, Want: d.Value, Got: got.Value}
}

// authenticate verifies the COSE blocks over the detached payload and
// applies the policy. It returns the distinct keys that verified a block.
func (v *Verifier) authenticate(a *suit.Authentication) ([]*Key, error) {
	var sigBuf [4]coseSig
	var tbsBuf [maxTBS]byte
	var signers []*Key
	var blockErrs []error
	need := v.policy.need(v.distinct)
	for i, b := range a.Blocks {
		// Stop once the policy is met, unless component prefixes may
		// later disqualify some signers.
		if len(signers) >= need && !v.restricted {
			break
		}
		sigs, err := parseBlock(b, sigBuf[:0])
		if err != nil {
			blockErrs = append(blockErrs, &BlockError{Index: i, Err: classifyCOSE(err)})
			continue
		}
		for _, s := range sigs {
			k, err := v.verifySig(&s, tbsBuf[:0], a.DigestBytes)
			if err != nil {
				blockErrs = append(blockErrs, &BlockError{Index: i, Err: err})
				continue
			}
			signers = addSigner(signers, k)
		}
	}
	if len(signers) >= need {
		return signers, nil
	}
	reason := "no block verified by a trusted key"
	if len(signers) > 0 {
		reason = fmt.Sprintf("policy requires %s (%d), %d signed", v.policy, need, len(signers))
	}
	return nil, &AuthError{Reason: reason, Blocks: blockErrs}
}

// verifySig tries every trusted key bound to the signature's protected alg.
// The kid header is not consulted: the trust store alone decides.
func (v *Verifier) verifySig(s *coseSig, buf, payload []byte) (*Key, error) {
	kind := "signature"
	if s.mac {
		kind = "MAC"
	}
	if !algKnown(s.alg, s.mac) {
		return nil, &AlgorithmError{Kind: kind, Algorithm: s.alg, Reason: "is not supported"}
	}
	tbs := s.toBeSigned(buf, payload)
	tried := false
	for _, k := range v.keys {
		if !k.Allows(keys.Algorithm(s.alg)) {
			continue
		}
		tried = true
		if verifyWith(k, keys.Algorithm(s.alg), tbs, s.val) {
			return k, nil
		}
	}
	if !tried {
		return nil, &AlgorithmError{Kind: kind, Algorithm: s.alg, Reason: "is not bound to any trusted key"}
	}
	return nil, errBadSignature
}

// classifyCOSE keeps unsupported-algorithm and critical-header errors and
// marks every other parse failure malformed.
func classifyCOSE(err error) error {
	if errors.Is(err, ErrUnsupportedAlgorithm) || errors.Is(err, ErrUnsupportedHeader) {
		return err
	}
	return &MalformedError{Part: "COSE structure", Err: err}
}

// addSigner adds k unless a key with the same fingerprint is already there:
// one key counts once however many blocks it signed.
func addSigner(signers []*Key, k *Key) []*Key {
	for _, s := range signers {
		if s.id == k.id {
			return signers
		}
	}
	return append(signers, k)
}

func distinctKeys(anchors []*Key) []*Key {
	var out []*Key
	for _, k := range anchors {
		out = addSigner(out, k)
	}
	return out
}

// authorise keeps the signers whose component prefixes cover every
// component in comps (the manifest's), and fails when fewer remain than the policy needs.
func (v *Verifier) authorise(comps []suit.ComponentID, signers []*Key) ([]*Key, error) {
	restricted := false
	for _, k := range signers {
		restricted = restricted || k.prefixes != nil
	}
	if !restricted {
		return signers, nil
	}
	var ok []*Key
	var denied suit.ComponentID
	for _, k := range signers {
		all := true
		for _, c := range comps {
			if !k.authorises(c) {
				all = false
				if denied == nil {
					denied = c
				}
				break
			}
		}
		if all {
			ok = append(ok, k)
		}
	}
	if len(ok) < v.policy.need(v.distinct) {
		return nil, &ComponentError{Component: denied}
	}
	return ok, nil
}

// checkProfile refuses an authentication wrapper with a digest or a block
// outside the verifier's profile.
func (v *Verifier) checkProfile(a *suit.Authentication) error {
	if err := v.profile.CheckDigest(a.Digest.Algorithm); err != nil {
		return &AlgorithmError{Kind: "digest", Algorithm: a.Digest.Algorithm, Reason: "is outside the profile", Err: err}
	}
	var sigBuf [4]coseSig
	for i, b := range a.Blocks {
		sigs, err := parseBlock(b, sigBuf[:0])
		if err != nil {
			return &BlockError{Index: i, Err: classifyCOSE(err)}
		}
		for _, s := range sigs {
			if err := v.profile.CheckAuth(keys.Algorithm(s.alg)); err != nil {
				return &BlockError{Index: i, Err: &AlgorithmError{Kind: "signature", Algorithm: s.alg, Reason: "is outside the profile", Err: err}}
			}
		}
	}
	return nil
}
