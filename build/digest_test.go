package build

import (
	"fmt"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/suit"
)

// Issue 9 item 10: a device refuses to fetch, copy, swap or patch content
// into a component for which the manifest sets no image-digest (the
// signature does not cover payloads). The builder must never produce such
// a manifest. undigestedDirectives finds every content directive of a
// manifest that may run without an image-digest in effect for its
// component; the tests below run it over every path of Builder and
// DeltaUpdate.

// digestState is, per component, whether an image-digest is certainly set.
type digestState []bool

func (s digestState) clone() digestState { return append(digestState(nil), s...) }

// digestWalker runs a manifest's sequences the way the processor does
// (parameters persist from sequence to sequence within a procedure; the
// shared sequence runs before each section; set-component-index inside
// try-each or run-sequence lasts until the end of that nested sequence)
// and records where a content directive may meet a component without an
// image-digest. It under-approximates what is set: after a try-each, a
// digest counts only if every alternative (and no trailing nil) sets it;
// parameters set inside a run-sequence are not counted.
type digestWalker struct {
	n        int
	problems []string
}

// installsContent are the directives that put content into the current
// component; the builder sets an image-digest before each of them,
// write included.
func installsContent(id int64) bool {
	switch id {
	case suit.DirectiveFetch, suit.DirectiveCopy, suit.DirectiveWrite, suit.DirectiveSwap, suit.DirectiveApplyDelta:
		return true
	}
	return false
}

func hasDigest(ps suit.Parameters) bool {
	for _, p := range ps {
		if p.Key == suit.ParamImageDigest {
			return true
		}
	}
	return false
}

func (w *digestWalker) walk(where string, seq *suit.CommandSequence, st digestState, cur []uint64) digestState {
	if seq == nil {
		return st
	}
	for i := range seq.Commands {
		c := &seq.Commands[i]
		at := fmt.Sprintf("%s[%d]", where, i)
		switch c.ID {
		case suit.DirectiveSetComponentIndex:
			cur = c.Index.Indices(w.n)
			continue
		case suit.DirectiveOverrideMultiple:
			for _, e := range c.Multiple {
				if hasDigest(e.Params) && e.Index < uint64(w.n) {
					st[e.Index] = true
				}
			}
			continue
		}
		for _, ci := range cur {
			if ci >= uint64(w.n) {
				w.problems = append(w.problems, fmt.Sprintf("%s: component index %d out of range", at, ci))
				continue
			}
			switch {
			case c.ID == suit.DirectiveOverrideParameters || c.ID == suit.DirectiveSetParameters:
				if hasDigest(c.Params) {
					st[ci] = true
				}
			case c.ID == suit.DirectiveCopyParams:
				for _, e := range c.Copy {
					for _, k := range e.Keys {
						if k == suit.ParamImageDigest && e.Source < uint64(w.n) && st[e.Source] {
							st[ci] = true
						}
					}
				}
			case c.ID == suit.DirectiveTryEach:
				var common digestState
				for j := range c.TryEach {
					end := w.walk(fmt.Sprintf("%s.try-each[%d]", at, j), &c.TryEach[j], st.clone(), []uint64{ci})
					if common == nil {
						common = end
						continue
					}
					for k := range common {
						common[k] = common[k] && end[k]
					}
				}
				if common != nil && !c.TryEachNil {
					st = common
				}
			case c.ID == suit.DirectiveRunSequence:
				w.walk(at+".run-sequence", c.Sequence, st.clone(), []uint64{ci})
			case installsContent(c.ID):
				if !st[ci] {
					w.problems = append(w.problems, fmt.Sprintf("%s: %s on component %d without an image-digest", at, suit.CommandName(c.ID), ci))
				}
			}
		}
	}
	return st
}

// undigestedDirectives runs both procedures of m and returns where a
// content directive may run without an image-digest, and how many content
// directives it saw.
func undigestedDirectives(t *testing.T, m *suit.Manifest) (problems []string, seen int) {
	t.Helper()
	w := &digestWalker{n: len(m.Common.Components)}
	var cur []uint64
	if w.n == 1 {
		cur = []uint64{0}
	}
	sequence := func(key int64) *suit.CommandSequence {
		switch key {
		case suit.ManifestValidate:
			return m.Validate
		case suit.ManifestLoad:
			return m.Load
		case suit.ManifestInvoke:
			return m.Invoke
		}
		sev, _ := m.Severable(key).(*suit.SeverableSequence)
		if sev == nil {
			return nil
		}
		if sev.Sequence == nil {
			t.Fatalf("sequence %d severed and not carried", key)
		}
		return sev.Sequence
	}
	for _, proc := range [][]int64{
		{suit.ManifestPayloadFetch, suit.ManifestInstall, suit.ManifestValidate},
		{suit.ManifestValidate, suit.ManifestLoad, suit.ManifestInvoke},
	} {
		st := make(digestState, w.n)
		for _, key := range proc {
			seq := sequence(key)
			if seq == nil {
				continue
			}
			st = w.walk("shared", m.Common.SharedSequence, st, cur)
			st = w.walk(fmt.Sprintf("sequence %d", key), seq, st, cur)
			seen += countContentDirectives(seq, 0)
		}
	}
	return w.problems, seen
}

func countContentDirectives(seq *suit.CommandSequence, depth int) int {
	if seq == nil || depth > 8 {
		return 0
	}
	n := 0
	for i := range seq.Commands {
		c := &seq.Commands[i]
		if installsContent(c.ID) {
			n++
		}
		for j := range c.TryEach {
			n += countContentDirectives(&c.TryEach[j], depth+1)
		}
		n += countContentDirectives(c.Sequence, depth+1)
	}
	return n
}

// TestDigestWalkerFindsUndigestedFetch: the checker itself catches the
// manifest of issue 9 item 10, a fetch guarded only inside a try-each
// alternative that may not run, and one outside the alternative that set
// the digest.
func TestDigestWalkerFindsUndigestedFetch(t *testing.T) {
	comp := suit.ComponentID{{0}}
	fetch := suit.Command{ID: suit.DirectiveFetch}
	uri := override(suit.ParamText(suit.ParamURI, "#fw"))
	dp, err := suit.ParamDigest(suit.ParamImageDigest, suit.Digest{Algorithm: suit.AlgSHA256, Value: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]suit.Command{
		"no digest": {uri, fetch},
		"digest in one alternative only": {
			{ID: suit.DirectiveTryEach, TryEach: []suit.CommandSequence{{Commands: []suit.Command{override(dp)}}, {Commands: []suit.Command{uri}}}},
			fetch},
		"digest only in a try-each with nil": {
			{ID: suit.DirectiveTryEach, TryEachNil: true, TryEach: []suit.CommandSequence{{Commands: []suit.Command{override(dp)}}}},
			fetch},
		"digest inside run-sequence": {{ID: suit.DirectiveRunSequence, Sequence: &suit.CommandSequence{Commands: []suit.Command{override(dp)}}}, fetch},
	}
	for name, cmds := range cases {
		m := &suit.Manifest{Version: 1, Common: &suit.Common{Components: []suit.ComponentID{comp}},
			Install: &suit.SeverableSequence{Sequence: &suit.CommandSequence{Commands: cmds}}}
		if problems, _ := undigestedDirectives(t, m); len(problems) == 0 {
			t.Errorf("%s: not found", name)
		}
	}
}

// builderImages are the ways an Image can be described: data or digest,
// integrated, by URI or not fetched at all, every digest algorithm, A/B
// slots with and without URIs.
func builderImages() map[string]Image {
	v, c := testVendorClass()
	fw := []byte("firmware image")
	d := &suit.Digest{Algorithm: suit.AlgSHA256, Value: make([]byte, 32)}
	imgs := map[string]Image{
		"data uri":          {VendorID: v, ClassID: c, Data: fw, URI: "https://example.com/fw"},
		"data integrated":   {VendorID: v, ClassID: c, Data: fw, Integrated: "#fw"},
		"digest uri":        {VendorID: v, ClassID: c, Digest: d, Size: 14, URI: "https://example.com/fw"},
		"data not fetched":  {VendorID: v, ClassID: c, Data: fw, ValidateOnly: true},
		"no vendor, class":  {Data: fw, URI: "https://example.com/fw", Invoke: true},
		"invoke and text":   {VendorID: v, ClassID: c, Data: fw, Integrated: "#fw", Invoke: true, Text: map[int64]string{suit.TextComponentDescription: "app"}},
		"slots with uris":   {VendorID: v, ClassID: c, Slots: []Slot{{Slot: 0, Data: fw, URI: "https://example.com/a"}, {Slot: 1, Data: []byte("b"), URI: "https://example.com/b"}}},
		"slots no uris":     {VendorID: v, ClassID: c, Slots: []Slot{{Slot: 0, Data: fw}, {Slot: 1, Digest: d, Size: 3}}},
		"slots three, bare": {Slots: []Slot{{Slot: 0, Digest: d, URI: "a"}, {Slot: 1, Digest: d, URI: "b"}, {Slot: 7, Digest: d, URI: "c"}}},
	}
	for _, alg := range []int64{suit.AlgSHA384, suit.AlgSHA512, suit.AlgSHAKE128, suit.AlgSHAKE256} {
		imgs[fmt.Sprintf("alg %d", alg)] = Image{VendorID: v, ClassID: c, Data: fw, Integrated: "#fw", DigestAlgorithm: alg}
	}
	return imgs
}

// TestBuilderAlwaysSetsImageDigestBeforeInstalling iterates the Builder's
// options (every kind of Image, alone and combined with another in a
// two-component manifest, under every combination of SeverInstall,
// SeverText and Untagged) and DeltaUpdate's (integrated or remote patch,
// default or named components): in every manifest, each fetch, copy, write,
// swap and apply-delta runs with an image-digest set for its component.
func TestBuilderAlwaysSetsImageDigestBeforeInstalling(t *testing.T) {
	imgs := builderImages()
	built, fetching := 0, 0
	check := func(name string, m *suit.Manifest) {
		t.Helper()
		problems, seen := undigestedDirectives(t, m)
		if len(problems) > 0 {
			t.Errorf("%s:\n  %s", name, strings.Join(problems, "\n  "))
		}
		built++
		if seen > 0 {
			fetching++
		}
	}
	second := Image{Component: suit.ComponentID{[]byte("second")}, Data: []byte("other"), Integrated: "#second"}
	for name, img := range imgs {
		for flags := range 8 {
			for _, multi := range []bool{false, true} {
				b := New(1)
				b.SeverInstall, b.SeverText, b.Untagged = flags&1 != 0, flags&2 != 0, flags&4 != 0
				b.Description = "all options"
				if err := b.AddImage(img); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if multi {
					if err := b.AddImage(second); err != nil {
						t.Fatalf("%s + second: %v", name, err)
					}
				}
				env, err := b.Build()
				if err != nil {
					t.Fatalf("%s flags %03b multi %v: %v", name, flags, multi, err)
				}
				check(fmt.Sprintf("%s flags %03b multi %v", name, flags, multi), env.Manifest)
			}
		}
	}
	v, c := testVendorClass()
	old, img := []byte("old image, version one"), []byte("new image, version two")
	for name, u := range map[string]DeltaUpdate{
		"integrated patch": {VendorID: v, ClassID: c, Sequence: 2},
		"remote patch":     {VendorID: v, ClassID: c, Sequence: 2, PatchURI: "https://example.com/p"},
		"named components": {VendorID: v, ClassID: c, Sequence: 2, Component: suit.ComponentID{[]byte("app")}, PatchComponent: suit.ComponentID{[]byte("scratch")}},
	} {
		env, _, err := u.Build(old, img)
		if err != nil {
			t.Fatal(err)
		}
		check("delta, "+name, env.Manifest)
	}
	// Every image with a URI or an integrated payload fetched something,
	// so the check was not vacuous.
	if fetching < built*3/4 {
		t.Fatalf("only %d of %d manifests install anything", fetching, built)
	}
	t.Logf("%d manifests checked, %d with content directives", built, fetching)
}
