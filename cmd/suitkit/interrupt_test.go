package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
)

// buildSuitkit builds the CLI into a temporary directory, for the tests
// that must send real signals to a real process.
func buildSuitkit(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: builds the suitkit binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("sends POSIX signals")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "suitkit")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// litter returns the names in dir that are temporary files of an atomic
// write (".NAME.tmp-…") or of a staged component (".stage-…").
func litter(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") || strings.HasPrefix(e.Name(), ".stage") {
			bad = append(bad, e.Name())
		}
	}
	return bad
}

// tempInProgress reports whether dir holds a temporary file of an atomic
// write with at least minSize bytes.
func tempInProgress(dir string, minSize int64) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.Contains(e.Name(), ".tmp-") && !strings.HasPrefix(e.Name(), ".stage") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Size() >= minSize {
			return true
		}
	}
	return false
}

// signalMidRun starts bin with args, waits until ready reports that the
// command is mid-run, sends sig and returns the exit status, standard error
// and how long the process took to exit after the signal.
func signalMidRun(t *testing.T, bin string, sig syscall.Signal, ready func() bool, args ...string) (int, string, time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for !ready() {
		select {
		case err := <-exited:
			t.Fatalf("suitkit %s finished (%v) before it could be interrupted; stderr: %s", args[0], err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("suitkit %s never got mid-run", args[0])
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	select {
	case <-exited:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("suitkit %s still running a minute after %v", args[0], sig)
	}
	return cmd.ProcessState.ExitCode(), stderr.String(), time.Since(sent)
}

// checkInterrupted asserts what every interrupted command must show: exit
// status 128+signal (not death by the signal), one line naming the signal,
// promptly (without main's last-resort timeout), and no temporary file in
// any of dirs.
func checkInterrupted(t *testing.T, sig syscall.Signal, code int, stderr string, took time.Duration, dirs ...string) {
	t.Helper()
	want := map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143}[sig]
	name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[sig]
	if code != want {
		t.Errorf("exit status %d after %s, want %d; stderr: %s", code, name, want, stderr)
	}
	if !strings.HasPrefix(stderr, "suitkit ") || !strings.Contains(stderr, "interrupted by "+name) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one line saying it was interrupted by %s", stderr, name)
	}
	t.Logf("exited %v after %s", took.Round(time.Millisecond), name)
	if took >= interruptGrace {
		t.Errorf("took %v to exit after %s: the command did not stop by itself", took, name)
	}
	for _, d := range dirs {
		if bad := litter(t, d); len(bad) > 0 {
			t.Errorf("%s holds temporary files after the interruption: %q", d, bad)
		}
	}
}

// TestDiffInterruptedLeavesNoPatch: issue 9 item 6. SIGINT or SIGTERM
// while `suitkit diff` computes (the differ itself does not observe the
// context) exits 130/143 at once, removes the temporary patch and leaves
// PATCH absent.
func TestDiffInterruptedLeavesNoPatch(t *testing.T) {
	bin := buildSuitkit(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			// 12 MB with scattered changes: about 2 s of diffing.
			oldP, newP, _, _ := deltaPair(t, dir, 12<<20)
			patchP := filepath.Join(dir, "out.patch")
			code, stderr, took := signalMidRun(t, bin, sig, func() bool { return tempInProgress(dir, 0) },
				"diff", oldP, newP, patchP)
			checkInterrupted(t, sig, code, stderr, took, dir)
			if _, err := os.Stat(patchP); !os.IsNotExist(err) {
				t.Errorf("PATCH exists after the interruption (%v)", err)
			}
		})
	}
}

// interruptOld is the old image of testdata/interrupt-256mib.patch: 1 MiB
// from PCG(2026, 12). The patch makes a 256 MiB new image (old repeated 256
// times, copy i with its byte len-1-i flipped by 0x5a); it was written by
// differ.Diff with FastCompression. Applying it takes about a second.
func interruptOld() []byte {
	rng := rand.New(rand.NewPCG(2026, 12))
	old := make([]byte, 1<<20)
	for i := range old {
		old[i] = byte(rng.Uint32())
	}
	return old
}

// TestPatchInterruptedKeepsTarget: issue 9 item 6. SIGINT or SIGTERM
// while `suitkit patch` writes NEW exits 130/143, removes the partly
// written temporary file and leaves the existing NEW exactly as it was.
func TestPatchInterruptedKeepsTarget(t *testing.T) {
	bin := buildSuitkit(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			oldP, newP := filepath.Join(dir, "old.bin"), filepath.Join(dir, "new.bin")
			if err := os.WriteFile(oldP, interruptOld(), 0o644); err != nil {
				t.Fatal(err)
			}
			previous := []byte("the previous new.bin, to be kept")
			if err := os.WriteFile(newP, previous, 0o644); err != nil {
				t.Fatal(err)
			}
			// Signal once the applier has written output: mid-write.
			code, stderr, took := signalMidRun(t, bin, sig, func() bool { return tempInProgress(dir, 1) },
				"patch", oldP, filepath.Join("testdata", "interrupt-256mib.patch"), newP)
			checkInterrupted(t, sig, code, stderr, took, dir)
			if got, err := os.ReadFile(newP); err != nil || !bytes.Equal(got, previous) {
				t.Errorf("NEW changed by the interrupted patch: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestProcessInterruptedDuringFetch: issue 9 item 6. SIGINT while `suitkit
// process` fetches a payload over HTTP (the server stalls mid-body) exits
// 130, stages nothing, installs nothing and commits no sequence number.
func TestProcessInterruptedDuringFetch(t *testing.T) {
	bin := buildSuitkit(t)
	img := bytes.Repeat([]byte("firmware"), 64<<10)
	fetching := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(img)))
		w.Write(img[:len(img)/2])
		w.(http.Flusher).Flush()
		select {
		case fetching <- struct{}{}:
		default:
		}
		<-r.Context().Done() // stall until the client goes away
	}))
	defer srv.Close()

	dir := t.TempDir()
	key, err := keys.GenerateKey(keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.MarshalPublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	pubP := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(pubP, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	b := build.New(7)
	if err := b.AddImage(build.Image{VendorID: demoVendor, ClassID: demoClass, Data: img, URI: srv.URL + "/fw.bin"}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.ForKey(key, keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, s); err != nil {
		t.Fatal(err)
	}
	enc, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	envP := filepath.Join(dir, "fw.suit")
	if err := os.WriteFile(envP, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(dir, "device")
	if err := os.Mkdir(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	ready := func() bool {
		select {
		case <-fetching:
			return true
		default:
			return false
		}
	}
	code, stderr, took := signalMidRun(t, bin, syscall.SIGINT, ready, "process", "--key", pubP, "--device", dev,
		"--vendor-id", demoVendor.String(), "--class-id", demoClass.String(), envP)
	checkInterrupted(t, syscall.SIGINT, code, stderr, took, dev)
	ents, _ := os.ReadDir(dev)
	for _, e := range ents {
		if e.Name() == host.LockFile {
			continue // the device lock file stays: removing a flock file races with its next holder
		}
		t.Errorf("the device directory holds %s after an interrupted install", e.Name())
	}
}

// TestEveryWritingCommandStopsOnCancel: issue 9 item 6, in process. Every
// command that writes a file, run under a context already cancelled by a
// signal, exits 130, writes nothing and leaves no temporary file.
func TestEveryWritingCommandStopsOnCancel(t *testing.T) {
	src := t.TempDir()
	oldP, newP, _, _ := deltaPair(t, src, 64<<10)
	if code, _, e := runSuitkit("diff", oldP, newP, filepath.Join(src, "p")); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := runSuitkit("keygen", "--alg", "ES256", "--out", filepath.Join(src, "k.pem")); code != 0 {
		t.Fatal(e)
	}
	env := filepath.Join("..", "..", "testdata", "single-image.suit")
	code, specJSON, e := runSuitkit("show", "--format", "json", env)
	if code != 0 {
		t.Fatal(e)
	}
	spec := filepath.Join(src, "spec.json")
	if err := os.WriteFile(spec, []byte(specJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&interrupted{sig: os.Interrupt})
	for _, tc := range []struct {
		name string
		args func(out string) []string
	}{
		{"diff", func(o string) []string { return []string{"diff", oldP, newP, o} }},
		{"patch", func(o string) []string { return []string{"patch", oldP, filepath.Join(src, "p"), o} }},
		{"keygen", func(o string) []string { return []string{"keygen", "--alg", "ES256", "--out", o} }},
		{"create", func(o string) []string { return []string{"create", "--in", spec, "--out", o} }},
		{"sign", func(o string) []string {
			return []string{"sign", "--key", filepath.Join(src, "k.pem"), "--in", env, "--out", o}
		}},
		{"sever", func(o string) []string { return []string{"sever", "--in", env, "--out", o} }},
		{"attach", func(o string) []string { return []string{"attach", "--in", env, "--out", o, "--payload", "#x=" + oldP} }},
		{"demo", func(o string) []string { return []string{"demo", "--dir", o} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			var o, e bytes.Buffer
			code := runContext(ctx, tc.args(out), &o, &e)
			if code != 130 || !strings.Contains(e.String(), "interrupted by SIGINT") {
				t.Errorf("exit %d, stderr %q; want 130, interrupted by SIGINT", code, e.String())
			}
			if tc.name == "demo" {
				out = filepath.Join(out, "keys")
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s written by a cancelled command (%v)", out, err)
			}
			if bad := litter(t, dir); len(bad) > 0 {
				t.Errorf("temporary files left: %q", bad)
			}
		})
	}
}

// TestAbandonAbortsOutputs: main's last resort, for a command that has not
// stopped interruptGrace after the signal: every output in progress is
// removed, no new one can start, and the exit status is 128+signal.
func TestAbandonAbortsOutputs(t *testing.T) {
	saved := outputs
	outputs = new(atomicfile.Group)
	defer func() { outputs = saved }()
	dir := t.TempDir()
	f, err := outputs.Create(filepath.Join(dir, "out"), 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half of it"))
	var stderr bytes.Buffer
	intr := &interrupted{sig: syscall.SIGTERM}
	if code := abandon(intr, []string{"diff"}, &stderr); code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
	if got := stderr.String(); got != "suitkit diff: interrupted by SIGTERM\n" {
		t.Errorf("stderr %q", got)
	}
	if bad := litter(t, dir); len(bad) > 0 {
		t.Errorf("temporary files left: %q", bad)
	}
	if err := f.Commit(); err == nil {
		t.Error("an abandoned output committed")
	}
	if err := writeFile(context.Background(), filepath.Join(dir, "late"), []byte("x"), 0o644, true); !errors.Is(err, context.Canceled) {
		t.Errorf("a new output after abandon: %v, want the interruption", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("target exists after abandon: %v", err)
	}
}
