package suit

import (
	"bytes"
	"testing"
)

// genSource turns fuzz bytes into choices; once exhausted it returns 0.
type genSource struct{ b []byte }

func (g *genSource) n(max int) int {
	if len(g.b) == 0 || max <= 0 {
		return 0
	}
	v := int(g.b[0]) % max
	g.b = g.b[1:]
	return v
}

func (g *genSource) bytes(max int) []byte {
	n := g.n(max + 1)
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(g.n(256))
	}
	return out
}

func (g *genSource) int64() int64 {
	v := int64(0)
	for i := 0; i < 1+g.n(8); i++ {
		v = v<<8 | int64(g.n(256))
	}
	if g.n(2) == 1 {
		return -v - 1
	}
	return v
}

var genParamKeys = []int64{1, 2, 3, 4, 5, 12, 13, 14, 18, 19, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, -1, -70000, 99}

func (g *genSource) param(key int64) Parameter {
	switch key {
	case ParamVendorIdentifier, ParamClassIdentifier, ParamDeviceIdentifier, ParamContent, ParamInvokeArgs, ParamFetchArguments:
		return ParamBytes(key, g.bytes(20))
	case ParamImageDigest:
		alg := []int64{AlgSHA256, AlgSHA384, AlgSHAKE256, -99}[g.n(4)]
		d, _ := ComputeDigest(AlgSHA256, g.bytes(4))
		if sz := DigestSize(alg); sz != 0 {
			d, _ = ComputeDigest(alg, g.bytes(4))
		} else {
			d.Algorithm = alg
		}
		p, _ := ParamDigest(key, d)
		return p
	case ParamStrictOrder, ParamSoftFailure:
		return ParamBool(key, g.n(2) == 1)
	case ParamURI:
		return ParamText(key, "#"+string(rune('a'+g.n(26))))
	case ParamUpdatePriority:
		return ParamInt(key, g.int64())
	case ParamVersion:
		p, _ := ParamVersionMatch(key, VersionMatch{Comparison: int64(1 + g.n(5)), Parts: []int64{g.int64(), g.int64()}})
		return p
	case ParamEncryptionInfo:
		return ParamBytes(key, hx("d8 60 84 40 a0 f6 80"))
	case ParamWaitInfo, ParamComponentMetadata:
		return ParamBytes(key, hx("a1 01 01"))
	case -1, -70000:
		if g.n(2) == 0 {
			return ParamInt(key, g.int64())
		}
		return ParamText(key, "v")
	case 99:
		return Parameter{Key: key, Value: hx("a1 61 61 80")}
	}
	return ParamUint(key, uint64(g.int64()))
}

func (g *genSource) params() Parameters {
	var ps Parameters
	seen := map[int64]bool{}
	for i := 0; i < 1+g.n(4); i++ {
		k := genParamKeys[g.n(len(genParamKeys))]
		if !seen[k] {
			seen[k] = true
			ps = append(ps, g.param(k))
		}
	}
	return ps
}

var genCommandIDs = []int64{1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 34, 35, -257, -300, 77}

func (g *genSource) sequence(depth int) CommandSequence {
	var s CommandSequence
	for i := 0; i < 1+g.n(5); i++ {
		id := genCommandIDs[g.n(len(genCommandIDs))]
		if depth >= 3 && (id == DirectiveTryEach || id == DirectiveRunSequence) {
			id = ConditionImageMatch
		}
		c := Command{ID: id}
		switch CommandArgKind(id) {
		case ArgReportingPolicy:
			c.ReportingPolicy = uint64(g.n(16))
		case ArgComponentIndex:
			switch g.n(3) {
			case 0:
				c.Index.All = true
			case 1:
				c.Index.List = []uint64{uint64(g.n(4)), uint64(g.n(300))}
			default:
				c.Index.Index = uint64(g.int64())
			}
		case ArgParameters:
			c.Params = g.params()
		case ArgTryEach:
			for j := 0; j < 2+g.n(2); j++ {
				c.TryEach = append(c.TryEach, g.sequence(depth+1))
			}
			c.TryEachNil = g.n(2) == 1
		case ArgSequence:
			s := g.sequence(depth + 1)
			c.Sequence = &s
		case ArgOverrideMultiple:
			c.Multiple = []IndexedParameters{{Index: 0, Params: g.params()}, {Index: uint64(1 + g.n(1000)), Params: g.params()}}
		case ArgCopyParams:
			c.Copy = []CopyParams{{Source: uint64(g.n(5)), Keys: []int64{g.int64()}}}
		default:
			c.Arg = [][]byte{hx("f6"), hx("41 00"), hx("61 61"), hx("39 0100")}[g.n(4)]
			if id > 0 {
				c.Arg = hx("a1 01 82 01 02")
			}
		}
		s.Commands = append(s.Commands, c)
	}
	return s
}

// FuzzModelRoundTrip builds random but valid manifests through the model
// (every command kind, nested try-each and run-sequence, all parameter
// types), and checks that the encoder's output is accepted by the strict
// decoder and re-encodes to the same bytes. Random bytes rarely reach this
// far, so it complements FuzzDecodeEnvelope.
func FuzzModelRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
	f.Add(bytes.Repeat([]byte{14, 3, 200, 7}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &genSource{b: data}
		shared := g.sequence(1)
		// The shared sequence may hold only conditions and parameter or
		// flow directives.
		keep := shared.Commands[:0]
		for _, c := range shared.Commands {
			if sharedAllowedDeep(c) {
				keep = append(keep, c)
			}
		}
		shared.Commands = keep
		m := &Manifest{Version: 1, SequenceNumber: uint64(g.int64()),
			Common: &Common{Components: []ComponentID{{g.bytes(3)}, {}}}}
		if len(shared.Commands) > 0 {
			m.Common.SharedSequence = &shared
		}
		inst := g.sequence(1)
		m.Install = &SeverableSequence{Sequence: &inst}
		if g.n(2) == 1 {
			v := g.sequence(1)
			m.Validate = &v
		}
		enc, err := m.Encode()
		if err != nil {
			t.Fatalf("model did not encode: %v", err)
		}
		got, err := DecodeManifestBytes(enc, &Limits{MaxDepth: 64, MaxSequenceDepth: 8})
		if err != nil {
			t.Fatalf("strict decoder rejected the encoder's output: %v\n%x", err, enc)
		}
		again, err := got.Encode()
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
	})
}

// sharedAllowedDeep reports whether c and everything nested in it may appear
// in the shared sequence.
func sharedAllowedDeep(c Command) bool {
	if !sharedAllowed(c.ID) {
		return false
	}
	for _, s := range c.TryEach {
		for _, x := range s.Commands {
			if !sharedAllowedDeep(x) {
				return false
			}
		}
	}
	if c.Sequence != nil {
		for _, x := range c.Sequence.Commands {
			if !sharedAllowedDeep(x) {
				return false
			}
		}
	}
	return true
}
