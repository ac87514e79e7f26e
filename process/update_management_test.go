package process_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Tests for the commands of draft-ietf-suit-update-management: each with a
// success, a failure and an unset-parameter case.

// umStorage is the test flash plus MetadataStorage, recording the
// metadata it was asked to apply.
type umStorage struct {
	*testdevice.Flash
	got []suit.ComponentMetadata
}

func (s *umStorage) StageWithMetadata(id [][]byte, md suit.ComponentMetadata) (process.Staging, error) {
	s.got = append(s.got, md)
	return s.Flash.Stage(id)
}

// umRun installs a manifest with the given components (each holding
// "factory" first) whose install sequence is cmds, on storage st (the
// flash when nil), under ctx.
func umRun(t *testing.T, ctx context.Context, pf process.Platform, st process.Storage, n int, cmds ...suit.Command) (*process.Report, *testdevice.Flash, error) {
	t.Helper()
	k := newTestKey(t)
	comps := []suit.ComponentID{comp0, comp1}[:n]
	shared := compat(testClass)
	if n > 1 {
		shared = append([]suit.Command{indexAll()}, shared...)
	}
	m := &suit.Manifest{
		Version: 1, SequenceNumber: 1,
		Common:  &suit.Common{Components: comps, SharedSequence: seq(shared...)},
		Install: &suit.SeverableSequence{Sequence: seq(cmds...)},
	}
	flash := testdevice.New()
	for _, c := range comps {
		flash.Set(c, []byte("factory"))
	}
	if st == nil {
		st = flash
	} else if u, ok := st.(*umStorage); ok {
		u.Flash = flash
	}
	pf.Identity = identity()
	pf.Storage = st
	p, err := process.New(pf, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: flash})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Install(ctx, v, seal(t, k, m, nil))
	return rep, flash, err
}

func content(t *testing.T, f *testdevice.Flash, c suit.ComponentID) string {
	t.Helper()
	b, _ := f.Get(c)
	return string(b)
}

func clockAt(sec int64) func() time.Time { return func() time.Time { return time.Unix(sec, 0) } }

// An expired use-before aborts the Update procedure before any command
// runs, even when the manifest writes first and checks the condition last.
func TestUseBeforeExpiredAbortsBeforeAnythingIsWritten(t *testing.T) {
	write := []suit.Command{override(pContent([]byte("new")), suit.ParamUint(suit.ParamUseBefore, 2_000_000_000)),
		cmd(suit.DirectiveWrite), cmd(suit.ConditionUseBefore)}
	// Success: not expired.
	rep, flash, err := umRun(t, context.Background(), process.Platform{Clock: clockAt(1_999_999_999)}, nil, 1, write...)
	if err != nil || content(t, flash, comp0) != "new" {
		t.Fatalf("not expired: %v %q", err, content(t, flash, comp0))
	}
	if last := rep.Records[len(rep.Records)-1]; last.Command != suit.ConditionUseBefore || last.Outcome != process.OK {
		t.Fatalf("last record %+v", last)
	}
	// Failure: expired (the limit itself is already too late), and a
	// device without a clock cannot tell.
	for name, pf := range map[string]process.Platform{
		"expired":  {Clock: clockAt(2_000_000_000)},
		"no clock": {},
	} {
		rep, flash, err := umRun(t, context.Background(), pf, nil, 1, write...)
		if !errors.Is(err, process.ErrExpired) || !errors.Is(err, process.ErrConditionFailed) {
			t.Fatalf("%s: err = %v, want ErrExpired", name, err)
		}
		if content(t, flash, comp0) != "factory" || len(rep.Records) != 0 || rep.Committed {
			t.Fatalf("%s: something ran or was written: %q, %d records", name, content(t, flash, comp0), len(rep.Records))
		}
		if rep.Reason() != process.ReasonConditionFailed {
			t.Errorf("%s: reason %v", name, rep.Reason())
		}
	}
	// A use-before set in a nested sequence counts too.
	_, flash, err = umRun(t, context.Background(), process.Platform{Clock: clockAt(5)}, nil, 1,
		override(pContent([]byte("new"))), cmd(suit.DirectiveWrite),
		runSeq(seq(override(suit.ParamUint(suit.ParamUseBefore, 4)), cmd(suit.ConditionUseBefore))))
	if !errors.Is(err, process.ErrExpired) || content(t, flash, comp0) != "factory" {
		t.Fatalf("nested use-before: %v %q", err, content(t, flash, comp0))
	}
	// Unset: the condition without its parameter.
	_, _, err = umRun(t, context.Background(), process.Platform{Clock: clockAt(5)}, nil, 1, cmd(suit.ConditionUseBefore))
	if !errors.Is(err, process.ErrParameterUnset) {
		t.Fatalf("unset: %v", err)
	}
}

// Below the minimum battery the run defers: a distinct outcome, not a
// generic failure, and nothing is written.
func TestMinimumBatteryDefers(t *testing.T) {
	pf := process.Platform{Battery: func() (uint64, error) { return 700, nil }}
	write := func(need uint64) []suit.Command {
		return []suit.Command{override(suit.ParamUint(suit.ParamMinimumBattery, need), pContent([]byte("new"))),
			cmd(suit.ConditionMinimumBattery), cmd(suit.DirectiveWrite)}
	}
	rep, flash, err := umRun(t, context.Background(), pf, nil, 1, write(700)...)
	if err != nil || content(t, flash, comp0) != "new" {
		t.Fatalf("enough battery: %v", err)
	}
	rec := rep.Records[len(rep.Records)-2]
	if rec.Command != suit.ConditionMinimumBattery || len(rec.Measured) != 1 {
		t.Fatalf("battery record %+v", rec)
	} else if v, _ := rec.Measured[0].Uint(); v != 700 {
		t.Fatalf("measured battery %d", v)
	}
	rep, flash, err = umRun(t, context.Background(), pf, nil, 1, write(701)...)
	if !errors.Is(err, process.ErrDeferred) || errors.Is(err, process.ErrConditionFailed) || errors.Is(err, process.ErrOperation) {
		t.Fatalf("low battery: err = %v, want only ErrDeferred", err)
	}
	if content(t, flash, comp0) != "factory" || rep.Committed {
		t.Fatal("low battery: written or committed")
	}
	if last := rep.Records[len(rep.Records)-1]; last.Outcome != process.Deferred || last.Outcome.String() != "deferred" {
		t.Fatalf("low battery: record outcome %v", last.Outcome)
	}
	// Under try-each the deferral is a failed condition: the next
	// alternative runs.
	_, flash, err = umRun(t, context.Background(), pf, nil, 1,
		override(suit.ParamUint(suit.ParamMinimumBattery, 701), pContent([]byte("new"))),
		tryEach(false, seq(cmd(suit.ConditionMinimumBattery), cmd(suit.DirectiveWrite)),
			seq(override(pContent([]byte("fallback"))), cmd(suit.DirectiveWrite))))
	if err != nil || content(t, flash, comp0) != "fallback" {
		t.Fatalf("try-each fallback: %v %q", err, content(t, flash, comp0))
	}
	// Unset.
	_, _, err = umRun(t, context.Background(), pf, nil, 1, cmd(suit.ConditionMinimumBattery))
	if !errors.Is(err, process.ErrParameterUnset) {
		t.Fatalf("unset: %v", err)
	}
}

type authorizer struct {
	ok    bool
	err   error
	calls int
	prio  *int64
}

func (a *authorizer) Authorize(_ context.Context, id [][]byte, prio *int64) (bool, error) {
	a.calls++
	a.prio = prio
	return a.ok, a.err
}

func TestUpdateAuthorized(t *testing.T) {
	ask := func(ps ...suit.Parameter) []suit.Command {
		return append([]suit.Command{override(append(ps, pContent([]byte("new")))...)}, cmd(suit.ConditionUpdateAuthorized), cmd(suit.DirectiveWrite))
	}
	prio := suit.ParamInt(suit.ParamUpdatePriority, -2)
	// Success, with the priority passed on.
	a := &authorizer{ok: true}
	_, flash, err := umRun(t, context.Background(), process.Platform{Authorizer: a}, nil, 1, ask(prio)...)
	if err != nil || content(t, flash, comp0) != "new" || a.prio == nil || *a.prio != -2 {
		t.Fatalf("authorized: %v, priority %v", err, a.prio)
	}
	// Unset priority: the application is asked without one.
	a = &authorizer{ok: true}
	if _, _, err := umRun(t, context.Background(), process.Platform{Authorizer: a}, nil, 1, ask()...); err != nil || a.calls != 1 || a.prio != nil {
		t.Fatalf("no priority: %v, %d calls, %v", err, a.calls, a.prio)
	}
	// Declined: a failed condition; postponed: deferred; broken: an
	// operation failure; no authorizer: the command is unsupported.
	for _, c := range []struct {
		name string
		pf   process.Platform
		want error
	}{
		{"declined", process.Platform{Authorizer: &authorizer{}}, process.ErrConditionFailed},
		{"postponed", process.Platform{Authorizer: &authorizer{err: process.ErrDeferred}}, process.ErrDeferred},
		{"broken", process.Platform{Authorizer: &authorizer{err: errors.New("ui crashed")}}, process.ErrOperation},
		{"no authorizer", process.Platform{}, process.ErrUnsupported},
	} {
		_, flash, err := umRun(t, context.Background(), c.pf, nil, 1, ask(prio)...)
		if !errors.Is(err, c.want) || content(t, flash, comp0) != "factory" {
			t.Errorf("%s: err = %v, want %v (content %q)", c.name, err, c.want, content(t, flash, comp0))
		}
	}
	if _, _, err := umRun(t, context.Background(), process.Platform{Authorizer: &authorizer{}}, nil, 1, ask(prio)...); errors.Is(err, process.ErrDeferred) {
		t.Error("a declined update is reported as deferred")
	}
}

// waiter is a Waiter that is satisfied at once, blocks until ctx ends, or
// refuses.
type waiter struct {
	mode string
	got  []suit.WaitInfo
}

func (w *waiter) Wait(ctx context.Context, _ [][]byte, info suit.WaitInfo) error {
	w.got = append(w.got, info)
	switch w.mode {
	case "block":
		<-ctx.Done()
		return ctx.Err()
	case "refuse":
		return process.ErrDeferred
	case "broken":
		return errors.New("timer hardware fault")
	}
	return nil
}

func TestWaitDirective(t *testing.T) {
	tod := uint64(7200)
	prio := int64(3)
	wi, err := suit.ParamWaitEvents(suit.ParamWaitInfo, suit.WaitInfo{TimeOfDayUTC: &tod, Authorization: &prio})
	if err != nil {
		t.Fatal(err)
	}
	cmds := []suit.Command{override(wi, pContent([]byte("new"))), cmd(suit.DirectiveWait), cmd(suit.DirectiveWrite)}
	// Satisfied at once: the decoded events reach the platform.
	w := &waiter{}
	_, flash, err := umRun(t, context.Background(), process.Platform{Waiter: w}, nil, 1, cmds...)
	if err != nil || content(t, flash, comp0) != "new" {
		t.Fatalf("satisfied: %v", err)
	}
	if len(w.got) != 1 || w.got[0].TimeOfDayUTC == nil || *w.got[0].TimeOfDayUTC != 7200 || *w.got[0].Authorization != 3 {
		t.Fatalf("wait-info passed: %+v", w.got)
	}
	// Blocking until the caller gives up, and refusing, both defer.
	for _, mode := range []string{"block", "refuse"} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		rep, flash, err := umRun(t, ctx, process.Platform{Waiter: &waiter{mode: mode}}, nil, 1, cmds...)
		cancel()
		if !errors.Is(err, process.ErrDeferred) || errors.Is(err, process.ErrOperation) || content(t, flash, comp0) != "factory" {
			t.Errorf("%s: err = %v, content %q; want ErrDeferred and nothing written", mode, err, content(t, flash, comp0))
		}
		if last := rep.Records[len(rep.Records)-1]; last.Command != suit.DirectiveWait || last.Outcome != process.Deferred {
			t.Errorf("%s: last record %+v", mode, last)
		}
	}
	// Failures: the waiter breaks; no waiter; unset wait-info.
	if _, _, err := umRun(t, context.Background(), process.Platform{Waiter: &waiter{mode: "broken"}}, nil, 1, cmds...); !errors.Is(err, process.ErrOperation) || errors.Is(err, process.ErrDeferred) {
		t.Errorf("broken waiter: %v", err)
	}
	if _, _, err := umRun(t, context.Background(), process.Platform{}, nil, 1, cmds...); !errors.Is(err, process.ErrUnsupported) {
		t.Errorf("no waiter: %v", err)
	}
	if _, _, err := umRun(t, context.Background(), process.Platform{Waiter: &waiter{}}, nil, 1, cmd(suit.DirectiveWait)); !errors.Is(err, process.ErrParameterUnset) {
		t.Errorf("unset wait-info: %v", err)
	}
}

func TestVersionConditionThroughPlatform(t *testing.T) {
	installed := []int64{2, 0, -1, 1} // 2.0-rc1
	pf := process.Platform{Version: func([][]byte) ([]int64, error) { return installed, nil }}
	ver := func(cmp int64, parts ...int64) suit.Command {
		p, err := suit.ParamVersionMatch(suit.ParamVersion, suit.VersionMatch{Comparison: cmp, Parts: parts})
		if err != nil {
			t.Fatal(err)
		}
		return override(p)
	}
	rep, _, err := umRun(t, context.Background(), pf, nil, 1, ver(suit.VersionLesser, 2, 0, 0), cmd(suit.ConditionVersion))
	if err != nil {
		t.Fatalf("2.0-rc1 < 2.0.0: %v", err)
	}
	last := rep.Records[len(rep.Records)-1]
	if len(last.Properties) != 1 || last.Properties[0].Key != suit.ParamVersion || len(last.Measured) != 1 {
		t.Fatalf("record properties %+v measured %+v", last.Properties, last.Measured)
	}
	if vm, err := last.Measured[0].Version(); err != nil || !reflect.DeepEqual(vm.Parts, installed) {
		t.Fatalf("measured version %+v %v", vm, err)
	}
	if _, _, err := umRun(t, context.Background(), pf, nil, 1, ver(suit.VersionGreaterEqual, 2, 0, 0), cmd(suit.ConditionVersion)); !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("2.0-rc1 >= 2.0.0: %v", err)
	}
	if _, _, err := umRun(t, context.Background(), pf, nil, 1, cmd(suit.ConditionVersion)); !errors.Is(err, process.ErrParameterUnset) {
		t.Fatalf("unset: %v", err)
	}
}

// override-multiple leaves the last listed component current; copy-params
// copies between components.
func TestOverrideMultipleAndCopyParams(t *testing.T) {
	om := suit.Command{ID: suit.DirectiveOverrideMultiple, Multiple: []suit.IndexedParameters{
		{Index: 0, Params: suit.Parameters{pContent([]byte("zero"))}},
		{Index: 1, Params: suit.Parameters{pContent([]byte("one"))}},
	}}
	_, flash, err := umRun(t, context.Background(), process.Platform{}, nil, 2, index(0), om, cmd(suit.DirectiveWrite))
	if err != nil || content(t, flash, comp0) != "factory" || content(t, flash, comp1) != "one" {
		t.Fatalf("override-multiple: %v, %q %q", err, content(t, flash, comp0), content(t, flash, comp1))
	}
	bad := suit.Command{ID: suit.DirectiveOverrideMultiple, Multiple: []suit.IndexedParameters{{Index: 2, Params: suit.Parameters{pContent(nil)}}}}
	if _, _, err := umRun(t, context.Background(), process.Platform{}, nil, 2, index(0), bad); !errors.Is(err, process.ErrComponent) {
		t.Fatalf("override-multiple out of range: %v", err)
	}

	cp := func(src uint64, keys ...int64) suit.Command {
		return suit.Command{ID: suit.DirectiveCopyParams, Copy: []suit.CopyParams{{Source: src, Keys: keys}}}
	}
	_, flash, err = umRun(t, context.Background(), process.Platform{}, nil, 2,
		index(0), override(pContent([]byte("shared"))), index(1), cp(0, suit.ParamContent), cmd(suit.DirectiveWrite))
	if err != nil || content(t, flash, comp1) != "shared" || content(t, flash, comp0) != "factory" {
		t.Fatalf("copy-params: %v %q", err, content(t, flash, comp1))
	}
	for name, c := range map[string]struct {
		cmd  suit.Command
		want error
	}{
		"source out of range":   {cp(5, suit.ParamContent), process.ErrComponent},
		"soft-failure":          {cp(0, suit.ParamSoftFailure), process.ErrUnsupported},
		"unsupported parameter": {cp(0, suit.ParamFetchArguments), process.ErrUnsupported},
	} {
		if _, _, err := umRun(t, context.Background(), process.Platform{}, nil, 2, index(1), c.cmd); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// Unset: the source lacks the parameter, so nothing is copied and the
	// write that needs it fails.
	if _, _, err := umRun(t, context.Background(), process.Platform{}, nil, 2, index(1), cp(0, suit.ParamContent), cmd(suit.DirectiveWrite)); !errors.Is(err, process.ErrParameterUnset) {
		t.Errorf("copy of an unset parameter: %v", err)
	}
}

func TestComponentMetadataReachesStorage(t *testing.T) {
	perm, mt := uint64(0b101), uint64(1_700_000_000)
	md := suit.ComponentMetadata{DefaultPermissions: &perm, ModificationTime: &mt}
	p, err := suit.ParamMetadata(suit.ParamComponentMetadata, md)
	if err != nil {
		t.Fatal(err)
	}
	st := &umStorage{}
	_, flash, err := umRun(t, context.Background(), process.Platform{}, st, 1, override(p, pContent([]byte("new"))), cmd(suit.DirectiveWrite))
	if err != nil || content(t, flash, comp0) != "new" {
		t.Fatalf("write with metadata: %v", err)
	}
	if len(st.got) != 1 || !reflect.DeepEqual(st.got[0], md) {
		t.Fatalf("storage got %+v", st.got)
	}
	// A storage that cannot apply metadata refuses before writing.
	_, flash, err = umRun(t, context.Background(), process.Platform{}, nil, 1, override(p, pContent([]byte("new"))), cmd(suit.DirectiveWrite))
	if !errors.Is(err, process.ErrUnsupported) || content(t, flash, comp0) != "factory" {
		t.Fatalf("no metadata storage: %v %q", err, content(t, flash, comp0))
	}
	// Without the parameter the plain Stage is used.
	st = &umStorage{}
	if _, _, err := umRun(t, context.Background(), process.Platform{}, st, 1, override(pContent([]byte("x"))), cmd(suit.DirectiveWrite)); err != nil || len(st.got) != 0 {
		t.Fatalf("unset metadata: %v, %d calls", err, len(st.got))
	}
}
