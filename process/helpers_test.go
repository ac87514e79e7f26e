package process_test

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

var (
	testVendor = []byte{0xfa, 0x6b, 0x4a, 0x53, 0xd5, 0xad, 0x5f, 0xdf, 0xbe, 0x9d, 0xe6, 0x63, 0xe4, 0xd4, 0x1f, 0xfe}
	testClass  = []byte{0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x45}
	otherClass = []byte{0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x46}
	comp0      = suit.ComponentID{{0x00}}
	comp1      = suit.ComponentID{{0x01}}
)

// testKey is a signing key and the matching trust anchor.
type testKey struct {
	signer *sign.Signer
	anchor *verify.Key
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	k, err := keys.GenerateKey(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.ForKey(k, keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	a, err := verify.NewKey(k.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{signer: s, anchor: a}
}

// seal encodes m, signs it and returns the envelope with the integrated
// payloads.
func seal(t testing.TB, k testKey, m *suit.Manifest, integrated map[string][]byte) []byte {
	t.Helper()
	mb, err := m.Encode()
	if err != nil {
		t.Fatalf("encode manifest: %v", err)
	}
	return sealBytes(t, k, mb, integrated)
}

// sealBytes signs the encoded manifest mb as it is, so that tests can sign
// manifests the suit model cannot express.
func sealBytes(t testing.TB, k testKey, mb []byte, integrated map[string][]byte) []byte {
	t.Helper()
	d, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	blk, err := k.signer.Block(db)
	if err != nil {
		t.Fatal(err)
	}
	env := &suit.Envelope{
		Tagged:         true,
		Authentication: &suit.Authentication{DigestBytes: db, Digest: d, Blocks: [][]byte{blk}},
		ManifestBytes:  mb,
		Integrated:     integrated,
	}
	out, err := env.Encode()
	if err != nil {
		t.Fatalf("encode envelope: %v", err)
	}
	return out
}

func seq(cmds ...suit.Command) *suit.CommandSequence { return &suit.CommandSequence{Commands: cmds} }

func override(ps ...suit.Parameter) suit.Command {
	return suit.Command{ID: suit.DirectiveOverrideParameters, Params: ps}
}

func cmd(id int64) suit.Command { return suit.Command{ID: id, ReportingPolicy: 15} }

func index(i uint64) suit.Command {
	return suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: i}}
}

func indexAll() suit.Command {
	return suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{All: true}}
}

func tryEach(withNil bool, alts ...*suit.CommandSequence) suit.Command {
	c := suit.Command{ID: suit.DirectiveTryEach, TryEachNil: withNil}
	for _, a := range alts {
		c.TryEach = append(c.TryEach, *a)
	}
	return c
}

func runSeq(s *suit.CommandSequence) suit.Command {
	return suit.Command{ID: suit.DirectiveRunSequence, Sequence: s}
}

func pDigest(t testing.TB, data []byte) suit.Parameter {
	t.Helper()
	d, _ := suit.ComputeDigest(suit.AlgSHA256, data)
	p, err := suit.ParamDigest(suit.ParamImageDigest, d)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pSize(n int) suit.Parameter   { return suit.ParamUint(suit.ParamImageSize, uint64(n)) }
func pURI(u string) suit.Parameter { return suit.ParamText(suit.ParamURI, u) }
func pVendor() suit.Parameter      { return suit.ParamBytes(suit.ParamVendorIdentifier, testVendor) }
func pClass(c []byte) suit.Parameter {
	return suit.ParamBytes(suit.ParamClassIdentifier, c)
}

// compat is the usual start of a shared sequence: set vendor and class,
// check them.
func compat(class []byte, extra ...suit.Parameter) []suit.Command {
	ps := append([]suit.Parameter{pVendor(), pClass(class)}, extra...)
	return []suit.Command{override(ps...), cmd(suit.ConditionVendorIdentifier), cmd(suit.ConditionClassIdentifier)}
}

// fullImage is a one-component manifest installing fw from the integrated
// payload "#fw".
func fullImage(t testing.TB, seqNo uint64, fw []byte) *suit.Manifest {
	return &suit.Manifest{
		Version:        1,
		SequenceNumber: seqNo,
		Common: &suit.Common{
			Components:     []suit.ComponentID{comp0},
			SharedSequence: seq(compat(testClass, pDigest(t, fw), pSize(len(fw)))...),
		},
		Install:  &suit.SeverableSequence{Sequence: seq(override(pURI("#fw")), cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch))},
		Validate: seq(cmd(suit.ConditionImageMatch)),
	}
}

// firmware returns n bytes of deterministic firmware-like data.
func firmware(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func identity() process.Identity {
	return process.Identity{VendorID: testVendor, ClassID: testClass}
}

// device is a processor on a fake flash plus a verifier whose rollback
// store is the same flash.
type device struct {
	flash *testdevice.Flash
	proc  *process.Processor
	ver   *verify.Verifier
}

func newDevice(t testing.TB, flash *testdevice.Flash, k testKey, pf process.Platform, lim *process.Limits) *device {
	t.Helper()
	if pf.Identity.VendorID == nil && pf.Identity.ClassID == nil {
		pf.Identity = identity()
	}
	pf.Storage = flash
	p, err := process.New(pf, lim)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: flash})
	if err != nil {
		t.Fatal(err)
	}
	return &device{flash: flash, proc: p, ver: v}
}

func (d *device) install(env []byte) (*process.Report, error) {
	return d.proc.Install(context.Background(), d.ver, env)
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }
