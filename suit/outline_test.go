package suit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

var extraCorpora = flag.String("corpora", "", "comma-separated directories of `go test fuzz v1` files to add to TestCheckManifestDifferential (e.g. the local fuzz cache)")

// readCorpusFile returns the []byte input of a `go test fuzz v1` file.
func readCorpusFile(path string) ([]byte, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" ||
		!strings.HasPrefix(lines[1], "[]byte(") || !strings.HasSuffix(lines[1], ")") {
		return nil, false
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}

// differentialInputs returns the inputs of the strictness differential:
// the conformance examples, the project's test envelopes, the negative
// vectors, the committed fuzz corpora of package suit, the envelope with
// every member and command kind, and (with -corpora) more corpus
// directories.
func differentialInputs(t *testing.T) map[string][]byte {
	in := map[string][]byte{}
	files := testshared.ConformanceFiles(t)
	for _, g := range []string{"../testdata/*.suit", negativeDir + "/*", "testdata/fuzz/*/*"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	var dirs []string
	if *extraCorpora != "" {
		dirs = strings.Split(*extraCorpora, ",")
	}
	for _, d := range dirs {
		m, _ := filepath.Glob(filepath.Join(d, "*"))
		files = append(files, m...)
	}
	for _, f := range files {
		if b, ok := readCorpusFile(f); ok {
			in[f] = b
		} else if b, err := os.ReadFile(f); err == nil {
			in[f] = b
		}
	}
	if mb, err := fullManifest(t).Encode(); err == nil {
		in["fullManifest"] = envelopeFor(t, mb)
	}
	return in
}

// checkAgainstDecode is the differential property: CheckManifest accepts
// exactly what DecodeManifestForRun accepts, fails with the same error
// when it rejects, and its outline holds what the decoded manifest holds;
// CommandReader reads every sequence exactly as the model decoded it.
func checkAgainstDecode(t *testing.T, data []byte) (accepted bool) {
	t.Helper()
	for _, lim := range []*Limits{nil, {MaxDepth: 12, MaxSequenceDepth: 3, MaxElements: 16, MaxComponents: 2, MaxCommands: 4}} {
		full, err := Parse(data, lim)
		if err != nil {
			return false
		}
		chk, _ := Parse(data, lim)
		m, derr := full.DecodeManifestForRun(lim)
		o, cerr := chk.CheckManifest(lim)
		if (derr == nil) != (cerr == nil) {
			t.Fatalf("DecodeManifestForRun: %v; CheckManifest: %v", derr, cerr)
		}
		if derr != nil {
			if derr.Error() != cerr.Error() {
				t.Fatalf("different errors:\nDecodeManifestForRun %v\nCheckManifest        %v", derr, cerr)
			}
			var dd, cd *DecodeError
			if !errors.As(derr, &dd) || !errors.As(cerr, &cd) || !errors.Is(cerr, dd.Err) {
				t.Fatalf("different error kinds: %v / %v", derr, cerr)
			}
			continue
		}
		if chk.Manifest != nil {
			t.Fatal("CheckManifest set Envelope.Manifest")
		}
		compareOutline(t, m, o)
		accepted = true
	}
	return accepted
}

func compareOutline(t *testing.T, m *Manifest, o Outline) {
	t.Helper()
	if o.SequenceNumber() != m.SequenceNumber {
		t.Fatalf("sequence number %d, want %d", o.SequenceNumber(), m.SequenceNumber)
	}
	if !reflect.DeepEqual(o.Components(), m.Common.Components) {
		t.Fatalf("components %v, want %v", o.Components(), m.Common.Components)
	}
	var mcid ComponentID
	if m.ManifestComponentID != nil {
		mcid = *m.ManifestComponentID
	}
	if !reflect.DeepEqual(o.ManifestComponentID(), mcid) {
		t.Fatalf("manifest-component-id %v, want %v", o.ManifestComponentID(), mcid)
	}
	compareSequence(t, "shared", o.Shared(), m.Common.SharedSequence)
	for key, s := range map[int64]*CommandSequence{ManifestValidate: m.Validate, ManifestLoad: m.Load,
		ManifestInvoke: m.Invoke, ManifestUninstall: m.Uninstall} {
		raw, missing := o.Sequence(key)
		if missing {
			t.Fatalf("sequence %d reported missing", key)
		}
		compareSequence(t, ManifestKeyName(key), raw, s)
	}
	for _, key := range SeverableKeys() {
		sev, ok := m.Severable(key).(*SeverableSequence)
		if !ok {
			continue
		}
		raw, missing := o.Sequence(key)
		if missing != (sev.Severed() && sev.Sequence == nil) {
			t.Fatalf("sequence %d: missing %v, model %+v", key, missing, sev)
		}
		compareSequence(t, ManifestKeyName(key), raw, sev.Sequence)
	}
}

// compareSequence checks that raw is s's content and that CommandReader
// reads from it what the decoder put in s.Commands, recursively.
func compareSequence(t *testing.T, name string, raw []byte, s *CommandSequence) {
	t.Helper()
	if s == nil {
		if raw != nil {
			t.Fatalf("%s: outline has a sequence the model does not", name)
		}
		return
	}
	if !bytes.Equal(raw, s.Raw) {
		t.Fatalf("%s: raw %x, want %x", name, raw, s.Raw)
	}
	r := NewCommandReader(raw)
	for i := range s.Commands {
		want := &s.Commands[i]
		c, ok := r.Next()
		if !ok {
			t.Fatalf("%s: reader stopped at command %d of %d", name, i, len(s.Commands))
		}
		if c.ID != want.ID {
			t.Fatalf("%s[%d]: id %d, want %d", name, i, c.ID, want.ID)
		}
		compareCommand(t, name+"/"+strconv.Itoa(i), c, want)
	}
	if _, ok := r.Next(); ok {
		t.Fatalf("%s: reader has more commands than the model (%d)", name, len(s.Commands))
	}
}

func compareCommand(t *testing.T, name string, c RawCommand, want *Command) {
	t.Helper()
	var ps Parameters
	c.EachParam(func(p Parameter) bool { ps = append(ps, p); return true })
	if want.Kind() == ArgParameters && !reflect.DeepEqual(ps, want.Params) || want.Kind() != ArgParameters && ps != nil {
		t.Fatalf("%s: params %v, want %v", name, ps, want.Params)
	}
	var ip []IndexedParameters
	c.EachIndexedParam(func(ix uint64, p Parameter) bool {
		if len(ip) == 0 || ip[len(ip)-1].Index != ix {
			ip = append(ip, IndexedParameters{Index: ix})
		}
		ip[len(ip)-1].Params = append(ip[len(ip)-1].Params, p)
		return true
	})
	if !reflect.DeepEqual(ip, want.Multiple) {
		t.Fatalf("%s: override-multiple %v, want %v", name, ip, want.Multiple)
	}
	if want.Kind() == ArgComponentIndex {
		var got ComponentIndex
		got.All = c.SelectsAll()
		var list []uint64
		c.EachIndex(func(ix uint64) bool { list = append(list, ix); return true })
		switch {
		case want.Index.All:
		case len(want.Index.List) > 0:
			got.List = list
		case len(list) == 1:
			got.Index = list[0]
		}
		if !reflect.DeepEqual(got, want.Index) {
			t.Fatalf("%s: index %+v, want %+v", name, got, want.Index)
		}
	} else if c.SelectsAll() {
		t.Fatalf("%s: SelectsAll on command %d", name, c.ID)
	}
	var nested []CommandSequence
	switch want.Kind() {
	case ArgTryEach:
		nested = want.TryEach
	case ArgSequence:
		nested = []CommandSequence{*want.Sequence}
	}
	var raws [][]byte
	c.EachSequence(func(s []byte) bool { raws = append(raws, s); return true })
	if len(raws) != len(nested) {
		t.Fatalf("%s: %d nested sequences, want %d", name, len(raws), len(nested))
	}
	for i := range nested {
		compareSequence(t, name+"/"+strconv.Itoa(i), raws[i], &nested[i])
	}
	if want.Kind() == ArgRaw && !bytes.Equal(c.Arg, want.Arg) {
		t.Fatalf("%s: argument %x, want %x", name, c.Arg, want.Arg)
	}
}

// TestCheckManifestDifferential: the validate-only path rejects exactly the
// inputs the decoder rejects, with the same errors, on every stored input
// and on every one-byte mutation of them (so that rejections deep inside
// commands, parameters and severed sequences are compared too), and reads
// the accepted ones as the decoder does. Run it over the local fuzz cache
// with -corpora DIR,DIR.
func TestCheckManifestDifferential(t *testing.T) {
	in := differentialInputs(t)
	accepted, rejected := 0, 0
	for name, data := range in {
		if checkAgainstDecode(t, data) {
			accepted++
		}
		if len(data) > 4096 {
			continue
		}
		mut := bytes.Clone(data)
		for i := range mut {
			orig := mut[i]
			for _, x := range [...]byte{orig ^ 0x01, orig ^ 0x20, 0xf6} {
				if x == orig {
					continue
				}
				mut[i] = x
				if !checkAgainstDecode(t, mut) {
					rejected++
				} else {
					accepted++
				}
			}
			mut[i] = orig
		}
		_ = name
	}
	t.Logf("%d inputs: %d accepted, %d mutations rejected by both", len(in), accepted, rejected)
	if accepted < 10 || rejected < 1000 {
		t.Fatalf("too little coverage: %d accepted, %d rejected", accepted, rejected)
	}
}

// FuzzCheckManifest: CheckManifest and DecodeManifestForRun agree on every
// input (accept/reject, the same error), and CommandReader reads every
// accepted sequence as the decoder does.
func FuzzCheckManifest(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstDecode(t, data)
	})
}

// TestCheckManifestAllocations: the validate-only path on example 2
// allocates the manifest block, its components and its severable members,
// nothing per command, and reading the sequences allocates nothing.
func TestCheckManifestAllocations(t *testing.T) {
	data := testshared.Conformance(t, "example-2.suit")
	env, err := Parse(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := env.CheckManifest(nil)
	if err != nil {
		t.Fatal(err)
	}
	check := testing.AllocsPerRun(100, func() {
		if _, err := env.CheckManifest(nil); err != nil {
			t.Fatal(err)
		}
	})
	full := testing.AllocsPerRun(100, func() {
		if _, err := env.DecodeManifestForRun(nil); err != nil {
			t.Fatal(err)
		}
	})
	if check > 7 || check >= full {
		t.Errorf("CheckManifest allocates %v times (DecodeManifestForRun %v), want at most 7", check, full)
	}
	install, _ := o.Sequence(ManifestInstall)
	n := 0
	walk := testing.AllocsPerRun(100, func() {
		n = 0
		for _, s := range [][]byte{o.Shared(), install} {
			r := NewCommandReader(s)
			for c, ok := r.Next(); ok; c, ok = r.Next() {
				c.EachParam(func(p Parameter) bool { n++; return true })
				c.EachIndex(func(uint64) bool { n++; return true })
			}
		}
	})
	if walk != 0 || n != 5 {
		t.Errorf("reading the sequences: %v allocations, %d parameters and indices (want 0 and 5)", walk, n)
	}
	t.Logf("CheckManifest %v allocations, DecodeManifestForRun %v", check, full)
}
