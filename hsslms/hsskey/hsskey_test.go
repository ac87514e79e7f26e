package hsskey

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/keys"
)

var small = &hsslms.Options{
	LMS: []hsslms.LMSType{hsslms.LMS_SHA256_M32_H5, hsslms.LMS_SHA256_M32_H5},
	OTS: []hsslms.OTSType{hsslms.LMOTS_SHA256_N32_W8, hsslms.LMOTS_SHA256_N32_W8},
}

func reservedOf(t testing.TB, path string) uint64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseState(data)
	if err != nil {
		t.Fatal(err)
	}
	return s.reserved
}

// TestReserveBatchesExhaustAndReopen: indices come out in order, one
// durable write per batch; a reopened key continues after the reserved
// mark; the last index is followed by ErrExhausted.
func TestReserveBatchesExhaustAndReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.hss")
	opts := &Options{Batch: 5, WitnessDir: filepath.Join(dir, "w")}
	one := &hsslms.Options{LMS: []hsslms.LMSType{hsslms.LMS_SHA256_M32_H5}, OTS: []hsslms.OTSType{hsslms.LMOTS_SHA256_N32_W8}}
	k, err := Generate(context.Background(), path, one, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), path, one, opts); err == nil {
		t.Fatal("Generate overwrote an existing state")
	}
	seen := map[uint64]bool{}
	sign := func(k *Key) (uint64, error) {
		sig, err := k.Sign(nil, []byte("m"), nil)
		if err != nil {
			return 0, err
		}
		if err := k.PublicKey().Verify([]byte("m"), sig); err != nil {
			t.Fatal(err)
		}
		idx, _ := Index(k.PublicKey(), sig)
		if seen[idx] {
			t.Fatalf("index %d used twice", idx)
		}
		seen[idx] = true
		return idx, nil
	}
	for i := range 7 {
		idx, err := sign(k)
		if err != nil || idx != uint64(i) {
			t.Fatalf("signature %d: index %d, %v", i, idx, err)
		}
	}
	if r := reservedOf(t, path); r != 10 {
		t.Fatalf("reserved %d after 7 signatures in batches of 5", r)
	}
	k2, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if idx, err := sign(k2); err != nil || idx != 10 {
		t.Fatalf("reopened key signs at %d, %v; want 10 (7..9 skipped, never reused)", idx, err)
	}
	for {
		if _, err := sign(k); err != nil {
			if !errors.Is(err, ErrExhausted) {
				t.Fatal(err)
			}
			break
		}
	}
	// k went on with 7..9 of its batch and then the batches after k2's;
	// k2 still holds 11..14 and uses them, then it is exhausted too.
	for {
		if _, err := sign(k2); err != nil {
			if !errors.Is(err, ErrExhausted) {
				t.Fatal(err)
			}
			break
		}
	}
	if len(seen) != 32 {
		t.Fatalf("%d signatures from 32 leaves", len(seen))
	}
}

// TestRestoredOrCopiedStateDetected: a state file put back from a backup
// is refused as rolled back; a state on a machine without its witness is
// refused unless adopted; a damaged file is refused as malformed.
func TestRestoredOrCopiedStateDetected(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.hss")
	opts := &Options{Batch: 2, WitnessDir: filepath.Join(dir, "w")}
	k, err := Generate(context.Background(), path, small, opts)
	if err != nil {
		t.Fatal(err)
	}
	backup, _ := os.ReadFile(path)
	for range 3 {
		if _, err := k.Sign(nil, []byte("m"), nil); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(path, backup, 0o600)
	if _, err := Open(context.Background(), path, opts); !errors.Is(err, ErrRolledBack) {
		t.Fatalf("restored state: %v", err)
	}
	if _, err := k.Sign(nil, []byte("m"), nil); err != nil {
		// the open handle still has index 3 of its batch [2,4)
		t.Fatalf("in-memory batch: %v", err)
	}
	if _, err := k.Sign(nil, []byte("m"), nil); !errors.Is(err, ErrRolledBack) {
		t.Fatalf("reserving on a restored state: %v", err)
	}
	other := &Options{WitnessDir: filepath.Join(dir, "elsewhere")}
	if _, err := Open(context.Background(), path, other); !errors.Is(err, ErrNoWitness) {
		t.Fatalf("copy on another machine: %v", err)
	}
	other.Adopt = true
	if _, err := Open(context.Background(), path, other); err != nil {
		t.Fatalf("adopted: %v", err)
	}
	if err := keys.CheckMACSecret(backup); !errors.Is(err, keys.ErrKeyType) {
		t.Fatalf("a key state as an HMAC secret: %v", err)
	}
	damaged := append([]byte(nil), backup...)
	damaged[len(Magic)+3] ^= 1
	os.WriteFile(path, damaged, 0o600)
	if _, err := Open(context.Background(), path, opts); !errors.Is(err, ErrState) {
		t.Fatalf("damaged state: %v", err)
	}
}

const killEnv = "SUITKIT_HSSKEY_KILL_CHILD"

// TestKillChildSignLoop is the child of TestSignaturesSurviveSIGKILL: it
// signs until killed and prints each signature after Sign returned it.
func TestKillChildSignLoop(t *testing.T) {
	path := os.Getenv(killEnv)
	if path == "" {
		t.Skip("helper process for TestSignaturesSurviveSIGKILL")
	}
	k, err := Open(context.Background(), path, &Options{Batch: 3, WitnessDir: path + ".w"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	w := bufio.NewWriter(os.Stdout)
	for {
		sig, err := k.Sign(nil, []byte("firmware"), nil)
		if err != nil {
			fmt.Fprintln(w, "error", err)
			w.Flush()
			os.Exit(3)
		}
		fmt.Fprintln(w, hex.EncodeToString(sig))
		w.Flush()
	}
}

// TestSignaturesSurviveSIGKILL: a child process signs in a loop and is
// killed with SIGKILL at a random moment, many times. Every signature any
// child returned verifies and was made at an index no other signature
// used, and every index is below the mark in the state file: a kill
// skips indices but never makes the next process reuse one.
func TestSignaturesSurviveSIGKILL(t *testing.T) {
	if os.Getenv(killEnv) != "" {
		t.Skip("in child")
	}
	iterations := 60
	if testing.Short() {
		iterations = 15
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "k.hss")
	k, err := Generate(context.Background(), path, small, &Options{WitnessDir: path + ".w"})
	if err != nil {
		t.Fatal(err)
	}
	pub := k.PublicKey()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	used := map[uint64]int{}
	total := 0
	for it := 0; it < iterations; it++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChildSignLoop$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		lines := make(chan string, 1024)
		go func() {
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		first, ok := <-lines // wait for one signature, then kill at a random point
		time.Sleep(time.Duration(rng.IntN(30000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		var got []string
		if ok {
			got = append(got, first)
		}
		for l := range lines {
			got = append(got, l)
		}
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("child did not die from the signal: %v", got)
		}
		for _, l := range got {
			sig, err := hex.DecodeString(l)
			if err != nil {
				t.Fatalf("child: %s", l)
			}
			if err := pub.Verify([]byte("firmware"), sig); err != nil {
				t.Fatalf("iteration %d: returned signature does not verify: %v", it, err)
			}
			idx, _ := Index(pub, sig)
			if prev, dup := used[idx]; dup {
				t.Fatalf("index %d used in iteration %d and again in %d", idx, prev, it)
			}
			used[idx] = it
			if r := reservedOf(t, path); idx >= r {
				t.Fatalf("index %d returned but state reserves only %d", idx, r)
			}
			total++
		}
		if reservedOf(t, path) >= 1000 {
			break // keep clear of the 1024-signature capacity
		}
	}
	t.Logf("%d signatures from killed processes, all at distinct indices; reserved mark %d", total, reservedOf(t, path))
	if total < iterations {
		t.Fatalf("only %d signatures in %d runs", total, iterations)
	}
}
