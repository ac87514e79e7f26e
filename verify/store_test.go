package verify

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestMemoryStoreCheckCommit(t *testing.T) {
	testStoreCheckCommit(t, NewMemoryStore())
}

func TestFileStoreCheckCommit(t *testing.T) {
	s, err := OpenFileStore(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	testStoreCheckCommit(t, s)
}

func testStoreCheckCommit(t *testing.T, s Store) {
	t.Helper()
	if err := CheckRollback(s, "dev", 0, true); err != nil {
		t.Fatalf("empty store: %v", err)
	}
	if err := s.Commit("dev", 5); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("other", 1); err != nil {
		t.Fatal(err)
	}
	var re *RollbackError
	err := CheckRollback(s, "dev", 4, false)
	if !errors.As(err, &re) || !errors.Is(err, ErrRollback) || re.Stored != 5 || re.Got != 4 {
		t.Fatalf("lower: got %v", err)
	}
	if err := CheckRollback(s, "dev", 5, false); err != nil {
		t.Fatalf("equal, default policy: %v", err)
	}
	if err := CheckRollback(s, "dev", 5, true); !errors.Is(err, ErrRollback) {
		t.Fatalf("equal, strict: got %v", err)
	}
	if err := CheckRollback(s, "dev", 6, true); err != nil {
		t.Fatalf("higher: %v", err)
	}
	if err := CheckRollback(s, "unknown", 0, false); err != nil {
		t.Fatalf("other identity: %v", err)
	}
	// Commit never lowers the number, and an equal commit is a no-op.
	if err := s.Commit("dev", 3); !errors.Is(err, ErrRollback) {
		t.Fatalf("commit lower: got %v", err)
	}
	if err := s.Commit("dev", 5); err != nil {
		t.Fatalf("commit equal: %v", err)
	}
	if seq, ok, err := s.Sequence("dev"); err != nil || !ok || seq != 5 {
		t.Fatalf("Sequence = %d %v %v, want 5", seq, ok, err)
	}
	if seq, ok, _ := s.Sequence("other"); !ok || seq != 1 {
		t.Fatalf("other identity = %d %v, want 1", seq, ok)
	}
}

func TestFileStorePermissionsAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s, err := OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("vendor/class", 1<<63+7); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("state file mode %o, want 600", perm)
	}
	s2, err := OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if seq, ok, err := s2.Sequence("vendor/class"); err != nil || !ok || seq != 1<<63+7 {
		t.Fatalf("reopened: %d %v %v", seq, ok, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name() != "state" && e.Name() != "state.lock" {
			t.Errorf("left-over file %s", e.Name())
		}
	}
}

// TestFileStoreCorruptionDetected flips each byte of a state file in turn
// and requires every read to fail with ErrStoreCorrupt (never a silent reset
// to zero), and Commit to refuse to overwrite the damaged file.
func TestFileStoreCorruptionDetected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s, _ := OpenFileStore(path)
	for i, id := range []string{"a", "b\x00\xff", "c"} {
		if err := s.Commit(id, uint64(100+i)); err != nil {
			t.Fatal(err)
		}
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range good {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x04
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Sequence("a"); !errors.Is(err, ErrStoreCorrupt) {
			t.Fatalf("byte %d flipped: Sequence error %v, want ErrStoreCorrupt", i, err)
		}
	}
	for _, bad := range [][]byte{good[:len(good)-1], good[:len(good)/2], {}, []byte("garbage\n")} {
		os.WriteFile(path, bad, 0o600)
		if _, err := OpenFileStore(path); !errors.Is(err, ErrStoreCorrupt) {
			t.Fatalf("truncated to %d bytes: %v", len(bad), err)
		}
		if err := s.Commit("a", 1000); !errors.Is(err, ErrStoreCorrupt) {
			t.Fatalf("commit over corrupt file: %v", err)
		}
		if got, _ := os.ReadFile(path); string(got) != string(bad) {
			t.Fatal("commit overwrote a corrupt state file")
		}
	}
}

const killChildEnv = "SUITKIT_VERIFY_KILL_CHILD"

// TestKillChildCommitLoop is not a test on its own: the parent test below
// runs the test binary with killChildEnv set, and then this commits
// increasing numbers until it is killed, printing each number after its
// Commit returned.
func TestKillChildCommitLoop(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("helper process for TestCommitSurvivesSIGKILL")
	}
	s, err := OpenFileStore(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	start, _, _ := s.Sequence("dev")
	for i := start + 1; ; i++ {
		if err := s.Commit("dev", i); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		if err := s.Commit("mirror", 2*i); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		os.Stdout.WriteString(strconv.FormatUint(i, 10) + "\n")
	}
}

// TestCommitSurvivesSIGKILL proves the atomic write (threats P6, R3): a
// child process commits increasing sequence numbers in a loop and is killed
// with SIGKILL at a random moment, many times. After every kill the state
// file opens without error and holds the last number the child reported as
// committed, or the one it was committing: never a torn or zero value.
func TestCommitSurvivesSIGKILL(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("in child")
	}
	iterations := 200
	if testing.Short() {
		iterations = 40
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	pre, _ := OpenFileStore(path)
	// Padding identities make the file span more than one 4 KiB page.
	for i := range 120 {
		if err := pre.Commit(fmt.Sprintf("padding-identity-%03d", i), uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	deadline := time.Now().Add(20 * time.Second)
	var last uint64
	killedMidRun := 0
	for it := 0; it < iterations && time.Now().Before(deadline); it++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChildCommitLoop$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		// Wait for the first committed number, then kill at a random point.
		reported := last
		if sc.Scan() {
			if n, err := strconv.ParseUint(sc.Text(), 10, 64); err == nil {
				reported = n
			} else {
				t.Fatalf("child: %s", sc.Text())
			}
		}
		time.Sleep(time.Duration(rng.IntN(4000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for sc.Scan() {
			n, err := strconv.ParseUint(sc.Text(), 10, 64)
			if err != nil {
				t.Fatalf("child: %s", sc.Text())
			}
			reported = n
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("child did not die from the signal: %v", err)
		}
		s, err := OpenFileStore(path)
		if err != nil {
			t.Fatalf("iteration %d: state unreadable after SIGKILL: %v", it, err)
		}
		dev, ok1, err1 := s.Sequence("dev")
		mirror, ok2, err2 := s.Sequence("mirror")
		if err1 != nil || err2 != nil || !ok1 || !ok2 {
			t.Fatalf("iteration %d: %v %v %v %v", it, ok1, ok2, err1, err2)
		}
		// dev is the reported number or the next one (being committed).
		if dev != reported && dev != reported+1 {
			t.Fatalf("iteration %d: stored %d, child reported %d committed", it, dev, reported)
		}
		if mirror != 2*dev && mirror != 2*(dev-1) {
			t.Fatalf("iteration %d: mirror %d inconsistent with dev %d", it, mirror, dev)
		}
		if pad, ok, _ := s.Sequence("padding-identity-119"); !ok || pad != 119 {
			t.Fatalf("iteration %d: padding identity lost", it)
		}
		if dev > reported {
			killedMidRun++
		}
		last = dev
	}
	t.Logf("final sequence %d; %d kills landed inside a commit", last, killedMidRun)
}

// TestFileStoreConcurrentWriters: writers with their own FileStore on the
// same path (as separate processes would have) serialise on the lock file,
// so no identity's update is lost by a concurrent read-modify-write.
func TestFileStoreConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	const writers, rounds = 6, 15
	errc := make(chan error, writers)
	for w := range writers {
		go func() {
			s, err := OpenFileStore(path)
			if err != nil {
				errc <- err
				return
			}
			for i := 1; i <= rounds; i++ {
				if err := s.Commit(fmt.Sprintf("writer-%d", w), uint64(i)); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for range writers {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	s, _ := OpenFileStore(path)
	all, err := s.All()
	if err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		if got := all[fmt.Sprintf("writer-%d", w)]; got != rounds {
			t.Errorf("writer-%d: %d, want %d (lost update)", w, got, rounds)
		}
	}
}
