package build

import (
	"bytes"
	"testing"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/suit"
)

func TestDeltaUpdateBuildsPatchAndManifestTogether(t *testing.T) {
	old := bytes.Repeat([]byte("old firmware block "), 500)
	newImg := append(bytes.Clone(old[:4000]), append([]byte("inserted code"), old[4000:]...)...)
	u := &DeltaUpdate{VendorID: suit.NewUUID5(suit.NamespaceDNS, []byte("example.com")), ClassID: suit.NewUUID5(suit.NamespaceDNS, []byte("class")), Sequence: 7}
	env, patch, err := u.Build(old, newImg)
	if err != nil {
		t.Fatal(err)
	}
	// The patch applies.
	var out bytes.Buffer
	if err := delta.Apply(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch), &out, nil); err != nil || !bytes.Equal(out.Bytes(), newImg) {
		t.Fatalf("patch does not reproduce the new image: %v", err)
	}
	if !bytes.Equal(env.Integrated[DefaultPatchURI], patch) {
		t.Fatal("patch not integrated")
	}
	// The manifest decodes strictly from its own encoding.
	m, err := suit.DecodeManifestBytes(env.ManifestBytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.SequenceNumber != 7 || len(m.Common.Components) != 2 {
		t.Fatalf("manifest: seq %d, %d components", m.SequenceNumber, len(m.Common.Components))
	}
	if !m.Common.Components[1].HasPrefix(m.Common.Components[0]) {
		t.Error("patch component is not under the target's prefix")
	}
	// The precursor check comes before the fetch and -257 in the patching
	// alternative.
	alt := m.Install.Sequence.Commands[1].TryEach[1].Commands
	order := []int64{}
	for _, c := range alt {
		if c.ID == suit.ConditionImageMatch || c.ID == suit.DirectiveFetch || c.ID == suit.DirectiveApplyDelta {
			order = append(order, c.ID)
		}
	}
	want := []int64{suit.ConditionImageMatch, suit.DirectiveFetch, suit.ConditionImageMatch, suit.DirectiveApplyDelta, suit.ConditionImageMatch}
	if len(order) != len(want) {
		t.Fatalf("patching alternative runs %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("patching alternative runs %v, want %v", order, want)
		}
	}
	// By URI: nothing integrated.
	u.PatchURI = "https://updates.example/p.bin"
	env2, _, err := u.Build(old, newImg)
	if err != nil || len(env2.Integrated) != 0 {
		t.Fatalf("by URI: %v, integrated %d", err, len(env2.Integrated))
	}
	// Without vendor and class the builder refuses.
	if _, _, err := (&DeltaUpdate{}).Build(old, newImg); err == nil {
		t.Fatal("delta manifest without vendor/class built")
	}
}
