// Package hsskey keeps HSS-LMS private keys in state files so that no
// one-time key is ever used twice.
//
// An HSS-LMS key is stateful: every signature consumes a one-time key, and
// two messages signed with the same one breaks the key (anyone can then
// forge). A [Key] is a crypto.Signer whose Sign first reserves the next
// index durably and only then signs:
//
//   - Reservation: under an exclusive lock on KEY.lock, the state file is
//     read again, its "reserved" high-water mark raised by a batch
//     ([Options.Batch]) and the file replaced atomically (temporary file,
//     fsync, rename, fsync of the directory). Indices below the mark are
//     handed out from memory until the batch is used up. A crash or
//     SIGKILL at any point skips at most the rest of a batch and never
//     reuses an index; two processes signing with the same file get
//     disjoint batches.
//   - Before a signature leaves Sign it is verified against the public
//     key (catching a damaged tree cache or a fault).
//   - Exhaustion gives [ErrExhausted].
//   - Copies and restores: every reservation is also recorded in a
//     witness file outside the key's directory ([Options.WitnessDir],
//     named after the key's random identifier). A state file whose mark is
//     below its witness's was restored from a backup or is an older copy:
//     [ErrRolledBack]. A state file without a witness on this machine may
//     be a copy of a key in use elsewhere: [ErrNoWitness], unless
//     [Options.Adopt] says it was moved deliberately. Limits: a copy taken
//     together with the witness directory, or used on a machine where it
//     is adopted while the original stays in use, is not detectable from
//     here; nor is a restore of both the state and the witness. Keep one
//     copy of a key state, on one machine.
//
// The state file holds the seed: it is as secret as any private key, mode
// 0600. Its layout is in README.md ("HSS-LMS key state").
package hsskey

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/internal/lockfile"
)

// Sentinel errors.
var (
	// ErrExhausted means every one-time key has been used (or reserved).
	ErrExhausted = errors.New("hsskey: key exhausted")
	// ErrRolledBack means the state file is older than this machine's
	// witness record: restored from a backup or an old copy. Signing with
	// it would reuse one-time keys.
	ErrRolledBack = errors.New("hsskey: key state rolled back")
	// ErrNoWitness means no witness record for the key exists on this
	// machine: the state may be a copy of a key in use elsewhere.
	ErrNoWitness = errors.New("hsskey: no witness record for this key state")
	// ErrState means a state file that does not parse.
	ErrState = errors.New("hsskey: malformed key state")
)

// Magic starts every state file.
const Magic = "suitkit HSS-LMS key state v1\n"

// DefaultBatch is the number of indices one reservation takes.
const DefaultBatch = 16

// Options configure opening or generating a key. The zero value is usable.
type Options struct {
	// Batch is the number of indices reserved per durable write (0:
	// DefaultBatch). A crash loses the unused rest of a batch.
	Batch uint64
	// WitnessDir holds the witness records; "" means
	// $XDG_CONFIG_HOME/suitkit/hss-lms-witness (os.UserConfigDir).
	WitnessDir string
	// Adopt accepts a state without a witness record on this machine
	// (a key moved here deliberately) and creates the record.
	Adopt bool
	// Workers and Progress are passed to the tree computation.
	Workers  int
	Progress hsslms.Progress
}

func (o *Options) batch() uint64 {
	if o == nil || o.Batch == 0 {
		return DefaultBatch
	}
	return o.Batch
}

func (o *Options) witnessDir() (string, error) {
	if o != nil && o.WitnessDir != "" {
		return o.WitnessDir, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("hsskey: no directory for witness records (set a WitnessDir): %w", err)
	}
	return filepath.Join(d, "suitkit", "hss-lms-witness"), nil
}

// state is the content of a state file.
type state struct {
	lms      []hsslms.LMSType
	ots      []hsslms.OTSType
	id       [16]byte // top tree I
	seed     []byte
	keyID    [16]byte // random, names the witness record
	reserved uint64   // every index below may have been used
}

func (s *state) encode() []byte {
	b := []byte(Magic)
	b = append(b, byte(len(s.lms)))
	for i := range s.lms {
		b = binary.BigEndian.AppendUint32(b, uint32(s.lms[i]))
		b = binary.BigEndian.AppendUint32(b, uint32(s.ots[i]))
	}
	b = append(b, s.id[:]...)
	b = append(b, byte(len(s.seed)))
	b = append(b, s.seed...)
	b = append(b, s.keyID[:]...)
	b = binary.BigEndian.AppendUint64(b, s.reserved)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// maxStateSize bounds a state file: 8 levels, a 32-byte seed.
const maxStateSize = len(Magic) + 1 + 8*8 + 16 + 1 + 32 + 16 + 8 + 32

func parseState(b []byte) (*state, error) {
	bad := func(why string) (*state, error) { return nil, fmt.Errorf("%w: %s", ErrState, why) }
	if !bytes.HasPrefix(b, []byte(Magic)) {
		return bad("not an HSS-LMS key state (magic)")
	}
	if len(b) > maxStateSize || len(b) < len(Magic)+1+32 {
		return bad(fmt.Sprintf("%d bytes", len(b)))
	}
	body, sum := b[:len(b)-32], b[len(b)-32:]
	if want := sha256.Sum256(body); !bytes.Equal(want[:], sum) {
		return bad("checksum mismatch (damaged)")
	}
	p := body[len(Magic):]
	levels := int(p[0])
	p = p[1:]
	if levels < 1 || levels > hsslms.MaxLevels || len(p) < 8*levels+16+1 {
		return bad("level count")
	}
	s := &state{}
	for range levels {
		s.lms = append(s.lms, hsslms.LMSType(binary.BigEndian.Uint32(p)))
		s.ots = append(s.ots, hsslms.OTSType(binary.BigEndian.Uint32(p[4:])))
		p = p[8:]
	}
	copy(s.id[:], p)
	n := int(p[16])
	p = p[17:]
	if len(p) != n+16+8 {
		return bad("length")
	}
	s.seed = bytes.Clone(p[:n])
	copy(s.keyID[:], p[n:])
	s.reserved = binary.BigEndian.Uint64(p[n+16:])
	if _, _, err := (&hsslms.Options{LMS: s.lms, OTS: s.ots}).Levels(); err != nil {
		return bad(err.Error())
	}
	return s, nil
}

// Key is an HSS-LMS private key backed by a state file. It is a
// crypto.Signer and safe for concurrent use.
type Key struct {
	path    string
	opts    Options
	keyID   [16]byte
	priv    *hsslms.PrivateKey
	pub     *hsslms.PublicKey
	mu      sync.Mutex
	next    uint64 // next index to hand out
	limit   uint64 // end of the reserved batch
	witness string
}

// Generate makes a new key with the parameter sets of o and writes its
// state to path (which must not exist), its tree cache to path+".tree"
// and its witness record.
func Generate(ctx context.Context, path string, o *hsslms.Options, opts *Options) (*Key, error) {
	var oo hsslms.Options
	if o != nil {
		oo = *o
	}
	if opts != nil {
		oo.Workers, oo.Progress = opts.Workers, opts.Progress
	}
	ls, os_, err := oo.Levels()
	if err != nil {
		return nil, err
	}
	s := &state{seed: make([]byte, os_[0].N)}
	for i := range ls {
		s.lms, s.ots = append(s.lms, ls[i].Type), append(s.ots, os_[i].Type)
	}
	oo.LMS, oo.OTS = s.lms, s.ots
	for _, b := range [][]byte{s.id[:], s.seed, s.keyID[:]} {
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("hsskey: %s exists; a key state is never overwritten", path)
	}
	priv, err := hsslms.NewPrivateKey(ctx, &oo, s.id, s.seed)
	if err != nil {
		return nil, err
	}
	k := &Key{path: path, keyID: s.keyID, priv: priv, pub: priv.Public()}
	if opts != nil {
		k.opts = *opts
	}
	if k.witness, err = k.witnessPath(); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(path+".tree", priv.Top().CachedNodes(), 0o600); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(path, s.encode(), 0o600); err != nil {
		return nil, err
	}
	if err := writeWitness(k.witness, 0); err != nil {
		return nil, err
	}
	return k, nil
}

// Open loads a key state, checks it against its witness record (see the
// package documentation) and loads or rebuilds its tree cache. Nothing is
// reserved until the first Sign.
func Open(ctx context.Context, path string, opts *Options) (*Key, error) {
	data, err := readCapped(path, int64(maxStateSize))
	if err != nil {
		return nil, err
	}
	s, err := parseState(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k := &Key{path: path, keyID: s.keyID}
	if opts != nil {
		k.opts = *opts
	}
	if k.witness, err = k.witnessPath(); err != nil {
		return nil, err
	}
	if err := k.checkWitness(s.reserved, k.opts.Adopt); err != nil {
		return nil, err
	}
	o := &hsslms.Options{LMS: s.lms, OTS: s.ots, Workers: k.opts.Workers, Progress: k.opts.Progress}
	ls, os_, _ := o.Levels()
	var top *hsslms.Tree
	if nodes, err := readCapped(path+".tree", 4<<20); err == nil {
		top, _ = hsslms.TreeFromCache(ls[0], os_[0], s.id, s.seed, nodes)
	}
	if top == nil { // missing or unusable cache: rebuild it
		if top, err = hsslms.NewTree(ctx, ls[0], os_[0], s.id, s.seed, k.opts.Workers, k.opts.Progress); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(path+".tree", top.CachedNodes(), 0o600); err != nil {
			return nil, err
		}
	}
	if k.priv, err = hsslms.NewPrivateKeyFromTree(o, top); err != nil {
		return nil, err
	}
	k.pub = k.priv.Public()
	if k.opts.Adopt {
		if err := writeWitness(k.witness, s.reserved); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrState, path, max)
	}
	return data, nil
}

func (k *Key) witnessPath() (string, error) {
	dir, err := k.opts.witnessDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, hex.EncodeToString(k.keyID[:])), nil
}

func writeWitness(path string, reserved uint64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, binary.BigEndian.AppendUint64(nil, reserved), 0o600)
}

// checkWitness compares the state's mark with the witness record.
func (k *Key) checkWitness(reserved uint64, adopt bool) error {
	w, err := os.ReadFile(k.witness)
	if errors.Is(err, os.ErrNotExist) {
		if adopt {
			return nil
		}
		return fmt.Errorf("%w: %s has no record in %s (a copy of a key in use elsewhere would reuse one-time keys; adopt it only if it was moved here and the original is gone)", ErrNoWitness, k.path, filepath.Dir(k.witness))
	}
	if err != nil {
		return err
	}
	if len(w) != 8 {
		return fmt.Errorf("%w: witness record %s is damaged", ErrState, k.witness)
	}
	if seen := binary.BigEndian.Uint64(w); seen > reserved {
		return fmt.Errorf("%w: %s reserves up to index %d, but this machine has seen %d reserved (restored from a backup or an old copy)", ErrRolledBack, k.path, reserved, seen)
	}
	return nil
}

// reserve returns the next unused index, reserving a new batch durably
// when the current one is used up.
func (k *Key) reserve(ctx context.Context) (uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.next < k.limit {
		k.next++
		return k.next - 1, nil
	}
	unlock, err := lockfile.Lock(ctx, k.path+".lock")
	if err != nil {
		return 0, err
	}
	defer unlock()
	data, err := readCapped(k.path, int64(maxStateSize))
	if err != nil {
		return 0, err
	}
	s, err := parseState(data)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", k.path, err)
	}
	if s.keyID != k.keyID {
		return 0, fmt.Errorf("%w: %s now holds another key", ErrState, k.path)
	}
	if err := k.checkWitness(s.reserved, false); err != nil {
		return 0, err
	}
	capacity := k.priv.Capacity()
	if s.reserved >= capacity {
		return 0, fmt.Errorf("%w: all %d one-time keys of %s are used", ErrExhausted, capacity, k.path)
	}
	start := s.reserved
	s.reserved = start + min(k.opts.batch(), capacity-start)
	if err := atomicfile.WriteFile(k.path, s.encode(), 0o600); err != nil {
		return 0, err
	}
	if err := writeWitness(k.witness, s.reserved); err != nil {
		return 0, err
	}
	k.next, k.limit = start+1, s.reserved
	return start, nil
}

// Public returns the *hsslms.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// PublicKey returns the HSS public key.
func (k *Key) PublicKey() *hsslms.PublicKey { return k.pub }

// Capacity is the total number of signatures of the key.
func (k *Key) Capacity() uint64 { return k.priv.Capacity() }

// Sign signs msg (the whole message: HSS-LMS hashes it itself; opts must
// not name a hash). The index is reserved durably first; the signature is
// verified before it is returned.
func (k *Key) Sign(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), msg, opts)
}

// SignContext is Sign with a context for the lock wait and the tree
// computation.
func (k *Key) SignContext(ctx context.Context, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, errors.New("hsskey: HSS-LMS signs the message itself, not a hash")
	}
	idx, err := k.reserve(ctx)
	if err != nil {
		return nil, err
	}
	sig, err := k.priv.SignIndex(ctx, idx, msg)
	if err != nil {
		return nil, err
	}
	if err := k.pub.Verify(msg, sig); err != nil {
		return nil, fmt.Errorf("hsskey: signature at index %d does not verify (damaged tree cache?): %w", idx, err)
	}
	return sig, nil
}

// Index returns the leaf index a signature of this package was made with
// (the global HSS index), for audits.
func Index(pub *hsslms.PublicKey, sig []byte) (uint64, error) {
	s, err := hsslms.ParseSignature(sig)
	if err != nil {
		return 0, err
	}
	var idx uint64
	for i := range s.Signed {
		idx = idx<<s.Signed[i].LMS.H | uint64(s.Signed[i].Q)
	}
	return idx<<s.Message.LMS.H | uint64(s.Message.Q), nil
}
