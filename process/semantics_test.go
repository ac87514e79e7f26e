package process_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
)

// runInstall processes a one-component manifest whose install sequence is
// cmds, on a device whose component 0 holds "factory".
func runInstall(t *testing.T, pf process.Platform, cmds ...suit.Command) (*process.Report, *testdevice.Flash, error) {
	t.Helper()
	return runInstallLimits(t, pf, nil, cmds...)
}

func runInstallLimits(t *testing.T, pf process.Platform, lim *process.Limits, cmds ...suit.Command) (*process.Report, *testdevice.Flash, error) {
	t.Helper()
	k := newTestKey(t)
	m := &suit.Manifest{
		Version: 1, SequenceNumber: 1,
		Common:  &suit.Common{Components: []suit.ComponentID{comp0}, SharedSequence: seq(compat(testClass)...)},
		Install: &suit.SeverableSequence{Sequence: seq(cmds...)},
	}
	flash := testdevice.New()
	flash.Set(comp0, []byte("factory"))
	d := newDevice(t, flash, k, pf, lim)
	rep, err := d.install(seal(t, k, m, nil))
	return rep, flash, err
}

func pContent(b []byte) suit.Parameter { return suit.ParamBytes(suit.ParamContent, b) }
func pSoft(v bool) suit.Parameter      { return suit.ParamBool(suit.ParamSoftFailure, v) }

func TestUnknownCommandFails(t *testing.T) {
	for _, c := range []suit.Command{
		{ID: -300, Arg: []byte{0xf6}},                             // custom command we do not know
		{ID: 99, Arg: []byte{0x0f}},                               // unregistered number
		{ID: suit.ConditionUpdateAuthorized, ReportingPolicy: 15}, // registered but not implemented
	} {
		_, flash, err := runInstall(t, process.Platform{}, c, override(pContent([]byte("x"))), cmd(suit.DirectiveWrite))
		if !errors.Is(err, process.ErrUnsupported) {
			t.Errorf("command %d: err = %v, want ErrUnsupported", c.ID, err)
		}
		if got, _ := flash.Get(comp0); string(got) != "factory" {
			t.Errorf("command %d: later commands ran", c.ID)
		}
	}
	// Inside try-each an unknown command is not a soft failure either.
	_, _, err := runInstall(t, process.Platform{}, tryEach(true, seq(suit.Command{ID: -300, Arg: []byte{0xf6}}), seq(cmd(suit.ConditionAbort))))
	if !errors.Is(err, process.ErrUnsupported) {
		t.Errorf("unknown command in try-each: %v, want ErrUnsupported", err)
	}
	// An unsupported parameter (fetch-arguments) invalidates the manifest.
	_, _, err = runInstall(t, process.Platform{}, override(suit.ParamBytes(suit.ParamFetchArguments, []byte{0x01})))
	if !errors.Is(err, process.ErrUnsupported) {
		t.Errorf("fetch-arguments: %v, want ErrUnsupported", err)
	}
}

func TestUnsetParameterConditionFails(t *testing.T) {
	for _, c := range []int64{suit.ConditionImageMatch, suit.ConditionImageNotMatch, suit.ConditionComponentSlot,
		suit.ConditionCheckContent, suit.ConditionUseBefore, suit.ConditionMinimumBattery, suit.ConditionVersion,
		suit.ConditionDeviceIdentifier} {
		_, _, err := runInstall(t, process.Platform{}, cmd(c))
		if !errors.Is(err, process.ErrConditionFailed) && !errors.Is(err, process.ErrParameterUnset) {
			t.Errorf("%s with its parameter unset: %v", suit.CommandName(c), err)
		}
		if !errors.Is(err, process.ErrParameterUnset) {
			t.Errorf("%s: err %v does not say the parameter is unset", suit.CommandName(c), err)
		}
	}
	// Unset vendor in the shared sequence: a device with a vendor still fails.
	k := newTestKey(t)
	m := &suit.Manifest{Version: 1, SequenceNumber: 1, Common: &suit.Common{Components: []suit.ComponentID{comp0},
		SharedSequence: seq(cmd(suit.ConditionVendorIdentifier), cmd(suit.ConditionClassIdentifier))}}
	d := newDevice(t, testdevice.New(), k, process.Platform{}, nil)
	if _, err := d.install(seal(t, k, m, nil)); !errors.Is(err, process.ErrParameterUnset) {
		t.Errorf("vendor check without vendor parameter: %v", err)
	}
	// Directives with their parameter unset fail too.
	for _, c := range []int64{suit.DirectiveFetch, suit.DirectiveWrite, suit.DirectiveCopy, suit.DirectiveSwap, suit.DirectiveApplyDelta} {
		if _, _, err := runInstall(t, process.Platform{}, cmd(c)); !errors.Is(err, process.ErrParameterUnset) {
			t.Errorf("%s without parameters: %v", suit.CommandName(c), err)
		}
	}
}

func TestTryEachFallback(t *testing.T) {
	content := []byte("second alternative")
	// The first alternative fails a condition; the second writes.
	rep, flash, err := runInstall(t, process.Platform{},
		tryEach(false,
			seq(override(pClass(otherClass)), cmd(suit.ConditionClassIdentifier), override(pContent([]byte("first"))), cmd(suit.DirectiveWrite)),
			seq(override(pContent(content)), cmd(suit.DirectiveWrite)),
		),
		override(pContent(content)), cmd(suit.ConditionCheckContent),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, content) {
		t.Fatalf("component = %q", got)
	}
	// Every alternative fails: try-each fails and aborts the sequence.
	_, flash, err = runInstall(t, process.Platform{},
		tryEach(false, seq(cmd(suit.ConditionAbort)), seq(cmd(suit.ConditionAbort))),
		override(pContent([]byte("after"))), cmd(suit.DirectiveWrite))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("all alternatives failed: %v", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatal("commands after a failed try-each ran")
	}
	// A trailing nil turns "all failed" into success.
	_, flash, err = runInstall(t, process.Platform{},
		tryEach(true, seq(cmd(suit.ConditionAbort)), seq(cmd(suit.ConditionAbort))),
		override(pContent([]byte("after"))), cmd(suit.DirectiveWrite))
	if err != nil {
		t.Fatalf("try-each with nil: %v", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "after" {
		t.Fatal("sequence did not continue after try-each with nil")
	}
	// A failing directive in an alternative aborts; it is not soft.
	_, _, err = runInstall(t, process.Platform{},
		tryEach(true, seq(override(pURI("#missing"), pDigest(t, []byte("x"))), cmd(suit.DirectiveFetch)), seq(override(pVendor()))))
	if !errors.Is(err, process.ErrOperation) {
		t.Fatalf("failing directive in try-each: %v, want ErrOperation", err)
	}
}

func TestSoftFailureScope(t *testing.T) {
	// run-sequence: soft-failure defaults to false, so a failed condition
	// inside aborts.
	_, _, err := runInstall(t, process.Platform{}, runSeq(seq(cmd(suit.ConditionAbort))))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("run-sequence without soft-failure: %v", err)
	}
	// With soft-failure set inside, the failure only ends the sub-sequence
	// and the outer sequence continues.
	rep, flash, err := runInstall(t, process.Platform{},
		runSeq(seq(override(pSoft(true)), cmd(suit.ConditionAbort), override(pContent([]byte("skipped"))), cmd(suit.DirectiveWrite))),
		override(pContent([]byte("continued"))), cmd(suit.DirectiveWrite))
	if err != nil {
		t.Fatalf("soft run-sequence: %v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); string(got) != "continued" {
		t.Fatalf("component = %q", got)
	}
	// Soft-failure is restored after the run-sequence: a later failure at
	// the top level aborts.
	_, flash, err = runInstall(t, process.Platform{},
		runSeq(seq(override(pSoft(true)))),
		cmd(suit.ConditionAbort),
		override(pContent([]byte("must not run"))), cmd(suit.DirectiveWrite))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("soft-failure leaked out of run-sequence: %v", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatal("commands ran after an aborting condition")
	}
	// Inside try-each, soft-failure false makes a condition failure abort
	// instead of moving to the next alternative.
	_, _, err = runInstall(t, process.Platform{},
		tryEach(true, seq(override(pSoft(false)), cmd(suit.ConditionAbort)), seq(override(pVendor()))))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("soft-failure false in try-each: %v", err)
	}
	// Setting soft-failure at the top level is an error.
	_, _, err = runInstall(t, process.Platform{}, override(pSoft(true)))
	if !errors.Is(err, process.ErrManifest) {
		t.Fatalf("soft-failure at top level: %v, want ErrManifest", err)
	}
}

func TestRecursionDepthBounded(t *testing.T) {
	inner := seq(override(pContent([]byte("deep"))), cmd(suit.DirectiveWrite))
	for i := 0; i < 3; i++ {
		inner = seq(runSeq(inner))
	}
	// suit's decoder caps nesting at 8; the processor enforces its own
	// (configurable) bound as well.
	_, flash, err := runInstallLimits(t, process.Platform{}, &process.Limits{MaxDepth: 3}, runSeq(inner))
	if !errors.Is(err, process.ErrLimit) {
		t.Fatalf("deep nesting: %v, want ErrLimit", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatal("too-deep sequence ran")
	}
	if _, _, err := runInstallLimits(t, process.Platform{}, &process.Limits{MaxDepth: 4}, runSeq(inner)); err != nil {
		t.Fatalf("depth 4 within limit 4: %v", err)
	}
}

func TestStrictOrderFalseForbidsSameSourceAndTarget(t *testing.T) {
	_, _, err := runInstall(t, process.Platform{},
		override(suit.ParamBool(suit.ParamStrictOrder, false), suit.ParamUint(suit.ParamSourceComponent, 0)),
		cmd(suit.DirectiveCopy))
	if !errors.Is(err, process.ErrManifest) {
		t.Fatalf("copy onto itself without strict order: %v", err)
	}
}

func TestCheckContentAndImageNotMatch(t *testing.T) {
	_, _, err := runInstall(t, process.Platform{}, override(pContent([]byte("factory"))), cmd(suit.ConditionCheckContent))
	if err != nil {
		t.Fatalf("matching content: %v", err)
	}
	_, _, err = runInstall(t, process.Platform{}, override(pContent([]byte("factorY"))), cmd(suit.ConditionCheckContent))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("different content: %v", err)
	}
	_, _, err = runInstall(t, process.Platform{}, override(pContent([]byte("factory!"))), cmd(suit.ConditionCheckContent))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("longer content: %v", err)
	}
	_, _, err = runInstall(t, process.Platform{}, override(pDigest(t, []byte("other"))), cmd(suit.ConditionImageNotMatch))
	if err != nil {
		t.Fatalf("image-not-match on a different image: %v", err)
	}
	_, _, err = runInstall(t, process.Platform{}, override(pDigest(t, []byte("factory"))), cmd(suit.ConditionImageNotMatch))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("image-not-match on the same image: %v", err)
	}
	// image-size must equal the stored size exactly.
	_, _, err = runInstall(t, process.Platform{}, override(pDigest(t, []byte("factory")), pSize(8)), cmd(suit.ConditionImageMatch))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("image-match with a wrong size: %v", err)
	}
}

func TestDeviceHooksUseBeforeBatteryVersion(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	pf := process.Platform{
		Clock:   func() time.Time { return now },
		Battery: func() (uint64, error) { return 500, nil },
		Version: func([][]byte) ([]int64, error) { return []int64{1, 2, 3}, nil },
	}
	ver := func(cmp int64, parts ...int64) suit.Parameter {
		p, err := suit.ParamVersionMatch(suit.ParamVersion, suit.VersionMatch{Comparison: cmp, Parts: parts})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		p    suit.Parameter
		c    int64
		ok   bool
	}{
		{"not expired", suit.ParamUint(suit.ParamUseBefore, 1_800_000_001), suit.ConditionUseBefore, true},
		{"expired", suit.ParamUint(suit.ParamUseBefore, 1_800_000_000), suit.ConditionUseBefore, false},
		{"battery enough", suit.ParamUint(suit.ParamMinimumBattery, 500), suit.ConditionMinimumBattery, true},
		{"battery low", suit.ParamUint(suit.ParamMinimumBattery, 501), suit.ConditionMinimumBattery, false},
		{"version >= 1.2", ver(2, 1, 2), suit.ConditionVersion, true},
		{"version > 1.2.3", ver(1, 1, 2, 3), suit.ConditionVersion, false},
		{"version == 1.2.3", ver(3, 1, 2, 3), suit.ConditionVersion, true},
		{"version < 1.3", ver(5, 1, 3), suit.ConditionVersion, true},
		{"version <= 1.2-rc", ver(4, 1, 2, -1), suit.ConditionVersion, false},
	}
	for _, c := range cases {
		_, _, err := runInstall(t, pf, override(c.p), cmd(c.c))
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok && c.c == suit.ConditionMinimumBattery && !errors.Is(err, process.ErrDeferred) {
			t.Errorf("%s: %v, want ErrDeferred", c.name, err)
		} else if !c.ok && c.c != suit.ConditionMinimumBattery && !errors.Is(err, process.ErrConditionFailed) {
			t.Errorf("%s: %v, want ErrConditionFailed", c.name, err)
		}
	}
	// Without hooks these conditions fail.
	_, _, err := runInstall(t, process.Platform{}, override(suit.ParamUint(suit.ParamUseBefore, 1<<40)), cmd(suit.ConditionUseBefore))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Errorf("use-before without a clock: %v", err)
	}
}

type recordingInvoker struct{ ids [][][]byte }

func (r *recordingInvoker) Invoke(_ context.Context, id [][]byte, _ []byte) error {
	r.ids = append(r.ids, id)
	return nil
}

func TestInvokeProcedure(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 100)
	m := fullImage(t, 1, fw)
	m.Invoke = seq(cmd(suit.DirectiveInvoke))
	flash := testdevice.New()
	inv := &recordingInvoker{}
	d := newDevice(t, flash, k, process.Platform{Invoker: inv}, nil)
	env := seal(t, k, m, map[string][]byte{"#fw": fw})
	v, err := d.ver.Verify(env)
	if err != nil {
		t.Fatal(err)
	}
	// Before the update, validate fails and nothing is invoked.
	if _, err := d.proc.Invoke(context.Background(), v); !errors.Is(err, process.ErrConditionFailed) || len(inv.ids) != 0 {
		t.Fatalf("invoke before install: %v, %d invocations", err, len(inv.ids))
	}
	if _, err := d.proc.Update(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	if _, err := d.proc.Invoke(context.Background(), v); err != nil || len(inv.ids) != 1 {
		t.Fatalf("invoke after install: %v, %d invocations", err, len(inv.ids))
	}
	if _, err := d.proc.Update(context.Background(), nil); !errors.Is(err, process.ErrManifest) {
		t.Fatalf("nil verified manifest: %v", err)
	}
}

func TestSwapAndUnlink(t *testing.T) {
	k := newTestKey(t)
	m := &suit.Manifest{Version: 1, SequenceNumber: 1,
		Common: &suit.Common{Components: []suit.ComponentID{comp0, comp1}, SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...)},
		Install: &suit.SeverableSequence{Sequence: seq(
			index(0), override(suit.ParamUint(suit.ParamSourceComponent, 1), pDigest(t, []byte("B"))), cmd(suit.DirectiveSwap),
			index(1), cmd(suit.DirectiveUnlink),
		)}}
	flash := testdevice.New()
	flash.Set(comp0, []byte("A"))
	flash.Set(comp1, []byte("B"))
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if rep, err := d.install(seal(t, k, m, nil)); err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); string(got) != "B" {
		t.Fatalf("after swap comp0 = %q", got)
	}
	if _, ok := flash.Get(comp1); ok {
		t.Fatal("comp1 not unlinked")
	}
}

type sink struct{ recs []process.Record }

func (s *sink) Record(r process.Record) { s.recs = append(s.recs, r) }

func TestReportSinkReceivesEveryRecord(t *testing.T) {
	s := &sink{}
	rep, _, err := runInstall(t, process.Platform{Report: s},
		tryEach(false, seq(cmd(suit.ConditionAbort)), seq(override(pContent([]byte("x"))), cmd(suit.DirectiveWrite))))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != len(rep.Records) || len(s.recs) < 7 {
		t.Fatalf("sink got %d records, report has %d", len(s.recs), len(rep.Records))
	}
	outcomes := map[process.Outcome]int{}
	for _, r := range s.recs {
		outcomes[r.Outcome]++
		if r.Command == suit.ConditionAbort && r.Policy != 15 {
			t.Errorf("abort recorded with policy %d, want 15", r.Policy)
		}
	}
	if outcomes[process.ConditionFailed] != 1 || outcomes[process.Failed] != 0 {
		t.Fatalf("outcomes %v", outcomes)
	}
}

// TestMissingCompatibilityCheckRejected: a correctly signed manifest whose
// shared sequence does not check vendor and class could install on any
// device; it is rejected before any command runs unless the integrator
// opts out explicitly.
func TestMissingCompatibilityCheckRejected(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 100)
	m := fullImage(t, 1, fw)
	m.Common.SharedSequence = seq(override(pDigest(t, fw), pSize(len(fw))), cmd(suit.ConditionVendorIdentifier))
	env := seal(t, k, m, map[string][]byte{"#fw": fw})
	flash := testdevice.New()
	rep, err := newDevice(t, flash, k, process.Platform{}, nil).install(env)
	if !errors.Is(err, process.ErrManifest) || len(rep.Records) != 0 {
		t.Fatalf("err = %v, %d records", err, len(rep.Records))
	}
	if _, ok := flash.Get(comp0); ok {
		t.Fatal("installed")
	}
	// The vendor check then fails on its unset parameter, with the opt-out.
	_, err = newDevice(t, testdevice.New(), k, process.Platform{SkipCompatibilityCheckUnsafe: true}, nil).install(env)
	if !errors.Is(err, process.ErrParameterUnset) {
		t.Fatalf("opt-out: %v", err)
	}
}
