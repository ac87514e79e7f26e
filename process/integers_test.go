package process

import (
	"crypto/sha256"
	"math"
	"sort"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file builds manifests with an arbitrary CBOR integer in each integer
// slot, including values the suit model cannot express (a negative number
// where a uint belongs, 2^64-1 where an int belongs). They seed
// FuzzProcessManifest and drive the table test in integers_ext_test.go.

// item is one encoded CBOR data item.
type item []byte

func cUint(v uint64) item { return cbor.AppendHead(nil, cbor.Uint, v) }

// cNeg encodes -1-arg, so cNeg(math.MaxUint64) is -2^64.
func cNeg(arg uint64) item { return cbor.AppendHead(nil, cbor.Nint, arg) }

func cBytes(b []byte) item { return append(cbor.AppendHead(nil, cbor.Bytes, uint64(len(b))), b...) }

func cArr(xs ...item) item {
	out := cbor.AppendHead(nil, cbor.Array, uint64(len(xs)))
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

// cMap encodes key/value pairs in deterministic order (sorted by the
// encoded key), as suit's strict decoder requires. Duplicate keys are kept:
// the decoder must refuse them.
func cMap(kv ...item) item {
	type pair struct{ k, v item }
	ps := make([]pair, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, pair{kv[i], kv[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return string(ps[i].k) < string(ps[j].k) })
	out := cbor.AppendHead(nil, cbor.Map, uint64(len(ps)))
	for _, p := range ps {
		out = append(append(out, p.k...), p.v...)
	}
	return out
}

// intValue is one of the integers every slot is tried with.
type intValue struct {
	Name string
	Item []byte
}

// IntValues are the boundary integers of issue 9 item 1, plus -2^64, the
// most negative CBOR integer.
var intValues = []intValue{
	{"0", cUint(0)},
	{"1", cUint(1)},
	{"-1", cNeg(0)},
	{"MaxInt64", cUint(math.MaxInt64)},
	{"MinInt64", cNeg(math.MaxInt64)}, // 3b 7fffffffffffffff
	{"MaxUint64", cUint(math.MaxUint64)},
	{"-2^64", cNeg(math.MaxUint64)},
}

var (
	slotVendor = []byte{0xfa, 0x6b, 0x4a, 0x53, 0xd5, 0xad, 0x5f, 0xdf, 0xbe, 0x9d, 0xe6, 0x63, 0xe4, 0xd4, 0x1f, 0xfe}
	slotClass  = []byte{0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x45}
	// slotImage is what component [h'00'] holds before each run.
	slotImage = []byte("image zero")
)

// integerSlot places v in one integer position of an otherwise valid
// manifest for one component [h'00'] whose install sequence ends with a
// passing vendor check.
type integerSlot struct {
	Name string
	Make func(v item) []byte
}

func slotManifest(version, seq item, install item, manifestExtra, commonExtra []item) []byte {
	shared := cArr(cUint(20), cMap(cUint(1), cBytes(slotVendor), cUint(2), cBytes(slotClass)),
		cUint(1), cUint(15), cUint(2), cUint(15))
	common := append([]item{cUint(2), cArr(cArr(cBytes([]byte{0}))), cUint(4), cBytes(shared)}, commonExtra...)
	kv := []item{cUint(1), version, cUint(2), seq, cUint(3), cBytes(cMap(common...))}
	if install != nil {
		kv = append(kv, cUint(20), cBytes(install))
	}
	return cMap(append(kv, manifestExtra...)...)
}

// installSlot is a manifest whose install sequence is cmds followed by a
// vendor check.
func installSlot(cmds ...item) []byte {
	return slotManifest(cUint(1), cUint(1), cArr(append(cmds, cUint(1), cUint(15))...), nil, nil)
}

// override is override-parameters with one parameter.
func slotOverride(key, val item) []item { return []item{cUint(20), cMap(key, val)} }

func slotCmd(id int64) []item { return []item{cUint(uint64(id)), cUint(15)} }

func slotCat(parts ...[]item) []item {
	var out []item
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func imageDigest(alg item) item {
	sum := sha256.Sum256(slotImage)
	return cBytes(cArr(alg, cBytes(sum[:])))
}

var integerSlots = []integerSlot{
	{"manifest-version", func(v item) []byte { return slotManifest(v, cUint(1), cArr(cUint(1), cUint(15)), nil, nil) }},
	{"sequence-number", func(v item) []byte { return slotManifest(cUint(1), v, cArr(cUint(1), cUint(15)), nil, nil) }},
	{"command-id", func(v item) []byte { return installSlot(v, cUint(0)) }},
	{"reporting-policy", func(v item) []byte { return installSlot(cUint(1), v) }},
	{"component-index", func(v item) []byte { return installSlot(cUint(12), v) }},
	{"component-index-list", func(v item) []byte { return installSlot(cUint(12), cArr(v)) }},
	{"parameter-key", func(v item) []byte { return installSlot(slotOverride(v, cUint(0))...) }},
	{"image-size", func(v item) []byte {
		return installSlot(cUint(20), cMap(cUint(3), imageDigest(cNeg(15)), cUint(14), v), cUint(3), cUint(15))
	}},
	{"digest-algorithm", func(v item) []byte {
		return installSlot(slotCat(slotOverride(cUint(3), imageDigest(v)), slotCmd(3))...)
	}},
	{"component-slot", func(v item) []byte { return installSlot(slotCat(slotOverride(cUint(5), v), slotCmd(5))...) }},
	{"use-before", func(v item) []byte { return installSlot(slotCat(slotOverride(cUint(4), v), slotCmd(4))...) }},
	{"minimum-battery", func(v item) []byte { return installSlot(slotCat(slotOverride(cUint(26), v), slotCmd(26))...) }},
	{"source-component", func(v item) []byte {
		// copy: the image-digest of what component 0 holds, so that a
		// copy from itself is authenticated.
		return installSlot(cUint(20), cMap(cUint(3), imageDigest(cNeg(15)), cUint(22), v), cUint(22), cUint(15))
	}},
	{"update-priority", func(v item) []byte { return installSlot(slotOverride(cUint(27), v)...) }},
	{"version-comparison", func(v item) []byte {
		return installSlot(slotCat(slotOverride(cUint(28), cBytes(cArr(v, cArr(cUint(1))))), slotCmd(28))...)
	}},
	{"version-part", func(v item) []byte {
		return installSlot(slotCat(slotOverride(cUint(28), cBytes(cArr(cUint(2), cArr(v)))), slotCmd(28))...)
	}},
	{"override-multiple-index", func(v item) []byte {
		return installSlot(cUint(34), cMap(v, cMap(cUint(27), cUint(0))))
	}},
	{"copy-params-source", func(v item) []byte { return installSlot(cUint(35), cMap(v, cArr(cUint(27)))) }},
	{"copy-params-key", func(v item) []byte { return installSlot(cUint(35), cMap(cUint(0), cArr(v))) }},
	{"manifest-key", func(v item) []byte {
		return slotManifest(cUint(1), cUint(1), cArr(cUint(1), cUint(15)), []item{v, cUint(0)}, nil)
	}},
	{"common-key", func(v item) []byte {
		return slotManifest(cUint(1), cUint(1), cArr(cUint(1), cUint(15)), nil, []item{v, cUint(0)})
	}},
	{"dependency-index", func(v item) []byte {
		return slotManifest(cUint(1), cUint(1), cArr(cUint(1), cUint(15)), nil, []item{cUint(1), cMap(v, cMap())})
	}},
	{"set-version", func(v item) []byte {
		return slotManifest(cUint(1), cUint(1), cArr(cUint(1), cUint(15)), []item{cUint(6), cBytes(cArr(v))}, nil)
	}},
}

// integerSlotManifests returns every slot filled with every value, keyed
// "slot/value".
func integerSlotManifests() (names []string, manifests [][]byte) {
	for _, s := range integerSlots {
		for _, v := range intValues {
			names = append(names, s.Name+"/"+v.Name)
			manifests = append(manifests, s.Make(v.Item))
		}
	}
	return names, manifests
}
