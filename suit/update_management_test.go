package suit

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// The version cases draft-ietf-suit-update-management states in its text
// ("suit-parameter-version" and its Semantic Versioning guidelines).
func TestVersionComparisonDraftExamples(t *testing.T) {
	v := func(p ...int64) []int64 { return p }
	cases := []struct {
		name string
		have []int64
		cmp  int64
		want []int64
		ok   bool
	}{
		// "Equal [1]" matches every version starting with 1.
		{"equal [1] vs 1.2.3", v(1, 2, 3), VersionEqual, v(1), true},
		{"equal [1] vs 1", v(1), VersionEqual, v(1), true},
		{"equal [1] vs 1.0-rc.1", v(1, 0, -1, 1), VersionEqual, v(1), true},
		{"equal [1] vs 2.0.0", v(2, 0, 0), VersionEqual, v(1), false},
		{"equal [1] vs 0.9", v(0, 9), VersionEqual, v(1), false},
		// ">= [1,0]" and "< [1,10]" match 1.0.x up to, not including, 1.10.
		{">= 1.0 vs 1.0.0", v(1, 0, 0), VersionGreaterEqual, v(1, 0), true},
		{">= 1.0 vs 1.9.7", v(1, 9, 7), VersionGreaterEqual, v(1, 0), true},
		{"< 1.10 vs 1.9.7", v(1, 9, 7), VersionLesser, v(1, 10), true},
		{"< 1.10 vs 1.10.0", v(1, 10, 0), VersionLesser, v(1, 10), false},
		{"< 1.10 vs 1.10", v(1, 10), VersionLesser, v(1, 10), false},
		{">= 1.0 vs 0.99", v(0, 99), VersionGreaterEqual, v(1, 0), false},
		// 2.0-rc1 = [2,0,-1,1] compares lower than 2.0.0 and higher than 1.x.
		{"2.0-rc1 < 2.0.0", v(2, 0, -1, 1), VersionLesser, v(2, 0, 0), true},
		{"2.0-rc1 > 1.99", v(2, 0, -1, 1), VersionGreater, v(1, 99), true},
		{"2.0.0 > 2.0-rc1", v(2, 0, 0), VersionGreater, v(2, 0, -1, 1), true},
		{"2.0 > 2.0-rc1 (missing counts as 0)", v(2, 0), VersionGreater, v(2, 0, -1, 1), true},
		// alpha < beta < rc < release.
		{"1.2-alpha < 1.2-beta", v(1, 2, VersionAlpha), VersionLesser, v(1, 2, VersionBeta), true},
		{"1.2-beta < 1.2-rc.3", v(1, 2, VersionBeta), VersionLesser, v(1, 2, VersionRC, 3), true},
		{"1.2-rc.3 < 1.2", v(1, 2, VersionRC, 3), VersionLesser, v(1, 2, 0), true},
		{"1.2.3-alpha.4 <= 1.2.3", v(1, 2, 3, VersionAlpha, 4), VersionLesserEqual, v(1, 2, 3, 0), true},
		{"1.2.3-alpha.4 == 1.2.3-alpha.4", v(1, 2, 3, -3, 4), VersionEqual, v(1, 2, 3, -3, 4), true},
		{"1.2.3 <= 1.2.3", v(1, 2, 3), VersionLesserEqual, v(1, 2, 3), true},
		{"1.2.4 <= 1.2.3", v(1, 2, 4), VersionLesserEqual, v(1, 2, 3), false},
		{"1.2.3 > 1.2.3", v(1, 2, 3), VersionGreater, v(1, 2, 3), false},
	}
	for _, c := range cases {
		got, err := VersionMatch{Comparison: c.cmp, Parts: c.want}.Matches(c.have)
		if err != nil || got != c.ok {
			t.Errorf("%s: Matches = %v, %v; want %v", c.name, got, err, c.ok)
		}
	}
	if _, err := (VersionMatch{Comparison: 6, Parts: v(1)}).Matches(v(1)); !errors.Is(err, ErrMalformed) {
		t.Errorf("comparison type 6: %v", err)
	}
}

func TestWaitInfoRoundTripAndStrictness(t *testing.T) {
	prio, tod, dow, at := int64(-2), uint64(3600), uint64(6), uint64(1_900_000_000)
	w := WaitInfo{
		Authorization: &prio,
		Time:          &at,
		TimeOfDayUTC:  &tod,
		DayOfWeek:     &dow,
		OtherDevice: &OtherDeviceVersion{Device: []byte("hub"), Versions: []VersionMatch{
			{Comparison: VersionGreaterEqual, Parts: []int64{2, 1}}, {Comparison: VersionLesser, Parts: []int64{3}}}},
	}
	p, err := ParamWaitEvents(ParamWaitInfo, w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.WaitInfo()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, w)
	}
	// Key order is deterministic: 1, 4, 5, 7, 8.
	content, _ := p.Bytes()
	if content[0] != 0xa5 || content[1] != 0x01 {
		t.Fatalf("encoding %x", content)
	}
	bad := map[string]string{
		"empty":                     "a0",
		"authorization not int":     "a1 01 f5",
		"time negative":             "a1 05 20",
		"time of day too large":     "a1 08 1a 00015180",
		"day of week 7":             "a1 07 07",
		"other device no versions":  "a1 04 82 41 61 80",
		"other device version type": "a1 04 82 41 61 81 82 06",
		"unsorted keys":             "a2 05 01 01 01",
		"not a map":                 "80",
	}
	for name, h := range bad {
		if _, err := ParamBytes(ParamWaitInfo, hx(h)).WaitInfo(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// An unknown event is kept verbatim.
	ext, err := ParamBytes(ParamWaitInfo, hx("a1 18 20 01")).WaitInfo()
	if err != nil || len(ext.Extensions) != 1 || !bytes.Equal(ext.Extensions[0].Key, hx("18 20")) {
		t.Errorf("extension event: %+v %v", ext, err)
	}
}

func TestComponentMetadataRoundTripAndStrictness(t *testing.T) {
	perm := uint64(1<<PermTraverseExec | 1<<PermListRead)
	ft, mt := FileRegular, uint64(1_700_000_000)
	u, _ := ParseUUID("fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe")
	m := ComponentMetadata{
		DefaultPermissions: &perm,
		UserPermissions:    []ActorPermission{{Actor: IntActor(0), Permissions: 0x3fff}, {Actor: TextActor("app"), Permissions: 7}},
		GroupPermissions:   []ActorPermission{{Actor: UUIDActor(u), Permissions: 5}},
		FileType:           &ft,
		ModificationTime:   &mt,
		Creator:            TextActor("build"),
	}
	p, err := ParamMetadata(ParamComponentMetadata, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.ComponentMetadata()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
	}
	bad := map[string]string{
		"file type 4":          "a1 05 04",
		"file type 0":          "a1 05 00",
		"untagged time":        "a1 06 01",
		"time tagged 0":        "a1 06 c0 01",
		"creator bool":         "a1 08 f5",
		"uuid actor 3 bytes":   "a1 08 d8 25 43 010203",
		"empty permission map": "a1 02 a0",
		"permission not uint":  "a1 02 a1 00 20",
		"actor key array":      "a1 02 a1 80 01",
		"permissions negative": "a1 01 20",
	}
	for name, h := range bad {
		if _, err := ParamBytes(ParamComponentMetadata, hx(h)).ComponentMetadata(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A manifest whose parameters carry a malformed wait-info or metadata map
// does not decode: the codec checks their structure, not just "a map".
func TestManifestRejectsMalformedUpdateManagementParameters(t *testing.T) {
	for _, p := range []Parameter{
		ParamBytes(ParamWaitInfo, hx("a1 07 09")),
		ParamBytes(ParamComponentMetadata, hx("a1 05 09")),
		ParamBytes(ParamVersion, hx("82 02 80")),
	} {
		m := fullManifest(t)
		m.Common.SharedSequence.Commands[1].Params = Parameters{p}
		mb, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(envelopeFor(t, mb), nil); !errors.Is(err, ErrMalformed) {
			t.Errorf("parameter %d %x: %v", p.Key, p.Value, err)
		}
	}
}

func TestCommandOffsets(t *testing.T) {
	m := fullManifest(t)
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Decode(envelopeFor(t, mb), nil)
	if err != nil {
		t.Fatal(err)
	}
	seq := e.Manifest.Common.SharedSequence
	offs := seq.CommandOffsets()
	if len(offs) != len(seq.Commands) || offs[0] != 1 {
		t.Fatalf("offsets %v", offs)
	}
	for i, o := range offs {
		id, ok := itemInt(seq.Raw[o : o+1])
		if seq.Commands[i].ID >= 0 && seq.Commands[i].ID < 24 && (!ok || id != seq.Commands[i].ID) {
			t.Errorf("command %d at %d reads %d", i, o, id)
		}
	}
	if (&CommandSequence{Commands: seq.Commands}).CommandOffsets() != nil {
		t.Error("a built sequence has offsets")
	}
}

// FuzzUpdateManagementValues: the wait-info and component-metadata
// decoders never panic, fail only with typed errors, and what they accept
// re-encodes to the same bytes (they keep every member and accept only
// deterministic CBOR). Seeds: every event and every metadata member.
func FuzzUpdateManagementValues(f *testing.F) {
	prio, tod, at := int64(-2), uint64(3600), uint64(1_900_000_000)
	w, _ := WaitInfo{Authorization: &prio, Time: &at, TimeOfDayUTC: &tod,
		OtherDevice: &OtherDeviceVersion{Device: []byte("hub"), Versions: []VersionMatch{{Comparison: 2, Parts: []int64{2, 1}}}}}.Encode()
	f.Add(w, true)
	perm, ft, mt := uint64(5), FileRegular, uint64(1_700_000_000)
	m, _ := ComponentMetadata{DefaultPermissions: &perm, FileType: &ft, ModificationTime: &mt, CreationTime: &mt,
		UserPermissions: []ActorPermission{{Actor: IntActor(0), Permissions: 7}}, Creator: UUIDActor(UUID{1})}.Encode()
	f.Add(m, false)
	f.Add(hx("a1 18 20 01"), true)
	f.Fuzz(func(t *testing.T, b []byte, wait bool) {
		if wait {
			got, err := ParamBytes(ParamWaitInfo, b).WaitInfo()
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrNotDeterministic) && !errors.Is(err, ErrUnsupported) {
					t.Fatalf("untyped: %v", err)
				}
				return
			}
			out, err := got.Encode()
			if err != nil || !bytes.Equal(out, b) {
				t.Fatalf("wait-info round trip: %v\n in %x\nout %x", err, b, out)
			}
			return
		}
		got, err := ParamBytes(ParamComponentMetadata, b).ComponentMetadata()
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrNotDeterministic) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("untyped: %v", err)
			}
			return
		}
		out, err := got.Encode()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("metadata round trip: %v\n in %x\nout %x", err, b, out)
		}
	})
}

// In check mode (Envelope.CheckManifest) the wait-info and metadata
// validators allocate nothing, like the other argument decoders.
func TestUpdateManagementCheckModeAllocatesNothing(t *testing.T) {
	prio, tod := int64(-2), uint64(3600)
	w, _ := WaitInfo{Authorization: &prio, TimeOfDayUTC: &tod, Extensions: []RawEntry{{Key: hx("18 20"), Value: hx("01")}},
		OtherDevice: &OtherDeviceVersion{Device: []byte("hub"), Versions: []VersionMatch{{Comparison: 2, Parts: []int64{2, 1}}}}}.Encode()
	perm, ft, mt := uint64(5), FileRegular, uint64(1_700_000_000)
	m, _ := ComponentMetadata{DefaultPermissions: &perm, FileType: &ft, ModificationTime: &mt,
		UserPermissions: []ActorPermission{{Actor: IntActor(0), Permissions: 7}}, Creator: UUIDActor(UUID{1})}.Encode()
	l := (*Limits)(nil).resolve()
	for name, f := range map[string]func() error{
		"wait-info": func() error {
			d := newDec(w, 0, &l)
			d.check = true
			_, err := d.waitInfo(1)
			return err
		},
		"metadata": func() error {
			d := newDec(m, 0, &l)
			d.check = true
			_, err := d.componentMetadata(1)
			return err
		},
	} {
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := testing.AllocsPerRun(50, func() { _ = f() }); n != 0 {
			t.Errorf("%s: %.0f allocations in check mode", name, n)
		}
	}
}
