package verify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/suitkit/suitkit/suit"
)

// raise sets one floor of an unknown manifest.
func raise(s Store, key string, seq uint64) error {
	return s.Raise([]string{key}, Floor{Sequence: seq})
}

// floorSeq returns the sequence number of a floor.
func floorSeq(s Store, key string) (uint64, bool, error) {
	f, ok, err := s.Floor(key)
	return f.Sequence, ok, err
}

func TestMemoryStoreCheckCommit(t *testing.T) {
	testStoreCheckCommit(t, NewMemoryStore())
}

func TestFileStoreCheckCommit(t *testing.T) {
	s, err := OpenFileStore(filepath.Join(t.TempDir(), "state"), nil)
	if err != nil {
		t.Fatal(err)
	}
	testStoreCheckCommit(t, s)
}

func testStoreCheckCommit(t *testing.T, s Store) {
	t.Helper()
	if err := CheckFloor(s, "dev", 0, "", true); err != nil {
		t.Fatalf("empty store: %v", err)
	}
	if err := raise(s, "dev", 5); err != nil {
		t.Fatal(err)
	}
	if err := raise(s, "other", 1); err != nil {
		t.Fatal(err)
	}
	var re *RollbackError
	err := CheckFloor(s, "dev", 4, "", false)
	if !errors.As(err, &re) || !errors.Is(err, ErrRollback) || re.Stored != 5 || re.Got != 4 {
		t.Fatalf("lower: got %v", err)
	}
	if err := CheckFloor(s, "dev", 5, "", false); err != nil {
		t.Fatalf("equal, default policy: %v", err)
	}
	if err := CheckFloor(s, "dev", 5, "", true); !errors.Is(err, ErrRollback) {
		t.Fatalf("equal, strict: got %v", err)
	}
	if err := CheckFloor(s, "dev", 6, "", true); err != nil {
		t.Fatalf("higher: %v", err)
	}
	if err := CheckFloor(s, "unknown", 0, "", false); err != nil {
		t.Fatalf("other identity: %v", err)
	}
	// Commit never lowers the number, and an equal commit is a no-op.
	if err := raise(s, "dev", 3); !errors.Is(err, ErrRollback) {
		t.Fatalf("commit lower: got %v", err)
	}
	if err := raise(s, "dev", 5); err != nil {
		t.Fatalf("commit equal: %v", err)
	}
	if seq, ok, err := floorSeq(s, "dev"); err != nil || !ok || seq != 5 {
		t.Fatalf("Sequence = %d %v %v, want 5", seq, ok, err)
	}
	if seq, ok, _ := floorSeq(s, "other"); !ok || seq != 1 {
		t.Fatalf("other identity = %d %v, want 1", seq, ok)
	}
}

func TestFileStorePermissionsAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s, err := OpenFileStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raise(s, "vendor/class", 1<<63+7); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("state file mode %o, want 600", perm)
	}
	s2, err := OpenFileStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if seq, ok, err := floorSeq(s2, "vendor/class"); err != nil || !ok || seq != 1<<63+7 {
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
	s, _ := OpenFileStore(path, nil)
	for i, id := range []string{"a", "b\x00\xff", "c"} {
		if err := raise(s, id, uint64(100+i)); err != nil {
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
		if _, _, err := floorSeq(s, "a"); !errors.Is(err, ErrStoreCorrupt) {
			t.Fatalf("byte %d flipped: Sequence error %v, want ErrStoreCorrupt", i, err)
		}
	}
	for _, bad := range [][]byte{good[:len(good)-1], good[:len(good)/2], {}, []byte("garbage\n")} {
		os.WriteFile(path, bad, 0o600)
		if _, err := OpenFileStore(path, nil); !errors.Is(err, ErrStoreCorrupt) {
			t.Fatalf("truncated to %d bytes: %v", len(bad), err)
		}
		if err := raise(s, "a", 1000); !errors.Is(err, ErrStoreCorrupt) {
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
	s, err := OpenFileStore(path, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	start, _, _ := floorSeq(s, "dev")
	for i := start + 1; ; i++ {
		if err := raise(s, "dev", i); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		if err := raise(s, "mirror", 2*i); err != nil {
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
	pre, _ := OpenFileStore(path, nil)
	// Padding identities make the file span more than one 4 KiB page.
	for i := range 120 {
		if err := raise(pre, fmt.Sprintf("padding-identity-%03d", i), uint64(i)); err != nil {
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
		s, err := OpenFileStore(path, nil)
		if err != nil {
			t.Fatalf("iteration %d: state unreadable after SIGKILL: %v", it, err)
		}
		dev, ok1, err1 := floorSeq(s, "dev")
		mirror, ok2, err2 := floorSeq(s, "mirror")
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
		if pad, ok, _ := floorSeq(s, "padding-identity-119"); !ok || pad != 119 {
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
			s, err := OpenFileStore(path, nil)
			if err != nil {
				errc <- err
				return
			}
			for i := 1; i <= rounds; i++ {
				if err := raise(s, fmt.Sprintf("writer-%d", w), uint64(i)); err != nil {
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
	s, _ := OpenFileStore(path, nil)
	all, err := s.Floors()
	if err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		if got := all[fmt.Sprintf("writer-%d", w)].Sequence; got != rounds {
			t.Errorf("writer-%d: %d, want %d (lost update)", w, got, rounds)
		}
	}
}

// TestFileStoreMigratesVersion1: a state file written by the old format
// (counters keyed by manifest-chosen identities) is read as one floor for
// every key, the highest number it holds, so a device upgraded from
// 9d84ca8 refuses anything older than what it had, under any component;
// the next Raise writes version 2 and keeps that floor. A keyed store
// refuses a version 1 file: it carries no MAC.
func TestFileStoreMigratesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	var b strings.Builder
	b.WriteString("suitkit-rollback-state 1\n")
	b.WriteString(hex.EncodeToString([]byte("")) + " 10\n")
	b.WriteString(hex.EncodeToString([]byte("component:[h'01']")) + " 3\n")
	sum := sha256.Sum256([]byte(b.String()))
	b.WriteString("sha256 " + hex.EncodeToString(sum[:]) + "\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFileStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	k0 := ComponentFloorKey("", suit.ComponentID{{0}})
	if err := CheckFloor(s, k0, 9, "-16:aa", false); !errors.Is(err, ErrRollback) {
		t.Fatalf("9 under a migrated floor of 10: %v", err)
	}
	if err := CheckFloor(s, k0, 10, "-16:aa", false); err != nil {
		t.Fatalf("10 under a migrated floor of 10: %v", err)
	}
	if err := s.Raise([]string{k0}, Floor{Sequence: 11, Manifest: "-16:bb"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), stateMagic) {
		t.Fatalf("not rewritten as version 2:\n%s", data)
	}
	k1 := ComponentFloorKey("", suit.ComponentID{{1}})
	if f, ok, err := s.Floor(k1); err != nil || !ok || f.Sequence != 10 {
		t.Fatalf("another component after the rewrite: %+v %v %v", f, ok, err)
	}
	if f, _, _ := s.Floor(k0); f.Sequence != 11 || f.Manifest != "-16:bb" {
		t.Fatalf("raised floor: %+v", f)
	}
	os.WriteFile(path, []byte(b.String()), 0o600)
	if _, err := OpenFileStore(path, &FileStoreOptions{Key: testStateKey}); !errors.Is(err, ErrStoreTampered) {
		t.Fatalf("keyed store over a version 1 file: %v", err)
	}
}

var testStateKey = bytes.Repeat([]byte{0x5a}, 32)

// TestFileStoreKeyDetectsTampering (issue 9 item 11): with a device
// secret the state carries an HMAC. Someone who can write the file but
// not read the key can neither lower a floor (recomputing the plain
// checksum, which is all an unkeyed store has), nor drop the MAC, nor
// reset the file from another key: each read fails with ErrStoreTampered
// (which also matches ErrStoreCorrupt), and Raise does not overwrite it.
// On 9d84ca8 there was no key and the edited file was accepted.
func TestFileStoreKeyDetectsTampering(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	s, err := OpenFileStore(path, &FileStoreOptions{Key: testStateKey})
	if err != nil {
		t.Fatal(err)
	}
	k := ComponentFloorKey("", suit.ComponentID{{0}})
	if err := s.Raise([]string{k}, Floor{Sequence: 10, Manifest: "-16:aa"}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	if !strings.Contains(string(good), "\nhmac-sha256 ") {
		t.Fatalf("no MAC line:\n%s", good)
	}
	if f, _, err := s.Floor(k); err != nil || f.Sequence != 10 {
		t.Fatalf("reading back: %+v %v", f, err)
	}
	// The attacker's edits: lower the floor with a fresh plain checksum,
	// keep the old MAC with a lowered floor, write with another key.
	body := strings.Replace(string(good[:bytes.LastIndexByte(good[:len(good)-1], '\n')+1]), " 10 ", " 1 ", 1)
	sum := sha256.Sum256([]byte(body))
	plain := body + "sha256 " + hex.EncodeToString(sum[:]) + "\n"
	oldMAC := body + string(good[bytes.LastIndexByte(good[:len(good)-1], '\n')+1:])
	other := filepath.Join(dir, "other")
	os2, _ := OpenFileStore(other, &FileStoreOptions{Key: bytes.Repeat([]byte{0x33}, 32)})
	os2.Raise([]string{k}, Floor{Sequence: 1})
	foreign, _ := os.ReadFile(other)
	for name, bad := range map[string]string{"plain checksum": plain, "stale MAC": oldMAC, "other key": string(foreign)} {
		os.WriteFile(path, []byte(bad), 0o600)
		_, _, err := s.Floor(k)
		if !errors.Is(err, ErrStoreTampered) || !errors.Is(err, ErrStoreCorrupt) {
			t.Errorf("%s: %v, want ErrStoreTampered", name, err)
		}
		if err := s.Raise([]string{k}, Floor{Sequence: 20}); !errors.Is(err, ErrStoreTampered) {
			t.Errorf("%s: Raise %v", name, err)
		}
		if got, _ := os.ReadFile(path); string(got) != bad {
			t.Errorf("%s: Raise overwrote the tampered file", name)
		}
	}
	// Without a key the plain edit passes: the checksum only catches
	// corruption. A keyed file read without the key is refused.
	os.WriteFile(path, []byte(plain), 0o600)
	if u, err := OpenFileStore(path, nil); err != nil {
		t.Fatal(err)
	} else if f, _, _ := u.Floor(k); f.Sequence != 1 {
		t.Fatalf("unkeyed read of the edit: %+v", f)
	}
	os.WriteFile(path, good, 0o600)
	if _, err := OpenFileStore(path, nil); !errors.Is(err, ErrStoreCorrupt) {
		t.Fatalf("keyed file without the key: %v", err)
	}
	// Weak or mistaken keys are refused up front.
	for _, bad := range [][]byte{bytes.Repeat([]byte{1}, 31), []byte("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n")} {
		if _, err := OpenFileStore(filepath.Join(dir, "x"), &FileStoreOptions{Key: bad}); err == nil {
			t.Errorf("key %q accepted", bad[:8])
		}
	}
}
