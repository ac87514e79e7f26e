package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/suitkit/suitkit/delta/differ"
	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// This file is a structure-aware generator for the processor (issue 9
// item 4). The fuzzer's bytes drive a small program that builds a valid
// manifest model: components, a shared sequence that checks vendor and
// class (unless the platform opts out), then payload-fetch, install,
// validate, load and invoke sequences made of arbitrary commands
// (registered, unknown and extreme ids, 0, ±1, MaxInt64, MinInt64), with
// arbitrary parameters (image digest and size, uri, source component,
// content, component indexes in and out of range, unknown and extreme
// keys), try-each and run-sequence nesting, and the integrated payloads the
// sequences name. The manifest is encoded with the suit encoder, signed,
// verified and processed against memory storage with a fake fetcher,
// clock, battery, version source and invoker, so that almost every input
// reaches command execution, which random bytes rarely do.
//
// Exhausted input reads as zeros, and every choice's option 0 is the sane
// one, so the empty input is a valid one-component install.

// genSource turns fuzz bytes into choices.
type genSource struct{ b []byte }

// n returns a choice in [0, max); 0 once the input is exhausted.
func (g *genSource) n(max int) int {
	if len(g.b) == 0 || max <= 1 {
		return 0
	}
	v := int(g.b[0]) % max
	g.b = g.b[1:]
	return v
}

func (g *genSource) coin(oneIn int) bool { return g.n(oneIn) == oneIn-1 }

// bytes returns up to max bytes taken from the input.
func (g *genSource) bytes(max int) []byte {
	n := g.n(max + 1)
	if n > len(g.b) {
		n = len(g.b)
	}
	out := bytes.Clone(g.b[:n])
	g.b = g.b[n:]
	return out
}

func (g *genSource) raw64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(g.n(256))
	}
	return v
}

// extremeInts are the boundary values every integer slot is tried with.
var extremeInts = []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, math.MaxInt32, math.MinInt32, 1 << 32, -256, 255}

// int64 returns a small, extreme or random integer.
func (g *genSource) int64() int64 {
	switch g.n(4) {
	case 0:
		return int64(g.n(40))
	case 1:
		return extremeInts[g.n(len(extremeInts))]
	case 2:
		return int64(g.raw64())
	}
	return -int64(g.n(300))
}

// uint64 returns a small, extreme or random unsigned integer.
func (g *genSource) uint64() uint64 {
	switch g.n(4) {
	case 0:
		return uint64(g.n(40))
	case 1:
		return []uint64{0, 1, math.MaxUint64, math.MaxInt64, 1 << 63, math.MaxUint32, 1 << 32}[g.n(7)]
	case 2:
		return g.raw64()
	}
	return uint64(g.n(70000))
}

// intItem encodes v as a CBOR integer.
func intItem(v int64) []byte {
	if v >= 0 {
		return cbor.AppendHead(nil, cbor.Uint, uint64(v))
	}
	return cbor.AppendHead(nil, cbor.Nint, uint64(^v))
}

// The payloads a generated manifest can name: index i is integrated as
// "#p<i>" when the generator includes it and is served by the fake fetcher
// at genURL + "p<i>".
type genPayloads struct {
	data [][]byte
	// oldImg, newImg and the patches between them let apply-delta succeed.
	oldIdx, newIdx, patchIdx, bsdiffIdx int
}

const genURL = "https://fw.example/"

var (
	genOnce sync.Once
	genPool genPayloads
	genKey  genKeys
	genErr  error
)

func genSetup() (*genPayloads, genKeys, error) {
	genOnce.Do(func() {
		oldImg := genFirmware(21, 700)
		newImg := genMutate(oldImg, 5)
		var patch, bs bytes.Buffer
		if genErr = differ.Diff(context.Background(), oldImg, newImg, &patch, &differ.Options{FastCompression: true, Concurrency: 1}); genErr != nil {
			return
		}
		if genErr = differ.WriteBSDIFF40(context.Background(), &bs, oldImg, newImg, nil); genErr != nil {
			return
		}
		genPool = genPayloads{
			data: [][]byte{
				[]byte("payload zero"),
				genFirmware(22, 300),
				{},
				oldImg,
				newImg,
				patch.Bytes(),
				bs.Bytes(),
				[]byte("SUITKIT not a patch"),
			},
			oldIdx: 3, newIdx: 4, patchIdx: 5, bsdiffIdx: 6,
		}
		var k *keys.Key
		if k, genErr = keys.GenerateKey(keys.Ed25519); genErr != nil {
			return
		}
		if genKey.signer, genErr = sign.ForKey(k, keys.Ed25519); genErr != nil {
			return
		}
		genKey.anchor, genErr = verify.NewKey(k.Public, nil)
	})
	return &genPool, genKey, genErr
}

// genKeys is the signing key of generated envelopes and its trust anchor.
type genKeys struct {
	signer *sign.Signer
	anchor *verify.Key
}

// genOtherClass is a class identifier the device does not have.
var genOtherClass = []byte{0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x46}

// genFirmware returns n bytes of deterministic firmware-like data.
func genFirmware(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// genMutate returns img with firmware-like edits: changed words, an
// insertion and a deletion, so that a delta between them is small.
func genMutate(img []byte, seed uint64) []byte {
	out := bytes.Clone(img)
	for i := 50; i+4 < len(out); i += 97 {
		out[i] ^= byte(seed)
		out[i+3]++
	}
	mid := len(out) / 2
	out = append(out[:mid], append(genFirmware(seed+100, 40), out[mid:]...)...)
	return append(out[:100], out[130:]...)
}

// genComponentPool are the component identifiers a manifest may list.
var genComponentPool = []suit.ComponentID{
	{{0x00}},
	{{0x01}},
	{{0x00}, []byte("suitkit-patch")},
	{[]byte("a"), []byte("b"), []byte("c")},
	{{}},
	{bytes.Repeat([]byte{0xee}, 40)},
}

// genCase is one generated input: the manifest model, the envelope's
// integrated payloads, what storage holds before the run and the
// platform's choices.
type genCase struct {
	Manifest    *suit.Manifest
	Integrated  map[string][]byte
	Initial     map[int][]byte // component index -> content
	SkipCompat  bool
	Sever       bool // sever the install sequence
	DropSevered bool // ... and leave it out of the envelope
	Accept      int  // AcceptComponent refuses component index Accept-1 (0: accept all)
}

// manifestGen holds the state of one generation.
type manifestGen struct {
	g      *genSource
	pool   *genPayloads
	comps  []suit.ComponentID
	budget int // commands left
}

// generate builds a case from the fuzzer's bytes.
func generate(data []byte, pool *genPayloads) *genCase {
	g := &genSource{b: data}
	mg := &manifestGen{g: g, pool: pool, budget: 48}
	c := &genCase{Integrated: map[string][]byte{}, Initial: map[int][]byte{}}

	// Components: 1 to 4 distinct identifiers; rarely none, a duplicate
	// or more than the device supports.
	n := 1 + g.n(4)
	start := g.n(len(genComponentPool))
	for i := range n {
		mg.comps = append(mg.comps, genComponentPool[(start+i)%len(genComponentPool)])
	}
	switch g.n(64) {
	case 1:
		mg.comps = append(mg.comps, mg.comps[0]) // listed twice
	case 2:
		mg.comps = nil
	case 3:
		for i := range 17 {
			mg.comps = append(mg.comps, suit.ComponentID{[]byte{0x40, byte(i)}})
		}
	}
	// What storage holds: component 0 usually has the old image so that
	// a delta can apply to it.
	for i := range mg.comps {
		switch g.n(4) {
		case 0:
			if i == 0 {
				c.Initial[i] = pool.data[pool.oldIdx]
			}
		case 1:
			c.Initial[i] = pool.data[g.n(len(pool.data))]
		case 2:
			c.Initial[i] = []byte("installed image")
		}
	}
	// Integrated payloads: most of them, so that "#p<i>" usually resolves.
	for i, p := range pool.data {
		if !g.coin(12) {
			c.Integrated[fmt.Sprintf("#p%d", i)] = p
		}
	}

	m := &suit.Manifest{Version: 1, SequenceNumber: g.uint64(), Common: &suit.Common{Components: mg.comps}}
	if g.coin(8) {
		u := "https://example.com/m" + string(g.bytes(4))
		if strings.ToValidUTF8(u, "") == u {
			m.ReferenceURI = &u
		}
	}
	c.SkipCompat = g.coin(8)
	m.Common.SharedSequence = mg.shared(c.SkipCompat)

	// The sections: install most often.
	if s := mg.section(3); s != nil {
		m.PayloadFetch = &suit.SeverableSequence{Sequence: s}
	}
	if g.n(6) != 5 {
		if s := mg.section(0); s != nil {
			m.Install = &suit.SeverableSequence{Sequence: s}
		}
	}
	m.Validate = mg.section(1)
	m.Load = mg.section(3)
	m.Invoke = mg.section(2)
	if m.Install != nil && g.coin(10) {
		c.Sever = true
		c.DropSevered = g.coin(2)
	}
	if g.coin(12) {
		c.Accept = 1 + g.n(len(mg.comps)+1)
	}
	c.Manifest = m
	return c
}

// section returns a top-level sequence, or nil (more likely with a larger
// skip).
func (mg *manifestGen) section(skip int) *suit.CommandSequence {
	g := mg.g
	if skip > 0 && g.n(skip+1) != 0 {
		return nil
	}
	var s suit.CommandSequence
	if len(mg.comps) > 1 && !g.coin(16) {
		// A manifest with several components must start every sequence
		// with set-component-index.
		s.Commands = append(s.Commands, mg.setIndex())
	}
	mg.commands(&s, 1+g.n(6), 0, false)
	if len(s.Commands) == 0 {
		s.Commands = append(s.Commands, suit.Command{ID: suit.ConditionVendorIdentifier})
	}
	return &s
}

// shared returns the shared sequence: vendor and class set and checked
// on every component (unless skipCompat and a coin say otherwise), then
// a few more shared-allowed commands.
func (mg *manifestGen) shared(skipCompat bool) *suit.CommandSequence {
	g := mg.g
	var s suit.CommandSequence
	if len(mg.comps) > 1 {
		s.Commands = append(s.Commands, suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{All: true}})
	}
	if !skipCompat || g.coin(2) {
		vendor, class := slotVendor, slotClass
		switch g.n(24) {
		case 1:
			class = genOtherClass
		case 2:
			vendor = g.bytes(17)
		}
		s.Commands = append(s.Commands,
			suit.Command{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{
				suit.ParamBytes(suit.ParamVendorIdentifier, vendor), suit.ParamBytes(suit.ParamClassIdentifier, class)}},
			suit.Command{ID: suit.ConditionVendorIdentifier, ReportingPolicy: uint64(g.n(16))},
			suit.Command{ID: suit.ConditionClassIdentifier, ReportingPolicy: uint64(g.n(16))})
	}
	if g.coin(3) {
		mg.commands(&s, 1+g.n(2), 0, true)
	}
	if len(s.Commands) == 0 {
		return nil
	}
	return &s
}

// commands appends about n commands to s at nesting depth; shared keeps
// to what the shared sequence may contain.
func (mg *manifestGen) commands(s *suit.CommandSequence, n, depth int, shared bool) {
	for range n {
		if mg.budget <= 0 {
			return
		}
		mg.command(s, depth, shared)
	}
}

// Registered commands, by kind.
var (
	genConditions = []int64{suit.ConditionVendorIdentifier, suit.ConditionClassIdentifier, suit.ConditionImageMatch,
		suit.ConditionUseBefore, suit.ConditionComponentSlot, suit.ConditionCheckContent, suit.ConditionDependencyIntegrity,
		suit.ConditionIsDependency, suit.ConditionAbort, suit.ConditionDeviceIdentifier, suit.ConditionImageNotMatch,
		suit.ConditionMinimumBattery, suit.ConditionUpdateAuthorized, suit.ConditionVersion}
	genDirectives = []int64{suit.DirectiveFetch, suit.DirectiveCopy, suit.DirectiveWrite, suit.DirectiveSwap,
		suit.DirectiveUnlink, suit.DirectiveInvoke, suit.DirectiveApplyDelta, suit.DirectiveProcessDependency, suit.DirectiveWait}
	// genOddIDs are unregistered ids, among them the extremes.
	genOddIDs = []int64{0, -1, 9, 10, 13, 16, 17, 30, 36, 255, -2, -256, -258, math.MaxInt64, math.MinInt64,
		math.MinInt64 + 1, math.MaxInt32, math.MinInt32}
)

// command appends one command (or a short recipe of several) to s.
func (mg *manifestGen) command(s *suit.CommandSequence, depth int, shared bool) {
	g := mg.g
	add := func(c suit.Command) {
		mg.budget--
		s.Commands = append(s.Commands, c)
	}
	policy := func() uint64 {
		if g.coin(16) {
			return g.uint64()
		}
		return uint64(g.n(16))
	}
	kind := g.n(15)
	if kind == 14 {
		kind = 10
	}
	if shared {
		// Conditions, parameters, index and flow only.
		kind = []int{1, 2, 3, 4, 6, 7, 8, 9}[g.n(8)]
	}
	switch kind {
	case 0: // install a payload: set uri, digest and size, fetch, check
		k := g.n(len(mg.pool.data))
		ps := suit.Parameters{mg.uriParam(k), mg.digestParam(k), mg.sizeParam(k)}
		add(suit.Command{ID: suit.DirectiveOverrideParameters, Params: ps})
		add(suit.Command{ID: suit.DirectiveFetch, ReportingPolicy: policy()})
		add(suit.Command{ID: suit.ConditionImageMatch, ReportingPolicy: policy()})
	case 1:
		add(suit.Command{ID: suit.DirectiveOverrideParameters, Params: mg.params()})
	case 2:
		add(suit.Command{ID: suit.DirectiveSetParameters, Params: mg.params()})
	case 3:
		add(mg.setIndex())
	case 4:
		id := genConditions[g.n(len(genConditions))]
		if p, ok := mg.conditionParam(id); ok && !g.coin(4) {
			add(suit.Command{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{p}})
		}
		add(suit.Command{ID: id, ReportingPolicy: policy()})
	case 5:
		id := genDirectives[g.n(len(genDirectives))]
		if (id == suit.DirectiveCopy || id == suit.DirectiveSwap) && !g.coin(4) {
			// Copy and swap install only content that the receiving
			// component's image-digest covers: fetch a payload into the
			// source, then name it in component 0's digest.
			k := g.n(len(mg.pool.data))
			src := mg.index()
			if len(mg.comps) > 1 && !g.coin(8) {
				src = uint64(1 + g.n(len(mg.comps)-1))
			}
			add(suit.Command{ID: suit.DirectiveOverrideMultiple, Multiple: []suit.IndexedParameters{
				{Index: src, Params: suit.Parameters{mg.uriParam(k), mg.digestParam(k), mg.sizeParam(k)}}}})
			add(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: src}})
			add(suit.Command{ID: suit.DirectiveFetch})
			add(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: 0}})
			add(suit.Command{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{
				suit.ParamUint(suit.ParamSourceComponent, src), mg.digestParam(k), mg.sizeParam(k)}})
		}
		add(suit.Command{ID: id, ReportingPolicy: policy()})
	case 6, 7:
		if depth >= 3 {
			add(suit.Command{ID: suit.ConditionImageNotMatch, ReportingPolicy: policy()})
			return
		}
		mg.budget--
		if kind == 6 {
			c := suit.Command{ID: suit.DirectiveTryEach, TryEachNil: g.coin(3)}
			for range 2 + g.n(2) {
				var alt suit.CommandSequence
				mg.commands(&alt, 1+g.n(4), depth+1, shared)
				if len(alt.Commands) == 0 {
					alt.Commands = []suit.Command{{ID: suit.ConditionAbort}}
				}
				c.TryEach = append(c.TryEach, alt)
			}
			s.Commands = append(s.Commands, c)
			return
		}
		var sub suit.CommandSequence
		mg.commands(&sub, 1+g.n(4), depth+1, shared)
		if len(sub.Commands) == 0 {
			sub.Commands = []suit.Command{{ID: suit.ConditionAbort}}
		}
		s.Commands = append(s.Commands, suit.Command{ID: suit.DirectiveRunSequence, Sequence: &sub})
	case 8:
		var ms []suit.IndexedParameters
		seen := map[uint64]bool{}
		for range 1 + g.n(3) {
			i := mg.index()
			if !seen[i] {
				seen[i] = true
				ms = append(ms, suit.IndexedParameters{Index: i, Params: mg.params()})
			}
		}
		add(suit.Command{ID: suit.DirectiveOverrideMultiple, Multiple: ms})
	case 9:
		var cs []suit.CopyParams
		seen := map[uint64]bool{}
		for range 1 + g.n(2) {
			i := mg.index()
			if seen[i] {
				continue
			}
			seen[i] = true
			var ks []int64
			for range 1 + g.n(3) {
				k := mg.paramKey()
				if (k == suit.ParamSoftFailure || k == suit.ParamStrictOrder) && !g.coin(4) {
					k = suit.ParamImageDigest // copy-params refuses these two
				}
				ks = append(ks, k)
			}
			cs = append(cs, suit.CopyParams{Source: i, Keys: ks})
		}
		add(suit.Command{ID: suit.DirectiveCopyParams, Copy: cs})
	case 10, 11: // an unregistered or extreme command id (3 in 15)
		add(mg.oddCommand())
	case 12: // a delta update of the current component
		k := mg.pool.patchIdx
		if g.coin(3) {
			k = mg.pool.bsdiffIdx
		}
		src := mg.index()
		if len(mg.comps) > 1 && !g.coin(8) {
			src = uint64(1 + g.n(len(mg.comps)-1)) // the current component is usually 0
		}
		add(suit.Command{ID: suit.DirectiveOverrideMultiple, Multiple: []suit.IndexedParameters{
			{Index: src, Params: suit.Parameters{mg.uriParam(k), mg.digestParam(k), mg.sizeParam(k)}}}})
		add(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: src}})
		add(suit.Command{ID: suit.DirectiveFetch})
		add(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: 0}})
		add(suit.Command{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{
			suit.ParamUint(suit.ParamSourceComponent, src), mg.digestParam(mg.pool.newIdx), mg.sizeParam(mg.pool.newIdx)}})
		add(suit.Command{ID: suit.DirectiveApplyDelta, ReportingPolicy: policy()})
		add(suit.Command{ID: suit.ConditionImageMatch})
	default: // write content, then check it
		content := g.bytes(24)
		ps := suit.Parameters{suit.ParamBytes(suit.ParamContent, content)}
		if g.coin(2) {
			d, _ := suit.ComputeDigest(suit.AlgSHA256, content)
			p, _ := suit.ParamDigest(suit.ParamImageDigest, d)
			ps = append(ps, p)
		}
		add(suit.Command{ID: suit.DirectiveOverrideParameters, Params: ps})
		add(suit.Command{ID: suit.DirectiveWrite, ReportingPolicy: policy()})
		add(suit.Command{ID: suit.ConditionCheckContent, ReportingPolicy: policy()})
	}
}

// conditionParam returns, for a condition that reads a parameter, a
// value that usually makes it hold on the generated platform.
func (mg *manifestGen) conditionParam(id int64) (suit.Parameter, bool) {
	g := mg.g
	switch id {
	case suit.ConditionDeviceIdentifier:
		return suit.ParamBytes(suit.ParamDeviceIdentifier, genDevice), true
	case suit.ConditionComponentSlot:
		return suit.ParamUint(suit.ParamComponentSlot, uint64(g.n(2))), true
	case suit.ConditionUseBefore:
		return suit.ParamUint(suit.ParamUseBefore, uint64(genNow.Unix())+uint64(g.n(3))*3600), true
	case suit.ConditionMinimumBattery:
		return suit.ParamUint(suit.ParamMinimumBattery, uint64(g.n(2))*5000+uint64(g.n(2))), true
	case suit.ConditionVersion:
		p, err := suit.ParamVersionMatch(suit.ParamVersion, suit.VersionMatch{Comparison: int64(1 + g.n(5)),
			Parts: []int64{1, int64(g.n(4))}})
		return p, err == nil
	case suit.ConditionImageMatch, suit.ConditionImageNotMatch:
		return mg.digestParam(g.n(len(mg.pool.data))), true
	case suit.ConditionCheckContent:
		return suit.ParamBytes(suit.ParamContent, mg.pool.data[g.n(len(mg.pool.data))]), true
	}
	return suit.Parameter{}, false
}

// oddCommand is a command with an unregistered or extreme id and an
// argument of a kind the decoder accepts for it.
func (mg *manifestGen) oddCommand() suit.Command {
	g := mg.g
	var id int64
	switch g.n(3) {
	case 0:
		id = genOddIDs[g.n(len(genOddIDs))]
	case 1:
		id = g.int64()
	default:
		id = int64(g.raw64())
	}
	c := suit.Command{ID: id}
	switch c.Kind() {
	case suit.ArgRaw:
		args := [][]byte{intItem(g.int64()), {0xf6}, {0x41, 0x00}, {0x61, 0x61}, intItem(math.MinInt64), {0x40}}
		if id >= 0 {
			args = append(args, []byte{0xa1, 0x01, 0x82, 0x01, 0x02}, []byte{0x80}, []byte{0xf5})
		}
		c.Arg = args[g.n(len(args))]
	case suit.ArgReportingPolicy:
		c.ReportingPolicy = g.uint64()
	default:
		// A random id landed on a registered structured command: make it
		// a plain condition instead.
		c = suit.Command{ID: suit.ConditionAbort}
	}
	return c
}

// index returns a component index: usually valid, sometimes out of range
// or extreme.
func (mg *manifestGen) index() uint64 {
	g := mg.g
	if n := len(mg.comps); n > 0 && !g.coin(16) {
		return uint64(g.n(n))
	}
	return []uint64{uint64(len(mg.comps)), math.MaxUint64, math.MaxInt64, 1 << 63, 255}[g.n(5)]
}

func (mg *manifestGen) setIndex() suit.Command {
	g := mg.g
	c := suit.Command{ID: suit.DirectiveSetComponentIndex}
	switch g.n(6) {
	case 1:
		c.Index.All = true
	case 2:
		for range 1 + g.n(3) {
			c.Index.List = append(c.Index.List, mg.index())
		}
	default:
		c.Index.Index = mg.index()
	}
	return c
}

// genParamKeys are the parameter keys the processor understands;
// genOddParamKeys registered ones it does not, unregistered and extreme
// keys.
var (
	genParamKeys = []int64{
		suit.ParamImageDigest, suit.ParamImageSize, suit.ParamURI, suit.ParamSourceComponent, suit.ParamContent,
		suit.ParamVendorIdentifier, suit.ParamClassIdentifier, suit.ParamDeviceIdentifier, suit.ParamComponentSlot,
		suit.ParamUseBefore, suit.ParamMinimumBattery, suit.ParamVersion, suit.ParamInvokeArgs, suit.ParamStrictOrder,
		suit.ParamSoftFailure, suit.ParamUpdatePriority,
	}
	genOddParamKeys = []int64{suit.ParamEncryptionInfo, suit.ParamFetchArguments, suit.ParamWaitInfo,
		suit.ParamComponentMetadata, 0, 6, 99, -1, -70000, math.MaxInt64, math.MinInt64}
)

func (mg *manifestGen) paramKey() int64 {
	g := mg.g
	switch g.n(24) {
	case 1:
		return g.int64()
	case 2, 3:
		return genOddParamKeys[g.n(len(genOddParamKeys))]
	}
	return genParamKeys[g.n(len(genParamKeys))]
}

// params returns 1 to 3 parameters with distinct keys.
func (mg *manifestGen) params() suit.Parameters {
	g := mg.g
	var ps suit.Parameters
	seen := map[int64]bool{}
	for range 1 + g.n(3) {
		k := mg.paramKey()
		if seen[k] {
			continue
		}
		seen[k] = true
		ps = append(ps, mg.param(k))
	}
	return ps
}

// param returns a value for parameter key: a sensible one most of the
// time, a wrong or extreme one otherwise.
func (mg *manifestGen) param(key int64) suit.Parameter {
	g := mg.g
	k := g.n(len(mg.pool.data))
	switch key {
	case suit.ParamImageDigest:
		return mg.digestParam(k)
	case suit.ParamImageSize:
		return mg.sizeParam(k)
	case suit.ParamURI:
		return mg.uriParam(k)
	case suit.ParamSourceComponent:
		return suit.ParamUint(key, mg.index())
	case suit.ParamContent, suit.ParamInvokeArgs, suit.ParamFetchArguments:
		if g.coin(3) {
			return suit.ParamBytes(key, mg.pool.data[0])
		}
		return suit.ParamBytes(key, g.bytes(20))
	case suit.ParamVendorIdentifier:
		return suit.ParamBytes(key, [][]byte{slotVendor, slotVendor, slotVendor, g.bytes(16)}[g.n(4)])
	case suit.ParamClassIdentifier:
		return suit.ParamBytes(key, [][]byte{slotClass, slotClass, genOtherClass, g.bytes(16)}[g.n(4)])
	case suit.ParamDeviceIdentifier:
		return suit.ParamBytes(key, [][]byte{genDevice, slotClass, g.bytes(16)}[g.n(3)])
	case suit.ParamComponentSlot, suit.ParamMinimumBattery:
		return suit.ParamUint(key, g.uint64())
	case suit.ParamUseBefore:
		return suit.ParamUint(key, []uint64{uint64(genNow.Unix()) + 3600, uint64(genNow.Unix()), 0, g.uint64()}[g.n(4)])
	case suit.ParamVersion:
		parts := []int64{g.int64()}
		for range g.n(3) {
			parts = append(parts, g.int64())
		}
		p, err := suit.ParamVersionMatch(key, suit.VersionMatch{Comparison: int64(1 + g.n(5)), Parts: parts})
		if err != nil {
			panic(err) // parts is never empty
		}
		return p
	case suit.ParamStrictOrder, suit.ParamSoftFailure:
		return suit.ParamBool(key, g.coin(2))
	case suit.ParamUpdatePriority:
		return suit.ParamInt(key, g.int64())
	case suit.ParamEncryptionInfo:
		return suit.ParamBytes(key, []byte{0xd8, 0x60, 0x84, 0x40, 0xa0, 0xf6, 0x80})
	case suit.ParamWaitInfo, suit.ParamComponentMetadata:
		return suit.ParamBytes(key, []byte{0xa1, 0x01, 0x01})
	}
	if key < 0 {
		switch g.n(4) {
		case 0:
			return suit.ParamInt(key, g.int64())
		case 1:
			return suit.ParamBool(key, true)
		case 2:
			return suit.ParamText(key, "v")
		}
		return suit.ParamBytes(key, g.bytes(4))
	}
	return suit.ParamUint(key, g.uint64())
}

// digestParam is the image digest of payload k, usually with SHA-256 and
// correct, sometimes with another algorithm, of other data, or with an
// algorithm nobody supports.
func (mg *manifestGen) digestParam(k int) suit.Parameter {
	g := mg.g
	data := mg.pool.data[k]
	alg := suit.AlgSHA256
	switch g.n(10) {
	case 1:
		alg = suit.AlgSHA384
	case 2:
		alg = suit.AlgSHA512
	case 3:
		alg = suit.AlgSHAKE128
	case 4:
		alg = suit.AlgSHAKE256
	case 5:
		data = []byte("something else")
	}
	d, err := suit.ComputeDigest(alg, data)
	if err != nil {
		panic(err) // a supported algorithm
	}
	if g.coin(12) {
		d.Algorithm = []int64{-99, 0, math.MinInt64, math.MaxInt64}[g.n(4)]
	}
	p, err := suit.ParamDigest(suit.ParamImageDigest, d)
	if err != nil {
		d, _ = suit.ComputeDigest(suit.AlgSHA256, data)
		p, _ = suit.ParamDigest(suit.ParamImageDigest, d)
	}
	return p
}

func (mg *manifestGen) sizeParam(k int) suit.Parameter {
	g := mg.g
	n := uint64(len(mg.pool.data[k]))
	if g.coin(8) {
		n = []uint64{n + 1, n - 1, 0, math.MaxUint64, math.MaxInt64, 1 << 63}[g.n(6)]
	}
	return suit.ParamUint(suit.ParamImageSize, n)
}

// uriParam names payload k: integrated, by URL, or something that fails.
func (mg *manifestGen) uriParam(k int) suit.Parameter {
	g := mg.g
	uri := fmt.Sprintf("#p%d", k)
	switch g.n(10) {
	case 1, 2:
		uri = fmt.Sprintf("%sp%d", genURL, k)
	case 3:
		uri = genURL + "endless"
	case 4:
		uri = genURL + "fail"
	case 5:
		uri = "file:///etc/passwd"
	case 6:
		uri = ""
	}
	return suit.ParamText(suit.ParamURI, uri)
}

var (
	genNow    = time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	genDevice = []byte("device-0123456789")[:16]
)

// genFetcher serves the payload pool by URL, an endless stream and a
// failure.
type genFetcher struct{ pool *genPayloads }

type genEndless struct{}

func (genEndless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0x5a
	}
	return len(p), nil
}

func (f genFetcher) Fetch(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch rest, _ := strings.CutPrefix(uri, genURL); rest {
	case "endless":
		return io.NopCloser(io.LimitReader(genEndless{}, max+1)), nil
	case "fail":
		return nil, errors.New("connection reset")
	default:
		var i int
		if _, err := fmt.Sscanf(rest, "p%d", &i); err == nil && i >= 0 && i < len(f.pool.data) && rest == fmt.Sprintf("p%d", i) {
			return io.NopCloser(bytes.NewReader(f.pool.data[i])), nil
		}
	}
	return nil, fmt.Errorf("404 not found: %s", uri)
}

// genInvoker records invocations and fails for component [h'01'].
type genInvoker struct{ n int }

func (v *genInvoker) Invoke(_ context.Context, id [][]byte, _ []byte) error {
	v.n++
	if len(id) == 1 && bytes.Equal(id[0], []byte{0x01}) {
		return errors.New("boot failed")
	}
	return nil
}

// mutation counts the changes made to storage, so that a failed directive
// can be shown to have changed nothing.
type countingStorage struct {
	*MemoryStorage
	mutations int
}

func (s *countingStorage) Stage(id [][]byte) (Staging, error) {
	st, err := s.MemoryStorage.Stage(id)
	if err != nil {
		return nil, err
	}
	return &countingStaging{Staging: st, s: s}, nil
}

func (s *countingStorage) Swap(a, b [][]byte) error {
	err := s.MemoryStorage.Swap(a, b)
	if err == nil {
		s.mutations++
	}
	return err
}

func (s *countingStorage) Unlink(id [][]byte) error {
	_, had := s.MemoryStorage.Get(id)
	err := s.MemoryStorage.Unlink(id)
	if err == nil && had {
		s.mutations++
	}
	return err
}

type countingStaging struct {
	Staging
	s *countingStorage
}

func (c *countingStaging) Commit() error {
	err := c.Staging.Commit()
	if err == nil {
		c.s.mutations++
	}
	return err
}

// recordSink keeps every record with the mutation count when it arrived.
type recordSink struct {
	st      *countingStorage
	start   int // mutations before the current procedure
	records []Record
	muts    []int
}

func (r *recordSink) Record(rec Record) {
	r.records = append(r.records, rec)
	r.muts = append(r.muts, r.st.mutations)
}

// processSentinels are the errors a run may end with: every sentinel of
// package process except ErrLocked and ErrSuperseded, which need a
// concurrent run that these single-run tests never have.
var processSentinels = []error{ErrConditionFailed, ErrUnsupported, ErrParameterUnset,
	ErrComponent, ErrLimit, ErrOperation, ErrPayloadMismatch, ErrNoContent,
	ErrMissingSequence, ErrManifest, ErrUnauthenticatedContent, ErrDeferred}

var verifySentinels = []error{verify.ErrUnauthenticated, verify.ErrMalformed, verify.ErrUnsupportedAlgorithm,
	verify.ErrUnsupportedHeader, verify.ErrSeveredMismatch, verify.ErrMissingPayload, verify.ErrUnauthorizedComponent,
	verify.ErrRollback, verify.ErrMaxSequence, verify.ErrStoreCorrupt, suit.ErrDigestMismatch}

func matchesAny(err error, sentinels []error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// genOutcome is what running one generated case did.
type genOutcome struct {
	Verified  bool
	VerifyErr error
	// Records of both procedures, in order.
	Records []Record
	Errs    [2]error
}

// runGenerated builds, signs, verifies and processes one generated case
// and checks the properties; failures are reported through fail.
//
// Properties:
//   - the model encodes, the strict decoder accepts the encoding, and the
//     decoded manifest re-encodes to the same bytes;
//   - verification either accepts the signed envelope or fails with one of
//     verify's sentinels;
//   - for what verify accepts, Update and then Invoke (on the storage
//     Update left) run without panicking and pass checkProcedure: each
//     ends in success or an error matching one of processSentinels, a
//     command that did not succeed changed no component, and a failed
//     command fails the procedure.
func runGenerated(data []byte, fail func(format string, args ...any)) *genOutcome {
	pool, key, err := genSetup()
	if err != nil {
		fail("setup: %v", err)
		return nil
	}
	c := generate(data, pool)
	out := &genOutcome{}

	mb, err := c.Manifest.Encode()
	if err != nil {
		fail("generated model does not encode: %v", err)
		return nil
	}
	back, err := suit.DecodeManifestBytes(mb, nil)
	if err != nil {
		fail("strict decoder rejects the encoder's output: %v\n%x", err, mb)
		return nil
	}
	if again, err := back.Encode(); err != nil || !bytes.Equal(again, mb) {
		fail("decode -> encode differs (%v)\n in  %x\n out %x", err, mb, again)
		return nil
	}

	env := &suit.Envelope{Tagged: true, ManifestBytes: mb, Integrated: c.Integrated}
	if c.Sever {
		if _, err := suit.Sever(env, &suit.SeverOptions{Elements: []int64{suit.ManifestInstall}}); err != nil {
			fail("sever: %v", err)
			return nil
		}
		if c.DropSevered {
			delete(env.Severed, suit.ManifestInstall)
		}
	}
	if err := sign.Authenticate(env, key.signer); err != nil {
		fail("sign: %v", err)
		return nil
	}
	eb, err := env.Encode()
	if err != nil {
		fail("encode envelope: %v", err)
		return nil
	}
	ver, err := verify.New([]*verify.Key{key.anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		fail("verifier: %v", err)
		return nil
	}
	v, err := ver.Verify(eb)
	if err != nil {
		out.VerifyErr = err
		if v != nil {
			fail("Verify returned a result with error %v", err)
		}
		if !matchesAny(err, verifySentinels) {
			fail("verify error matches no sentinel: %v", err)
		}
		return out
	}
	out.Verified = true

	st := &countingStorage{MemoryStorage: &MemoryStorage{}}
	for i, content := range c.Initial {
		st.Set(c.Manifest.Common.Components[i], content)
	}
	sink := &recordSink{st: st}
	pf := genPlatform(pool, st, sink)
	pf.SkipCompatibilityCheckUnsafe = c.SkipCompat
	if c.Accept > 0 && c.Accept <= len(c.Manifest.Common.Components) {
		refused := c.Manifest.Common.Components[c.Accept-1]
		pf.AcceptComponent = func(id [][]byte) bool { return !refused.Equal(id) }
	}
	p, err := New(pf, genLimits)
	if err != nil {
		fail("New: %v", err)
		return nil
	}
	for i, run := range []func(context.Context, *verify.Verified) (*Report, error){p.Update, p.Invoke} {
		first := len(sink.records)
		rep, err := run(context.Background(), v)
		out.Errs[i] = err
		checkProcedure(rep, err, sink, first, func(format string, args ...any) {
			fail("procedure %d: "+format, append([]any{i}, args...)...)
		})
		out.Records = append(out.Records, sink.records[first:]...)
	}
	return out
}

// genLimits keep a generated run small and fast.
var genLimits = &Limits{MaxImageSize: 1 << 16, MaxCommands: 1024}

// genPlatform is the device generated manifests run on: the identity the
// generator checks, storage st, a fetcher serving the payload pool, a
// clock, a battery, a version source and an invoker, reporting to sink.
func genPlatform(pool *genPayloads, st *countingStorage, sink *recordSink) Platform {
	st.SetSlot(genComponentPool[1], 1)
	return Platform{
		Identity: Identity{VendorID: slotVendor, ClassID: slotClass, DeviceID: genDevice},
		Storage:  st,
		Fetcher:  genFetcher{pool},
		Invoker:  &genInvoker{},
		Clock:    func() time.Time { return genNow },
		Battery:  func() (uint64, error) { return 5000, nil },
		Version:  func([][]byte) ([]int64, error) { return []int64{1, 2, 3}, nil },
		Report:   sink,
	}
}

// genIntegrated returns every payload of the pool as an integrated
// payload "#p<i>".
func genIntegrated(pool *genPayloads) map[string][]byte {
	out := map[string][]byte{}
	for i, p := range pool.data {
		out[fmt.Sprintf("#p%d", i)] = p
	}
	return out
}

// checkProcedure checks one procedure's result; sink.records[first:] are
// its records.
//
//   - the report is non-nil, its Err is the error returned, and its text
//     and CBOR forms render;
//   - the error is nil or matches one of processSentinels;
//   - a command whose record says it did not succeed changed no stored
//     component (process promises this per directive: content is staged
//     and committed only when complete and matching; it does not promise
//     that a failed run undoes earlier successful directives);
//   - a Failed record (a failed directive, or a condition that could not
//     be evaluated) means the procedure failed.
func checkProcedure(rep *Report, err error, sink *recordSink, first int, fail func(format string, args ...any)) {
	if rep == nil {
		fail("nil report")
		return
	}
	if rep.Err != err {
		fail("report error %v, returned %v", rep.Err, err)
	}
	if err != nil && !matchesAny(err, processSentinels) {
		fail("error matches no sentinel: %v", err)
	}
	_ = rep.String()
	if _, err := rep.MarshalCBOR(); err != nil {
		fail("report CBOR: %v", err)
	}
	failed := false
	for j := first; j < len(sink.records) && !rep.Truncated; j++ {
		rec := sink.records[j]
		prev := sink.start
		if j > first {
			prev = sink.muts[j-1]
		}
		if rec.Outcome != OK && sink.muts[j] != prev {
			fail("%s on component %d did not succeed (%v) but changed storage", commandName(rec.Command), rec.Component, rec.Err)
		}
		if rec.Outcome == Failed {
			failed = true
		}
	}
	if failed && err == nil {
		fail("a command failed but the procedure succeeded")
	}
	sink.start = sink.st.mutations
}
