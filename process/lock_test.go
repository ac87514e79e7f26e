package process_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// slowFetcher serves data in two halves and blocks before the second until
// released: a slow download that is stopped half-way. blocked is closed
// when the first half has been handed out and the reader waits; by then the
// processor has written that half to its staging file.
type slowFetcher struct {
	data    []byte
	blocked chan struct{}
	release chan struct{}
	once    sync.Once
}

func newSlowFetcher(data []byte) *slowFetcher {
	return &slowFetcher{data: data, blocked: make(chan struct{}), release: make(chan struct{})}
}

func (f *slowFetcher) Fetch(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	half := len(f.data) / 2
	first, rest := bytes.NewReader(f.data[:half]), bytes.NewReader(f.data[half:])
	return io.NopCloser(readerFunc(func(p []byte) (int, error) {
		if first.Len() > 0 {
			return first.Read(p)
		}
		f.once.Do(func() { close(f.blocked) })
		select {
		case <-f.release:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return rest.Read(p)
	})), nil
}

// dirRun is one run of the CLI's device: its own DirStorage and FileStore
// on a shared directory, as a second process would have.
type dirRun struct {
	proc *process.Processor
	ver  *verify.Verifier
}

func newDirRun(t *testing.T, dir string, k testKey, f process.Fetcher) dirRun {
	t.Helper()
	st, err := host.OpenDirStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	store, err := verify.OpenFileStore(filepath.Join(dir, "rollback.state"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	p, err := process.New(process.Platform{Identity: identity(), Storage: st, Fetcher: f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dirRun{p, ver}
}

// slowImage is a manifest installing fw from "slow://fw", which the slow
// fetcher serves.
func slowImage(t *testing.T, seqNo uint64, fw []byte) *suit.Manifest {
	m := fullImage(t, seqNo, fw)
	m.Install = &suit.SeverableSequence{Sequence: seq(override(pURI("slow://fw")), cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch))}
	return m
}

// committed returns every floor in the device's state file.
func committed(t *testing.T, dir string) map[string]uint64 {
	t.Helper()
	store, err := verify.OpenFileStore(filepath.Join(dir, "rollback.state"), nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := store.Floors()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for k, f := range all {
		out[k] = f.Sequence
	}
	return out
}

// TestCheckAndCommitRaceHoldsTheDeviceLock is issue 9 item 9 (a). Run B
// (sequence 3, slow fetch) passes the rollback check on an empty state;
// run A (sequence 5) starts while B is fetching. On 9d84ca8 A installed
// and committed 5, then B wrote its older image into the component and
// only B's Commit failed: the device held image 3 with state 5. Now B
// holds the device lock from verification to its commit, A waits, then
// verifies against B's committed 3 and installs 5 over it.
func TestCheckAndCommitRaceHoldsTheDeviceLock(t *testing.T) {
	dir := t.TempDir()
	k := newTestKey(t)
	img3, img5 := firmware(3, 64<<10), firmware(5, 64<<10)
	slow := newSlowFetcher(img3)
	b := newDirRun(t, dir, k, slow)
	a := newDirRun(t, dir, k, nil)
	ctx := t.Context()

	errB := make(chan error, 1)
	go func() {
		_, err := b.proc.Install(ctx, b.ver, seal(t, k, slowImage(t, 3, img3), nil))
		errB <- err
	}()
	<-slow.blocked
	errA := make(chan error, 1)
	go func() {
		_, err := a.proc.Install(ctx, a.ver, seal(t, k, fullImage(t, 5, img5), map[string][]byte{"#fw": img5}))
		errA <- err
	}()
	var early error
	aEarly := false
	select {
	case early = <-errA:
		aEarly = true
	case <-time.After(300 * time.Millisecond):
	}
	close(slow.release)
	if err := <-errB; err != nil {
		t.Errorf("run B: %v", err)
	}
	if aEarly {
		t.Errorf("run A finished (%v) while run B was still installing: no device lock", early)
	} else if err := <-errA; err != nil {
		t.Fatalf("run A: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "comp.00"))
	if err != nil || !bytes.Equal(got, img5) {
		t.Fatalf("the device does not hold image 5 (err %v, holds image 3: %v)", err, bytes.Equal(got, img3))
	}
	for id, n := range committed(t, dir) {
		if n != 5 {
			t.Errorf("state %q = %d, want 5", id, n)
		}
	}
}

// TestStaleVerifiedIsRecheckedBeforeCommit is the same race through
// Update: B's manifest (sequence 3) was verified before A installed and
// committed 5. Under the device lock the sequence is checked again before
// any component is committed, so B fails with ErrSuperseded (and
// verify.ErrRollback) and image 5 stays. On 9d84ca8 B wrote image 3.
func TestStaleVerifiedIsRecheckedBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	k := newTestKey(t)
	img3, img5 := firmware(3, 4096), firmware(5, 4096)
	b := newDirRun(t, dir, k, nil)
	vb, err := b.ver.Verify(seal(t, k, fullImage(t, 3, img3), map[string][]byte{"#fw": img3}))
	if err != nil {
		t.Fatal(err)
	}
	a := newDirRun(t, dir, k, nil)
	if _, err := a.proc.Install(t.Context(), a.ver, seal(t, k, fullImage(t, 5, img5), map[string][]byte{"#fw": img5})); err != nil {
		t.Fatal(err)
	}
	rep, err := b.proc.Update(t.Context(), vb)
	if !errors.Is(err, process.ErrSuperseded) || !errors.Is(err, verify.ErrRollback) {
		t.Fatalf("stale Update: %v, want ErrSuperseded and verify.ErrRollback\n%s", err, rep)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "comp.00")); !bytes.Equal(got, img5) {
		t.Fatal("the stale manifest replaced image 5")
	}
}

// TestOpenDirStorageSparesALiveStagingFile is issue 9 item 9 (b): on
// 9d84ca8 OpenDirStorage deleted every .stage-* file, including the one a
// running install was writing, so merely starting a second run broke the
// first. Now a second open leaves the live file alone, a second Install
// waits for the lock only as long as its context allows (ErrLocked,
// nothing touched), and the first install completes.
func TestOpenDirStorageSparesALiveStagingFile(t *testing.T) {
	dir := t.TempDir()
	k := newTestKey(t)
	img := firmware(7, 64<<10)
	slow := newSlowFetcher(img)
	b := newDirRun(t, dir, k, slow)
	errB := make(chan error, 1)
	go func() {
		_, err := b.proc.Install(t.Context(), b.ver, seal(t, k, slowImage(t, 7, img), nil))
		errB <- err
	}()
	<-slow.blocked
	staging := stageFiles(t, dir)
	if len(staging) != 1 {
		t.Fatalf("staging files while B fetches: %v", staging)
	}
	// A second run starts: open the directory, try to install.
	second := newDirRun(t, dir, k, nil)
	if got := stageFiles(t, dir); len(got) != 1 || got[0] != staging[0] {
		t.Fatalf("opening the directory removed the live staging file: %v", got)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	other := firmware(8, 100)
	rep, err := second.proc.Install(ctx, second.ver, seal(t, k, fullImage(t, 8, other), map[string][]byte{"#fw": other}))
	if !errors.Is(err, process.ErrLocked) || !errors.Is(err, context.DeadlineExceeded) || rep == nil || rep.Committed {
		t.Fatalf("second Install while locked: %v, want ErrLocked after the deadline", err)
	}
	close(slow.release)
	if err := <-errB; err != nil {
		t.Fatalf("the first install broke: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "comp.00")); !bytes.Equal(got, img) {
		t.Fatal("the device does not hold the first install's image")
	}
	if got := stageFiles(t, dir); len(got) != 0 {
		t.Fatalf("staging files left: %v", got)
	}
	// A staging file nobody writes (a killed run's) is removed by the next
	// holder of the lock.
	stale := filepath.Join(dir, ".stage-stale")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := host.OpenDirStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale staging file kept by OpenDirStorage: %v", err)
	}
	os.WriteFile(stale, []byte("half"), 0o600)
	unlock, err := st.Lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale staging file kept by Lock: %v", err)
	}
}

func stageFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".stage-") {
			out = append(out, e.Name())
		}
	}
	return out
}
