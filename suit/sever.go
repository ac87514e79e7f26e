package suit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ElementKey returns the key of a severable element named by its short
// name ("install", "text", "payload-fetch", "coswid",
// "dependency-resolution", "candidate-verification"), its IANA name
// ("suit-install") or its number ("20").
func ElementKey(name string) (int64, bool) {
	n := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "suit-")
	for _, s := range severableNames {
		if n == s.name || n == strconv.FormatInt(s.key, 10) {
			return s.key, true
		}
	}
	return 0, false
}

// ElementName returns the short name of a severable element key
// ("install"), or its number if it is not severable.
func ElementName(key int64) string {
	for _, s := range severableNames {
		if s.key == key {
			return s.name
		}
	}
	return strconv.FormatInt(key, 10)
}

// SeverOptions controls [Sever]. The zero value severs every inline
// severable member with SHA-256 and refuses to touch a signed envelope.
type SeverOptions struct {
	// Elements lists the manifest keys to sever (see [ElementKey]); nil
	// means every severable member that is inline and not smaller than
	// its SUIT_Digest would be (the draft says authors SHOULD NOT sever
	// those: it only makes the manifest larger). A listed element the
	// manifest does not have is an error; one already severed is skipped.
	Elements []int64
	// DigestAlgorithm is the COSE digest algorithm for the new
	// SUIT_Digests (severed members and the manifest digest); 0 means
	// SHA-256.
	DigestAlgorithm int64
	// DropSignatures allows severing an envelope that already carries
	// authentication blocks. Severing changes the manifest, so those
	// blocks can no longer verify; they are removed and the envelope must
	// be signed again.
	DropSignatures bool
}

// Sever moves inline severable members out of the manifest into the
// envelope, author side, before signing: each member's exact bstr content
// goes to env.Severed under the same key and the manifest holds its
// SUIT_Digest over BstrItem(content) instead. The manifest is
// re-encoded (env.ManifestBytes and env.Manifest change) and the
// authentication wrapper gets the new manifest digest.
//
// It returns the keys severed, ascending; nil when there was nothing to do
// (env unchanged). An envelope with authentication blocks is refused with
// [ErrSigned] unless opt.DropSignatures is set. Before changing anything it
// checks that the manifest re-encodes to exactly the received bytes, so
// that only the severed members change.
func Sever(env *Envelope, opt *SeverOptions) ([]int64, error) {
	if opt == nil {
		opt = &SeverOptions{}
	}
	m, err := decodedManifest(env)
	if err != nil {
		return nil, err
	}
	alg := opt.DigestAlgorithm
	if alg == 0 {
		alg = AlgSHA256
	}
	keys := opt.Elements
	explicit := keys != nil
	if !explicit {
		keys = SeverableKeys()
	}
	type cut struct {
		member  SeverableMember
		key     int64
		content []byte
		digest  Digest
	}
	var cuts []cut
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		if !isSeverable(k) {
			return nil, &ElementError{Key: k, Reason: "is not a severable element"}
		}
		content, severed, present, err := inlineMember(m, k)
		if err != nil {
			return nil, err
		}
		if !present {
			if explicit {
				return nil, &ElementError{Key: ElementName(k), Reason: "the manifest has no such member"}
			}
			continue
		}
		if severed {
			continue
		}
		d, err := digestOf(alg, content)
		if err != nil {
			return nil, err
		}
		if !explicit {
			enc, err := d.Encode()
			if err != nil {
				return nil, err
			}
			if len(BstrItem(content)) < len(enc) {
				continue // smaller inline than severed
			}
		}
		cuts = append(cuts, cut{m.Severable(k), k, content, d})
	}
	if len(cuts) == 0 {
		return nil, nil
	}
	if env.Authentication != nil && len(env.Authentication.Blocks) > 0 && !opt.DropSignatures {
		return nil, fmt.Errorf("%w: severing changes the manifest and would invalidate %d authentication block(s); sever before signing or allow dropping them", ErrSigned, len(env.Authentication.Blocks))
	}
	if env.ManifestBytes != nil {
		again, err := m.Encode()
		if err != nil || !bytes.Equal(again, env.ManifestBytes) {
			return nil, fmt.Errorf("%w: the manifest does not re-encode to its received bytes (%v); refusing to rewrite it", ErrEnvelope, err)
		}
	}
	for _, c := range cuts {
		c.member.setDigest(&c.digest)
	}
	newBytes, err := m.Encode()
	if err != nil {
		for _, c := range cuts {
			c.member.setDigest(nil)
		}
		return nil, fmt.Errorf("%w: re-encoding the severed manifest: %w", ErrEnvelope, err)
	}
	md, err := digestOf(alg, newBytes)
	if err != nil {
		return nil, err
	}
	mdb, err := md.Encode()
	if err != nil {
		return nil, err
	}
	if env.Severed == nil {
		env.Severed = map[int64][]byte{}
	}
	done := make([]int64, 0, len(cuts))
	for _, c := range cuts {
		env.Severed[c.key] = c.content
		done = append(done, c.key)
	}
	m.Raw = newBytes
	env.ManifestBytes = newBytes
	env.Manifest = m
	env.Authentication = &Authentication{DigestBytes: mdb, Digest: md}
	return done, nil
}

// inlineMember reports member k of m: its exact inline bstr content (nil
// when severed), whether it is severed, and whether it is present.
func inlineMember(m *Manifest, k int64) (content []byte, severed, present bool, err error) {
	mem := m.Severable(k)
	switch {
	case mem == nil:
		return nil, false, false, nil
	case mem.Severed():
		return nil, true, true, nil
	case !mem.HasContent():
		return nil, false, false, nil
	}
	if content, err = mem.content(); err != nil {
		return nil, false, false, fmt.Errorf("%w: encoding %s: %w", ErrEnvelope, ElementName(k), err)
	}
	return content, false, true, nil
}

// severedDigest returns the digest the manifest holds for severed member k,
// or nil if k is absent or inline.
func severedDigest(m *Manifest, k int64) *Digest {
	if mem := m.Severable(k); mem != nil {
		return mem.SeveredDigest()
	}
	return nil
}

// Strip removes the envelope copies of severed elements, for distribution
// to devices that do not need them (example-2 → example-2-severed). keys
// selects which (see [ElementKey]); none means all. The manifest and the
// authentication wrapper are not touched, so signatures stay valid. It
// returns the keys removed, ascending.
func Strip(env *Envelope, keys ...int64) []int64 {
	if env == nil {
		return nil
	}
	var removed []int64
	for k := range env.Severed {
		if len(keys) == 0 || slices.Contains(keys, k) {
			removed = append(removed, k)
		}
	}
	slices.Sort(removed)
	for _, k := range removed {
		delete(env.Severed, k)
		if m := env.Manifest; m != nil {
			if mem := m.Severable(k); mem != nil {
				mem.dropContent()
			}
		}
	}
	return removed
}

// Attach puts a severed element back into the envelope: content is the
// element's bstr content (what [Strip] removed). The manifest must sever
// member key and its digest must match BstrItem(content), otherwise
// the error matches [ErrElement]. The content is then decoded with the
// manifest (env.Manifest is refreshed); on any error env is unchanged.
// The manifest and signatures are not affected.
func Attach(env *Envelope, key int64, content []byte) error {
	m, err := decodedManifest(env)
	if err != nil {
		return err
	}
	if !isSeverable(key) {
		return &ElementError{Key: key, Reason: "is not a severable element"}
	}
	d := severedDigest(m, key)
	if d == nil {
		return &ElementError{Key: ElementName(key), Reason: "the manifest does not sever this member"}
	}
	if !d.Matches(BstrItem(content)) {
		return &ElementError{Key: ElementName(key), Reason: "content does not match the manifest's digest"}
	}
	old, had := env.Severed[key]
	if env.Severed == nil {
		env.Severed = map[int64][]byte{}
	}
	env.Severed[key] = bytes.Clone(content)
	env.Manifest = nil
	if _, err := env.DecodeManifest(nil); err != nil {
		if had {
			env.Severed[key] = old
		} else {
			delete(env.Severed, key)
		}
		env.Manifest = m
		return &ElementError{Key: ElementName(key), Reason: "content does not decode", Err: err}
	}
	return nil
}

// AttachFrom attaches to dst every severed element src carries that dst's
// manifest severs and dst lacks (typically src is the full envelope and dst
// its stripped copy). A carried element whose digest does not match is an
// error matching [ErrElement]. It returns the keys attached, ascending.
func AttachFrom(dst, src *Envelope) ([]int64, error) {
	if src == nil {
		return nil, fmt.Errorf("%w: nil source envelope", ErrEnvelope)
	}
	m, err := decodedManifest(dst)
	if err != nil {
		return nil, err
	}
	var done []int64
	for _, sv := range severableNames {
		k := sv.key
		content, ok := src.Severed[k]
		if !ok || severedDigest(m, k) == nil {
			continue
		}
		if _, have := dst.Severed[k]; have {
			continue
		}
		if err := Attach(dst, k, content); err != nil {
			return done, err
		}
		m = dst.Manifest
		done = append(done, k)
	}
	return done, nil
}

// MaxPayloadNameSize caps the length of an integrated payload's name.
const MaxPayloadNameSize = 1024

// AddPayload adds an integrated payload: the envelope member with text key
// name (a URI fragment such as "#firmware.bin", which a fetch with uri
// "#firmware.bin" resolves) and bstr value data. Integrated payloads are
// outside the signature, so signatures stay valid; the manifest's image
// digest is what authenticates the payload. The name must start with '#',
// be valid UTF-8 without control characters and at most
// MaxPayloadNameSize bytes; adding a name that already holds different
// bytes is an error (both match [ErrElement]).
func AddPayload(env *Envelope, name string, data []byte) error {
	if env == nil {
		return fmt.Errorf("%w: nil envelope", ErrEnvelope)
	}
	if err := checkPayloadName(name); err != nil {
		return err
	}
	if old, ok := env.Integrated[name]; ok {
		if bytes.Equal(old, data) {
			return nil
		}
		return &ElementError{Key: name, Reason: "the envelope already holds a different payload under this name"}
	}
	if env.Integrated == nil {
		env.Integrated = map[string][]byte{}
	}
	env.Integrated[name] = bytes.Clone(data)
	return nil
}

func checkPayloadName(name string) error {
	switch {
	case len(name) < 2 || name[0] != '#':
		return &ElementError{Key: name, Reason: `integrated payload names are URI fragments: "#" then at least one character`}
	case len(name) > MaxPayloadNameSize:
		return &ElementError{Key: name[:32] + "...", Reason: fmt.Sprintf("name longer than %d bytes", MaxPayloadNameSize)}
	case !utf8.ValidString(name):
		return &ElementError{Key: name, Reason: "name is not valid UTF-8"}
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		return &ElementError{Key: name, Reason: "name contains white space or control characters"}
	}
	return nil
}

// digestOf returns the SUIT_Digest of content's bstr item with alg.
func digestOf(alg int64, content []byte) (Digest, error) {
	d, err := ComputeDigest(alg, BstrItem(content))
	if err != nil {
		return Digest{}, fmt.Errorf("%w: digest algorithm %d: %w", ErrEnvelope, alg, err)
	}
	return d, nil
}

// decodedManifest returns env's decoded manifest, decoding it if needed.
func decodedManifest(env *Envelope) (*Manifest, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: nil envelope", ErrEnvelope)
	}
	if env.Manifest != nil {
		return env.Manifest, nil
	}
	m, err := env.DecodeManifest(nil)
	if err != nil {
		if errors.Is(err, ErrDigestMismatch) {
			return nil, &ElementError{Key: "severed element", Reason: "does not match the manifest's digest", Err: err}
		}
		return nil, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	return m, nil
}
