package suit

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

func parseIETF(t *testing.T, name string) *Envelope {
	t.Helper()
	env, err := Parse(testshared.Conformance(t, name), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return env
}

func encode(t *testing.T, env *Envelope) []byte {
	t.Helper()
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Stripping the severed copies of example-2 gives example-2-severed byte
// for byte, with the same signature.
func TestStripExample2MatchesSeveredVector(t *testing.T) {
	for _, pair := range [][2]string{{"example-2.suit", "example-2-severed.suit"}, {"example-2-unsigned.suit", "example-2-severed-unsigned.suit"}} {
		env := parseIETF(t, pair[0])
		removed := Strip(env)
		if !slices.Equal(removed, []int64{20, 23}) {
			t.Fatalf("removed %v", removed)
		}
		if got := encode(t, env); !bytes.Equal(got, testshared.Conformance(t, pair[1])) {
			t.Fatalf("%s stripped != %s:\n got %x", pair[0], pair[1], got)
		}
	}
	env := parseIETF(t, "example-2.suit")
	if removed := Strip(env, ManifestText); !slices.Equal(removed, []int64{23}) || env.Severed[20] == nil {
		t.Fatalf("selective strip removed %v", removed)
	}
}

// Attaching the elements back to example-2-severed gives example-2 byte for
// byte; a tampered element is refused and leaves the envelope unchanged.
func TestAttachRestoresExample2(t *testing.T) {
	full := parseIETF(t, "example-2.suit")
	env := parseIETF(t, "example-2-severed.suit")
	bad := bytes.Clone(full.Severed[23])
	bad[len(bad)-1] ^= 1
	err := Attach(env, ManifestText, bad)
	var ee *ElementError
	if !errors.Is(err, ErrElement) || !errors.As(err, &ee) {
		t.Fatalf("tampered text: %v", err)
	}
	if err := Attach(env, ManifestText, full.Severed[20]); !errors.Is(err, ErrElement) {
		t.Fatalf("install content offered as text: %v", err)
	}
	if !bytes.Equal(encode(t, env), testshared.Conformance(t, "example-2-severed.suit")) {
		t.Fatal("failed attach changed the envelope")
	}
	for _, k := range []int64{ManifestInstall, ManifestText} {
		if err := Attach(env, k, full.Severed[k]); err != nil {
			t.Fatalf("attach %d: %v", k, err)
		}
	}
	if !bytes.Equal(encode(t, env), testshared.Conformance(t, "example-2.suit")) {
		t.Fatal("attached envelope != example-2")
	}
	if env.Manifest == nil || env.Manifest.Install.Sequence == nil || env.Manifest.Text.Text == nil {
		t.Fatal("attached elements not decoded into the manifest")
	}

	env = parseIETF(t, "example-2-severed.suit")
	done, err := AttachFrom(env, parseIETF(t, "example-2.suit"))
	if err != nil || !slices.Equal(done, []int64{20, 23}) {
		t.Fatalf("AttachFrom: %v %v", done, err)
	}
	if !bytes.Equal(encode(t, env), testshared.Conformance(t, "example-2.suit")) {
		t.Fatal("AttachFrom result != example-2")
	}

	ex0 := parseIETF(t, "example-0.suit")
	if err := Attach(ex0, ManifestInstall, full.Severed[20]); !errors.Is(err, ErrElement) {
		t.Fatalf("attach to a manifest without install: %v", err)
	}
	if err := Attach(ex0, ManifestValidate, []byte{0x80}); !errors.Is(err, ErrElement) {
		t.Fatalf("attach unseverable key: %v", err)
	}
}

// inlineExample2 returns example 2 with install and text inline in the
// manifest (the author's form before severing), unsigned.
func inlineExample2(t *testing.T) *Envelope {
	t.Helper()
	env, err := Decode(testshared.Conformance(t, "example-2.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := env.Manifest
	m.Install.Digest, m.Text.Digest = nil, nil
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ComputeDigest(AlgSHA256, BstrItem(mb))
	inline, err := Decode(encode(t, &Envelope{Tagged: true, ManifestBytes: mb, Authentication: &Authentication{Digest: d}}), nil)
	if err != nil {
		t.Fatalf("inline example 2 does not decode: %v", err)
	}
	return inline
}

// Severing the inline form of example 2 reproduces the draft's severed
// manifest, severed elements and manifest digest exactly (sign's tests
// check that signing it then reproduces example-2 but for the signature).
func TestSeverReproducesExample2(t *testing.T) {
	want := parseIETF(t, "example-2.suit")
	env := inlineExample2(t)
	if len(env.ManifestBytes) <= len(want.ManifestBytes) {
		t.Fatal("inline manifest is not larger than the severed one")
	}
	done, err := Sever(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(done, []int64{20, 23}) {
		t.Fatalf("severed %v", done)
	}
	if !bytes.Equal(env.ManifestBytes, want.ManifestBytes) {
		t.Fatalf("severed manifest differs:\n got %x\nwant %x", env.ManifestBytes, want.ManifestBytes)
	}
	if !maps.EqualFunc(env.Severed, want.Severed, bytes.Equal) {
		t.Fatal("severed elements differ")
	}
	if !bytes.Equal(env.Authentication.DigestBytes, want.Authentication.DigestBytes) {
		t.Fatal("manifest digest differs")
	}
	if !bytes.Equal(encode(t, env), testshared.Conformance(t, "example-2-unsigned.suit")) {
		t.Fatal("severed unsigned envelope != example-2-unsigned")
	}
	// Nothing left to sever: no change.
	if done, err := Sever(env, nil); err != nil || done != nil {
		t.Fatalf("second sever: %v %v", done, err)
	}
}

// signedInlineExample2 is inlineExample2 with an authentication block (the
// draft's signature of example 2, which Sever does not check: it only
// matters that the envelope is signed).
func signedInlineExample2(t *testing.T) *Envelope {
	t.Helper()
	env := inlineExample2(t)
	env.Authentication.Blocks = parseIETF(t, "example-2.suit").Authentication.Blocks
	return env
}

func TestSeverRefusesToInvalidateSignatures(t *testing.T) {
	env := signedInlineExample2(t)
	before := encode(t, env)
	if _, err := Sever(env, nil); !errors.Is(err, ErrSigned) {
		t.Fatalf("err = %v", err)
	}
	if !bytes.Equal(encode(t, env), before) {
		t.Fatal("refused sever changed the envelope")
	}
	done, err := Sever(env, &SeverOptions{Elements: []int64{ManifestText}, DropSignatures: true, DigestAlgorithm: AlgSHA384})
	if err != nil || !slices.Equal(done, []int64{23}) {
		t.Fatalf("sever text: %v %v", done, err)
	}
	if len(env.Authentication.Blocks) != 0 || env.Authentication.Digest.Algorithm != AlgSHA384 {
		t.Fatalf("auth after drop: %d blocks, alg %d", len(env.Authentication.Blocks), env.Authentication.Digest.Algorithm)
	}
	if d := env.Manifest.Text.Digest; d == nil || d.Algorithm != AlgSHA384 || !d.Matches(BstrItem(env.Severed[23])) {
		t.Fatal("text digest wrong")
	}
	if env.Manifest.Install.Severed() {
		t.Fatal("install severed though only text was asked")
	}
	// The result decodes (sign's tests check that it signs again).
	if _, err := Decode(encode(t, env), nil); err != nil {
		t.Fatal(err)
	}
}

func TestSeverRejectsUnknownOrMissingElements(t *testing.T) {
	env := parseIETF(t, "example-0-unsigned.suit")
	if _, err := Sever(env, &SeverOptions{Elements: []int64{ManifestInstall}}); !errors.Is(err, ErrElement) {
		t.Fatalf("missing install: %v", err)
	}
	if _, err := Sever(env, &SeverOptions{Elements: []int64{ManifestValidate}}); !errors.Is(err, ErrElement) {
		t.Fatalf("validate: %v", err)
	}
	if _, err := Sever(env, &SeverOptions{DigestAlgorithm: 99}); err != nil {
		t.Fatalf("nothing to sever must not fail: %v", err)
	}
	inline := inlineExample2(t)
	if _, err := Sever(inline, &SeverOptions{DigestAlgorithm: 99}); !errors.Is(err, ErrEnvelope) {
		t.Fatalf("unknown digest alg: %v", err)
	}
}

func TestElementNames(t *testing.T) {
	for _, k := range SeverableKeys() {
		got, ok := ElementKey(ElementName(k))
		if !ok || got != k {
			t.Errorf("%d: %v %v", k, got, ok)
		}
	}
	for in, want := range map[string]int64{"suit-install": 20, "TEXT": 23, "16": 16} {
		if got, ok := ElementKey(in); !ok || got != want {
			t.Errorf("ElementKey(%q) = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "validate", "7", "suit-manifest"} {
		if _, ok := ElementKey(in); ok {
			t.Errorf("ElementKey(%q) accepted", in)
		}
	}
}

// Integrated payloads are outside the signature: adding one keeps the
// manifest and authentication bytes unchanged (sign's tests check that the
// signature still verifies).
func TestAddPayloadKeepsSignature(t *testing.T) {
	env := parseIETF(t, "example-0.suit")
	fw := []byte("firmware image")
	if err := AddPayload(env, "#fw.bin", fw); err != nil {
		t.Fatal(err)
	}
	out := encode(t, env)
	back, err := Parse(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	orig := parseIETF(t, "example-0.suit")
	if !bytes.Equal(back.Integrated["#fw.bin"], fw) || !bytes.Equal(back.ManifestBytes, orig.ManifestBytes) ||
		!bytes.Equal(back.Authentication.Blocks[0], orig.Authentication.Blocks[0]) {
		t.Fatal("payload not added, or signed parts changed")
	}
	if err := AddPayload(env, "#fw.bin", fw); err != nil {
		t.Fatalf("re-adding identical payload: %v", err)
	}
	if err := AddPayload(env, "#fw.bin", []byte("other")); !errors.Is(err, ErrElement) {
		t.Fatalf("replacing payload: %v", err)
	}
	for _, name := range []string{"", "#", "fw.bin", "# fw", "#a\x00b", "#\xff", "#" + string(bytes.Repeat([]byte("a"), MaxPayloadNameSize))} {
		if err := AddPayload(env, name, fw); !errors.Is(err, ErrElement) {
			t.Errorf("name %q: %v", name, err)
		}
	}
}

// The draft: authors SHOULD NOT sever elements smaller than their digest.
func TestSeverKeepsTinyMembersInlineUnlessAsked(t *testing.T) {
	env, err := Decode(testshared.Conformance(t, "example-0-unsigned.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	env.Manifest.Install = &SeverableSequence{Sequence: env.Manifest.Validate} // 3 bytes
	env.ManifestBytes, _ = env.Manifest.Encode()
	env.Authentication = nil
	if done, err := Sever(env, nil); err != nil || done != nil {
		t.Fatalf("auto sever of a 3-byte install: %v %v", done, err)
	}
	if done, err := Sever(env, &SeverOptions{Elements: []int64{ManifestInstall}}); err != nil || !slices.Equal(done, []int64{20}) {
		t.Fatalf("explicit sever: %v %v", done, err)
	}
}

// Severable maps every severable key to its field, and nothing else: an
// absent member is a nil interface, never a typed nil.
func TestSeverableMapsKeysToFields(t *testing.T) {
	m := &Manifest{
		Coswid:                &SeverableBytes{Raw: []byte{0xa0}},
		DependencyResolution:  &SeverableSequence{},
		PayloadFetch:          &SeverableSequence{},
		CandidateVerification: &SeverableSequence{},
		Install:               &SeverableSequence{},
		Text:                  &SeverableText{},
	}
	want := map[int64]SeverableMember{
		ManifestCoswid: m.Coswid, ManifestDependencyResolution: m.DependencyResolution,
		ManifestPayloadFetch: m.PayloadFetch, ManifestCandidateVerification: m.CandidateVerification,
		ManifestInstall: m.Install, ManifestText: m.Text,
	}
	if keys := SeverableKeys(); !slices.Equal(keys, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("SeverableKeys() = %v", keys)
	}
	for k, w := range want {
		if got := m.Severable(k); got != w {
			t.Errorf("Severable(%d) = %#v, want the %s field", k, got, ElementName(k))
		}
	}
	for _, k := range []int64{0, ManifestValidate, ManifestInvoke, ManifestUninstall, ManifestCommon, 99} {
		if got := m.Severable(k); got != nil {
			t.Errorf("Severable(%d) = %#v for a key that is not severable", k, got)
		}
	}
	if got := (&Manifest{}).Severable(ManifestInstall); got != nil {
		t.Errorf("absent install: %#v, want a nil interface", got)
	}
	d := &Digest{Algorithm: AlgSHA256, Value: make([]byte, 32)}
	for k := range want {
		mem := m.Severable(k)
		mem.setDigest(d)
		if !mem.Severed() || mem.SeveredDigest() != d {
			t.Errorf("%d: digest not set", k)
		}
	}
}

// The accessors are safe on absent members, like Severed.
func TestSeverableAccessorsOnNil(t *testing.T) {
	var m Manifest
	if m.Install.SeveredDigest() != nil || m.Install.HasContent() || m.Text.SeveredDigest() != nil ||
		m.Text.HasContent() || m.Coswid.SeveredDigest() != nil || m.Coswid.HasContent() {
		t.Fatal("nil member reports a digest or content")
	}
}
