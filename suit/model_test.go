package suit

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// fullManifest builds a manifest that uses every command kind, the
// trust-domains and update-management members, custom commands and
// parameters, and unknown extension keys.
func fullManifest(t testing.TB) *Manifest {
	t.Helper()
	dg, _ := ComputeDigest(AlgSHA256, []byte("image"))
	pd, err := ParamDigest(ParamImageDigest, dg)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := ParamVersionMatch(ParamVersion, VersionMatch{Comparison: 2, Parts: []int64{1, 2, -1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	leaf := CommandSequence{Commands: []Command{{ID: ConditionVendorIdentifier, ReportingPolicy: 15}}}
	shared := &CommandSequence{Commands: []Command{
		{ID: DirectiveSetComponentIndex, Index: ComponentIndex{All: true}},
		{ID: DirectiveOverrideParameters, Params: Parameters{
			ParamBytes(ParamVendorIdentifier, make([]byte, 16)),
			ParamBytes(ParamClassIdentifier, bytes.Repeat([]byte{1}, 16)),
			pd,
			ParamUint(ParamImageSize, 34768),
			ParamBool(ParamStrictOrder, true),
			ParamText(ParamURI, "#fw.bin"),
			ParamInt(ParamUpdatePriority, -3),
			pv,
			ParamBytes(ParamWaitInfo, hx("a1 01 20")),
			ParamBytes(ParamComponentMetadata, hx("a1 05 01")),
			ParamBytes(ParamEncryptionInfo, hx("d8 60 84 40 a0 f6 80")),
			ParamInt(-1, 7),
			{Key: 99, Value: hx("82 01 02")},
		}},
		{ID: DirectiveSetComponentIndex, Index: ComponentIndex{List: []uint64{0, 1}}},
		{ID: DirectiveSetParameters, Params: Parameters{ParamUint(ParamSourceComponent, 1)}},
		{ID: DirectiveTryEach, TryEach: []CommandSequence{leaf, leaf}, TryEachNil: true},
		{ID: DirectiveRunSequence, Sequence: &leaf},
		{ID: DirectiveOverrideMultiple, Multiple: []IndexedParameters{
			{Index: 0, Params: Parameters{ParamUint(ParamComponentSlot, 0)}},
			{Index: 1, Params: Parameters{ParamUint(ParamComponentSlot, 1)}},
		}},
		{ID: DirectiveCopyParams, Copy: []CopyParams{{Source: 1, Keys: []int64{ParamURI, -2}}}},
		{ID: DirectiveSetComponentIndex, Index: ComponentIndex{Index: 0}},
		{ID: ConditionClassIdentifier, ReportingPolicy: 15},
	}}
	install := &CommandSequence{Commands: []Command{
		{ID: ConditionImageNotMatch, ReportingPolicy: 0},
		{ID: DirectiveFetch, ReportingPolicy: 2},
		{ID: DirectiveApplyDelta, ReportingPolicy: 2},
		{ID: -300, Arg: hx("43 010203")},
		{ID: -301, Arg: hx("f6")},
		{ID: 200, Arg: hx("a1 01 80")},
		{ID: DirectiveWait, ReportingPolicy: 0},
	}}
	uri := "https://example.com/m.suit"
	mcid := ComponentID{[]byte("root")}
	prefix := ComponentID{[]byte("dep")}
	return &Manifest{
		Version:        1,
		SequenceNumber: 1 << 40,
		Common: &Common{
			Dependencies:   []Dependency{{Index: 2, Prefix: &prefix}, {Index: 3}},
			Components:     []ComponentID{{{0}}, {[]byte("usr"), []byte("bin")}},
			SharedSequence: shared,
			Extensions:     []RawEntry{{Key: hx("18 63"), Value: hx("f5")}},
		},
		ReferenceURI:        &uri,
		ManifestComponentID: &mcid,
		SetVersion:          []int64{1, 0, -3},
		Validate:            &CommandSequence{Commands: []Command{{ID: ConditionImageMatch, ReportingPolicy: 15}}},
		Load:                &CommandSequence{Commands: []Command{{ID: DirectiveCopy, ReportingPolicy: 2}}},
		Invoke:              &CommandSequence{Commands: []Command{{ID: DirectiveInvoke, ReportingPolicy: 2}}},
		Uninstall:           &CommandSequence{Commands: []Command{{ID: DirectiveUnlink, ReportingPolicy: 0}}},
		Coswid:              &SeverableBytes{Raw: hx("a1 00 61 78")},
		DependencyResolution: &SeverableSequence{Sequence: &CommandSequence{Commands: []Command{
			{ID: ConditionDependencyIntegrity, ReportingPolicy: 0},
			{ID: DirectiveProcessDependency, ReportingPolicy: 0}}}},
		PayloadFetch:          &SeverableSequence{Digest: &dg},
		CandidateVerification: &SeverableSequence{Sequence: &leaf},
		Install:               &SeverableSequence{Sequence: install},
		Text: &SeverableText{Text: &Text{Languages: []TextLanguage{{
			Tag:      "en-US",
			Manifest: []TextEntry{{TextManifestDescription, "all kinds"}},
			Components: []ComponentText{{Component: ComponentID{{0}},
				Entries: []TextEntry{{TextVendorDomain, "example.com"}, {TextCurrentVersion, "1.0"}}}},
			Extensions: []RawEntry{{Key: hx("61 78"), Value: hx("01")}},
		}}}},
		Extensions: []RawEntry{{Key: hx("18 63"), Value: hx("a1 61 61 01")}, {Key: hx("20"), Value: hx("f4")}},
	}
}

func TestEveryMemberAndCommandKindRoundTrips(t *testing.T) {
	m := fullManifest(t)
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	env := envelopeFor(t, mb)
	e, err := Decode(env, nil)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	out, err := e.Encode()
	if err != nil || !bytes.Equal(out, env) {
		t.Fatalf("round trip differs (%v)", err)
	}
	got := e.Manifest
	mb2, err := got.Encode()
	if err != nil || !bytes.Equal(mb2, mb) {
		t.Fatalf("manifest re-encoding differs (%v)", err)
	}
	// Spot-check the decoded model against what was built.
	sh := got.Common.SharedSequence.Commands
	if !sh[0].Index.All || !reflect.DeepEqual(sh[2].Index.List, []uint64{0, 1}) {
		t.Errorf("component index args %+v %+v", sh[0].Index, sh[2].Index)
	}
	if !sh[4].TryEachNil || len(sh[4].TryEach) != 2 || sh[5].Sequence == nil {
		t.Errorf("try-each / run-sequence %+v", sh[4:6])
	}
	if len(sh[6].Multiple) != 2 || sh[7].Copy[0].Keys[1] != -2 {
		t.Errorf("override-multiple / copy-params %+v %+v", sh[6], sh[7])
	}
	ps := sh[1].Params
	if v, _ := ps.Get(ParamVersion); true {
		vm, err := v.Version()
		if err != nil || vm.Comparison != 2 || !reflect.DeepEqual(vm.Parts, []int64{1, 2, -1, 3}) {
			t.Errorf("version %+v %v", vm, err)
		}
	}
	if p, _ := ps.Get(ParamUpdatePriority); true {
		if v, err := p.Int(); err != nil || v != -3 {
			t.Errorf("priority %d %v", v, err)
		}
	}
	if p, _ := ps.Get(ParamStrictOrder); true {
		if v, err := p.Bool(); err != nil || !v {
			t.Errorf("strict-order %v %v", v, err)
		}
	}
	if p, ok := ps.Get(99); !ok || !bytes.Equal(p.Value, hx("82 01 02")) {
		t.Errorf("unknown parameter %x", p.Value)
	}
	ins := got.Install.Sequence.Commands
	if ins[3].Kind() != ArgRaw || !bytes.Equal(ins[3].Arg, hx("43 010203")) || ins[5].ID != 200 {
		t.Errorf("custom / unknown commands %+v", ins[3:6])
	}
	if got.Common.Dependencies[0].Prefix == nil || got.Common.Dependencies[1].Prefix != nil {
		t.Errorf("dependencies %+v", got.Common.Dependencies)
	}
	if got.SequenceNumber != 1<<40 || *got.ReferenceURI != "https://example.com/m.suit" {
		t.Errorf("sequence number / uri")
	}
	if len(got.Extensions) != 2 || len(got.Common.Extensions) != 1 {
		t.Errorf("extensions lost")
	}
	if v, ok := got.SharedParameter(1, ParamSourceComponent); !ok {
		t.Error("set-parameters for component 1 not found")
	} else if n, _ := v.Uint(); n != 1 {
		t.Errorf("source-component %d", n)
	}
	if v, ok := got.SharedParameter(1, ParamComponentSlot); !ok {
		t.Error("override-multiple for component 1 not found")
	} else if n, _ := v.Uint(); n != 1 {
		t.Errorf("slot %d", n)
	}
}

func TestSeveringAndResolvingInstall(t *testing.T) {
	m := fullManifest(t)
	inline := m.Install.Sequence
	content, err := inline.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ComputeDigest(AlgSHA256, BstrItem(content))
	m.Install = &SeverableSequence{Digest: &d}
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	e := &Envelope{Tagged: true, ManifestBytes: mb, Severed: map[int64][]byte{EnvelopeInstall: content}}
	md, _ := ComputeDigest(AlgSHA256, BstrItem(mb))
	e.Authentication = &Authentication{Digest: md}
	env, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Manifest.Install.Severed() || got.Manifest.Install.Sequence == nil ||
		!bytes.Equal(got.Manifest.Install.Sequence.Raw, content) {
		t.Fatal("severed install not resolved from the envelope")
	}
	out, _ := got.Encode()
	if !bytes.Equal(out, env) {
		t.Fatal("round trip differs")
	}
}

func TestBareTaggedManifestAccepted(t *testing.T) {
	mb := manifestWith(commonWith(minimalShared), 0)
	in := cat(hx("d9 04 2e"), mb)
	e, err := Decode(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !e.BareManifest || e.Authentication != nil || e.Manifest.SequenceNumber != 0 {
		t.Fatalf("%+v", e)
	}
	out, err := e.Encode()
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("round trip %v", err)
	}
}

func TestUntaggedEnvelopeAndIntegratedPayload(t *testing.T) {
	m := manifestWith(commonWith(minimalShared), 0)
	d, _ := ComputeDigest(AlgSHA256, bs(m))
	db, _ := d.Encode()
	auth := cat(hx("81"), bs(db))
	// Integrated payload "#fw" sorts after the int keys; an unknown int key
	// 99 is kept raw.
	in := cat(hx("a4 02"), bs(auth), hx("03"), bs(m), hx("18 63 01"), hx("63 23 66 77"), bs([]byte("firmware")))
	e, err := Decode(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tagged || string(e.Integrated["#fw"]) != "firmware" || len(e.Extensions) != 1 {
		t.Fatalf("%+v", e)
	}
	if k, ok := e.Extensions[0].KeyInt(); !ok || k != 99 {
		t.Fatalf("extension key %d", k)
	}
	out, err := e.Encode()
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("round trip %v", err)
	}
}

func TestEncodeRefusesInvalidModel(t *testing.T) {
	cases := map[string]*Manifest{
		"no common":      {Version: 1},
		"empty sequence": {Version: 1, Common: &Common{}, Validate: &CommandSequence{}},
		"one try-each alternative": {Version: 1, Common: &Common{SharedSequence: &CommandSequence{Commands: []Command{
			{ID: DirectiveTryEach, TryEach: []CommandSequence{{Commands: []Command{{ID: 1}}}}}}}}},
		"bad raw parameter": {Version: 1, Common: &Common{SharedSequence: &CommandSequence{Commands: []Command{
			{ID: DirectiveOverrideParameters, Params: Parameters{{Key: 1, Value: hx("9f ff")}}}}}}},
		"duplicate extension": {Version: 1, Common: &Common{}, Extensions: []RawEntry{{hx("01"), hx("01")}}},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := m.Encode(); err == nil {
				t.Fatal("encoded an invalid manifest")
			} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrMissing) && !errors.Is(err, ErrNotDeterministic) {
				t.Fatalf("error %v matches no sentinel", err)
			}
		})
	}
}

func TestComputeDigestAlgorithms(t *testing.T) {
	for alg, size := range map[int64]int{AlgSHA256: 32, AlgSHAKE128: 32, AlgSHA384: 48, AlgSHA512: 64, AlgSHAKE256: 64} {
		d, err := ComputeDigest(alg, []byte("abc"))
		if err != nil || len(d.Value) != size || !d.Matches([]byte("abc")) || d.Matches([]byte("abd")) {
			t.Errorf("alg %d: %v %d", alg, err, len(d.Value))
		}
		enc, _ := d.Encode()
		back, err := DecodeDigest(enc, nil)
		if err != nil || !back.Equal(d) {
			t.Errorf("alg %d: digest round trip %v", alg, err)
		}
	}
	if _, err := ComputeDigest(-7, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unsupported algorithm: %v", err)
	}
	// The SHA-256 of "abc" (FIPS 180-2 test vector).
	d, _ := ComputeDigest(AlgSHA256, []byte("abc"))
	if want := hx("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); !bytes.Equal(d.Value, want) {
		t.Errorf("sha-256(abc) = %x", d.Value)
	}
}

func TestNamesBothWays(t *testing.T) {
	for id, name := range commandNames {
		if back, ok := CommandByName(name); !ok || back != id {
			t.Errorf("command %d %q", id, name)
		}
	}
	for k, name := range parameterNames {
		if back, ok := ParameterByName(name); !ok || back != k {
			t.Errorf("parameter %d %q", k, name)
		}
	}
	if CommandName(ConditionVendorIdentifier) != "suit-condition-vendor-identifier" ||
		ParameterName(ParamImageDigest) != "suit-parameter-image-digest" ||
		ManifestKeyName(ManifestSequenceNumber) != "suit-manifest-sequence-number" ||
		EnvelopeKeyName(EnvelopeAuthentication) != "suit-authentication-wrapper" ||
		CommonKeyName(CommonSharedSequence) != "suit-shared-sequence" {
		t.Error("IETF names")
	}
	if !IsCondition(ConditionImageMatch) || IsCondition(DirectiveFetch) || IsCondition(DirectiveApplyDelta) {
		t.Error("IsCondition")
	}
	if got := ReportingPolicyNames(15); len(got) != 4 || got[1] != "suit-send-record-on-failure" {
		t.Errorf("reporting names %v", got)
	}
	if b, ok := ReportingPolicyBitByName("suit-send-sysinfo-failure"); !ok || b != 8 {
		t.Errorf("bit %d", b)
	}
}

func TestComponentIDHelpers(t *testing.T) {
	a := ComponentID{[]byte("usr"), []byte("bin")}
	if a.String() != "[h'757372', h'62696e']" || !a.HasPrefix(ComponentID{[]byte("usr")}) || a.Equal(ComponentID{[]byte("usr")}) {
		t.Errorf("%s", a)
	}
	c := a.Clone()
	c[0][0] = 'x'
	if a[0][0] != 'u' {
		t.Error("Clone aliases")
	}
}

func TestLimitsEffective(t *testing.T) {
	var l *Limits
	e := l.Effective()
	if e.MaxDepth != DefaultMaxDepth || e.MaxEnvelopeSize != DefaultMaxEnvelopeSize || e.MaxCommands != DefaultMaxCommands {
		t.Errorf("%+v", e)
	}
	if got := (&Limits{MaxDepth: 1 << 30, MaxCommands: -5}).Effective(); got.MaxDepth != 128 || got.MaxCommands != DefaultMaxCommands {
		t.Errorf("%+v", got)
	}
}

func TestMatchesBstrEqualsMatchesOnBstrItem(t *testing.T) {
	for _, n := range []int{0, 23, 24, 255, 256, 70000} {
		content := bytes.Repeat([]byte{0xa5}, n)
		for _, alg := range []int64{AlgSHA256, AlgSHAKE128, AlgSHA384, AlgSHA512, AlgSHAKE256} {
			d, _ := ComputeDigest(alg, BstrItem(content))
			if !d.MatchesBstr(content) {
				t.Errorf("alg %d len %d: MatchesBstr false", alg, n)
			}
			if d.MatchesBstr(append(content, 0)) || d.Matches(content) && n > 0 {
				t.Errorf("alg %d len %d: matched the wrong input", alg, n)
			}
		}
	}
}

func TestComponentIndexIndices(t *testing.T) {
	cases := []struct {
		ci   ComponentIndex
		n    int
		want []uint64
	}{
		{ComponentIndex{All: true}, 3, []uint64{0, 1, 2}},
		{ComponentIndex{All: true}, -1, []uint64{}},
		{ComponentIndex{List: []uint64{2, 0}}, 3, []uint64{2, 0}},
		{ComponentIndex{Index: 1}, 3, []uint64{1}},
	}
	for _, c := range cases {
		if got := c.ci.Indices(c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v over %d: %v, want %v", c.ci, c.n, got, c.want)
		}
	}
}
