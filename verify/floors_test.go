package verify

import (
	"testing"

	"github.com/suitkit/suitkit/suit"
)

// TestComponentFloorKeyIsDiagnosticForm: the key is "component:" and the
// identifier's diagnostic form, under the scope, so that distinct
// identifiers never share a floor.
func TestComponentFloorKeyIsDiagnosticForm(t *testing.T) {
	for _, id := range []suit.ComponentID{{}, {{}}, {{0}}, {{0}, {}}, {{0xab, 0x01}, []byte("root")}, {{0, 0}}} {
		for _, scope := range []string{"", "anchors-2026"} {
			want := "component:" + id.String()
			if scope != "" {
				want = scope + "|" + want
			}
			if got := ComponentFloorKey(scope, id); got != want {
				t.Errorf("ComponentFloorKey(%q, %s) = %q, want %q", scope, id, got, want)
			}
		}
	}
	if ComponentFloorKey("", suit.ComponentID{{0}, {}}) == ComponentFloorKey("", suit.ComponentID{{0}}) {
		t.Fatal("distinct identifiers share a key")
	}
}

func cidx(i uint64) suit.Command {
	return suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: i}}
}

// TestMayWrite: the components a manifest may write, as Verify reads its
// sequences: the index at each write command, every try-each alternative,
// run-sequence, lists and true; swap and an absent severed sequence count
// as every component; a component only read (a copy's source) does not.
func TestMayWrite(t *testing.T) {
	a, b, c := suit.ComponentID{{0xa}}, suit.ComponentID{{0xb}}, suit.ComponentID{{0xc}}
	seqOf := func(cmds ...suit.Command) *suit.CommandSequence { return &suit.CommandSequence{Commands: cmds} }
	fetch := suit.Command{ID: suit.DirectiveFetch}
	man := func(install *suit.SeverableSequence) *suit.Manifest {
		return &suit.Manifest{Version: 1, Common: &suit.Common{Components: []suit.ComponentID{a, b, c}}, Install: install}
	}
	inst := func(cmds ...suit.Command) *suit.SeverableSequence {
		return &suit.SeverableSequence{Sequence: seqOf(cmds...)}
	}
	for name, tc := range map[string]struct {
		m    *suit.Manifest
		want []suit.ComponentID
	}{
		"none": {man(nil), nil},
		"one":  {man(inst(cidx(1), fetch)), []suit.ComponentID{b}},
		"copy reads its source": {man(inst(cidx(0), suit.Command{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{suit.ParamUint(suit.ParamSourceComponent, 2)}},
			suit.Command{ID: suit.DirectiveCopy})), []suit.ComponentID{a}},
		"try-each":        {man(inst(cidx(0), suit.Command{ID: suit.DirectiveTryEach, TryEach: []suit.CommandSequence{*seqOf(cidx(2)), *seqOf(cidx(1))}}, fetch)), []suit.ComponentID{a, b, c}},
		"try-each inside": {man(inst(cidx(0), suit.Command{ID: suit.DirectiveTryEach, TryEach: []suit.CommandSequence{*seqOf(cidx(2), fetch), *seqOf(cidx(1))}})), []suit.ComponentID{c}},
		"run-sequence":    {man(inst(cidx(0), suit.Command{ID: suit.DirectiveRunSequence, Sequence: seqOf(cidx(1))}, fetch)), []suit.ComponentID{a, b}},
		"list":            {man(inst(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{List: []uint64{0, 2, 9}}}, fetch)), []suit.ComponentID{a, c}},
		"true":            {man(inst(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{All: true}}, suit.Command{ID: suit.DirectiveUnlink})), []suit.ComponentID{a, b, c}},
		"swap":            {man(inst(cidx(0), suit.Command{ID: suit.DirectiveSwap})), []suit.ComponentID{a, b, c}},
		"severed absent":  {man(&suit.SeverableSequence{Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: make([]byte, 32)}}), []suit.ComponentID{a, b, c}},
		"out of range":    {man(inst(cidx(7), fetch)), nil},
	} {
		o := outlineOf(t, tc.m)
		f := walkManifest(&suit.Envelope{}, o)
		got := f.mayWrite(o.Components())
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
			continue
		}
		for i := range got {
			if !got[i].Equal(tc.want[i]) {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}
	}
}

// outlineOf encodes m in an envelope (without signatures) and returns the
// outline CheckManifest reads from it.
func outlineOf(t *testing.T, m *suit.Manifest) suit.Outline {
	t.Helper()
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	if err != nil {
		t.Fatal(err)
	}
	data, err := (&suit.Envelope{Authentication: &suit.Authentication{Digest: d}, ManifestBytes: mb}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	env, err := suit.Parse(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := env.CheckManifest(nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
