package hsslms

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// This file is the signing side: key generation and one-time signing at
// an index the caller chooses. It holds no state and does not prevent
// reuse of a one-time key: that is the job of the caller (suitkit's
// hsslms/hsskey keeps the durable counter). A device that only verifies
// links none of it (layering_test.go checks the symbols).

// Pseudorandom derivations (RFC 8554 Appendix A style): H(I || u32str(q)
// || u16str(j) || u8str(0xff) || SEED). j < p gives the chain secrets of
// leaf q; the indices below give the per-signature randomizer C and the
// seed and identifier of the child tree under leaf q. They are above the
// largest p (265), so they never collide with a chain secret.
const (
	deriveC         = 0xfffd
	deriveChildSeed = 0xfffe
	deriveChildI    = 0xffff
)

func derive(h Hash, id []byte, q uint32, j uint16, seed, dst []byte, n int) {
	var buf [16 + 4 + 2 + 1 + 32]byte
	copy(buf[:16], id)
	binary.BigEndian.PutUint32(buf[16:], q)
	binary.BigEndian.PutUint16(buf[20:], j)
	buf[22] = 0xff
	k := copy(buf[23:], seed)
	if n > 32 {
		n = 32
	}
	sum(h, dst, buf[:23+k], n)
}

// otsPublic computes the LM-OTS public key hash K of leaf q into k.
func otsPublic(p OTSParams, id []byte, q uint32, seed, k []byte) {
	st := newStream(p.Hash)
	var hdr [22]byte
	copy(hdr[:], id)
	binary.BigEndian.PutUint32(hdr[16:], q)
	binary.BigEndian.PutUint16(hdr[20:], dPBLC)
	st.Write(hdr[:])
	var tmp [32]byte
	for i := range p.P {
		derive(p.Hash, id, q, uint16(i), seed, tmp[:], p.N)
		chain(p, id, q, i, 0, 1<<p.W-1, tmp[:])
		st.Write(tmp[:p.N])
	}
	st.sumReset(k, p.N)
}

// otsSign appends the LM-OTS signature of leaf q over msg with the
// randomizer c.
func otsSign(dst []byte, p OTSParams, id []byte, q uint32, seed, c, msg []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(p.Type))
	dst = append(dst, c[:p.N]...)
	var qbuf [34]byte
	messageHash(p, id, q, c[:p.N], msg, qbuf[:])
	digits := withChecksum(p, qbuf[:])
	var tmp [32]byte
	for i := range p.P {
		derive(p.Hash, id, q, uint16(i), seed, tmp[:], p.N)
		chain(p, id, q, i, 0, coef(digits, i, p.W), tmp[:])
		dst = append(dst, tmp[:p.N]...)
	}
	return dst
}

// Tree is one LMS private key with the upper part of its Merkle tree
// cached: the nodes at heights >= Cut, from which any authentication path
// needs only the 2^Cut leaves of one subtree recomputed.
type Tree struct {
	LMS  LMSParams
	OTS  OTSParams
	I    [16]byte
	Seed []byte
	Cut  int
	top  []byte // nodes T[1] .. T[2^(H-Cut+1)-1], M bytes each, T[r] at (r-1)*M
}

// maxCachedHeight bounds the cached part of a tree: 2^16 nodes (2 MiB for
// M=32) at most. A variable so that tests can exercise the recomputed
// subtrees on small trees.
var maxCachedHeight = 15

// Progress is called from key generation with the number of leaves
// (one-time keys) computed so far and the total. It may be called from
// several goroutines, never concurrently.
type Progress func(done, total uint64)

// NewTree computes an LMS tree's cached nodes from its seed, using up to
// workers goroutines (0: one per CPU).
func NewTree(ctx context.Context, lms LMSParams, ots OTSParams, id [16]byte, seed []byte, workers int, progress Progress) (*Tree, error) {
	if len(seed) != ots.N {
		return nil, fmt.Errorf("hsslms: seed of %d bytes for n=%d", len(seed), ots.N)
	}
	t := &Tree{LMS: lms, OTS: ots, I: id, Seed: append([]byte(nil), seed...), Cut: max(0, lms.H-maxCachedHeight)}
	m, upper := lms.M, lms.H-t.Cut
	t.top = make([]byte, ((1<<(upper+1))-1)*m)
	subtrees := 1 << upper
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, subtrees)
	var next atomic.Int64
	var done atomic.Uint64
	var mu sync.Mutex
	total := uint64(1) << lms.H
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= subtrees {
					return
				}
				if j%64 == 0 && ctx.Err() != nil {
					errc <- ctx.Err()
					return
				}
				root := t.subtree(uint32(j), nil, 0)
				r := subtrees + j
				copy(t.top[(r-1)*m:], root)
				d := done.Add(uint64(1) << t.Cut)
				if progress != nil {
					mu.Lock()
					progress(d, total)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	for r := subtrees - 1; r >= 1; r-- {
		interior(lms.Hash, id[:], uint32(r), t.top[(2*r-1)*m:], t.top[(2*r)*m:], t.top[(r-1)*m:], m)
	}
	return t, nil
}

// subtree computes the root of subtree j (height Cut) and, when path is
// not nil, writes into it the first Cut authentication path nodes of leaf
// q (which must be in subtree j).
func (t *Tree) subtree(j uint32, path []byte, q uint32) []byte {
	m, c := t.LMS.M, t.Cut
	width := 1 << c
	nodes := make([]byte, width*m)
	var k [32]byte
	first := uint32(1)<<t.LMS.H + j<<c
	for x := range width {
		leaf := j<<c + uint32(x)
		otsPublic(t.OTS, t.I[:], leaf, t.Seed, k[:])
		leafHash(t.LMS.Hash, t.I[:], first+uint32(x), k[:t.OTS.N], nodes[x*m:], m)
	}
	r, pos := first, int(q-j<<c)
	for level := 0; level < c; level++ {
		if path != nil {
			copy(path[level*m:], nodes[(pos^1)*m:(pos^1+1)*m])
		}
		width /= 2
		r /= 2
		for x := range width {
			interior(t.LMS.Hash, t.I[:], r+uint32(x), nodes[2*x*m:], nodes[(2*x+1)*m:], nodes[x*m:], m)
		}
		pos /= 2
	}
	return nodes[:m]
}

// PublicKey returns the tree's LMS public key.
func (t *Tree) PublicKey() *LMSPublicKey {
	return &LMSPublicKey{LMS: t.LMS, OTS: t.OTS, I: t.I, Root: append([]byte(nil), t.top[:t.LMS.M]...)}
}

// Sign appends the LMS signature of leaf q over msg. The randomizer C is
// derived from the seed, so that signing the same message at the same
// leaf twice gives the same signature (an HSS parent re-signs its child's
// public key with the same leaf); signing two different messages at the
// same leaf breaks the one-time key, which is the caller's to prevent.
func (t *Tree) Sign(dst []byte, q uint32, msg []byte) []byte {
	var c [32]byte
	derive(t.OTS.Hash, t.I[:], q, deriveC, t.Seed, c[:], t.OTS.N)
	return t.SignWithC(dst, q, msg, c[:t.OTS.N])
}

// SignWithC is Sign with a randomizer given by the caller (known-answer
// tests).
func (t *Tree) SignWithC(dst []byte, q uint32, msg, c []byte) []byte {
	m := t.LMS.M
	dst = binary.BigEndian.AppendUint32(dst, q)
	dst = otsSign(dst, t.OTS, t.I[:], q, t.Seed, c, msg)
	dst = binary.BigEndian.AppendUint32(dst, uint32(t.LMS.Type))
	path := make([]byte, t.LMS.H*m)
	if t.Cut > 0 { // below the cached nodes: recompute q's subtree
		t.subtree(q>>t.Cut, path, q)
	}
	r := (uint32(1)<<t.LMS.H + q) >> t.Cut
	for level := t.Cut; level < t.LMS.H; level++ {
		sib := int(r ^ 1)
		copy(path[level*m:], t.top[(sib-1)*m:sib*m])
		r /= 2
	}
	return append(dst, path...)
}

// Options choose the parameter sets of a new HSS key: one LMS and one
// LM-OTS type per level, top first. The zero value is two levels of
// LMS_SHA256_M32_H10 with LMOTS_SHA256_N32_W4: 2^20 signatures.
type Options struct {
	LMS      []LMSType
	OTS      []OTSType
	Workers  int      // goroutines for key generation; 0: one per CPU
	Progress Progress // called during the top tree's generation; may be nil
}

// ErrOptions means key-generation options that do not describe a key.
var ErrOptions = errors.New("hsslms: invalid key options")

// Levels checks o and returns the parameters of each level.
func (o *Options) Levels() ([]LMSParams, []OTSParams, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if len(opts.LMS) == 0 && len(opts.OTS) == 0 {
		opts.LMS = []LMSType{LMS_SHA256_M32_H10, LMS_SHA256_M32_H10}
		opts.OTS = []OTSType{LMOTS_SHA256_N32_W4, LMOTS_SHA256_N32_W4}
	}
	if len(opts.LMS) != len(opts.OTS) || len(opts.LMS) < 1 || len(opts.LMS) > MaxLevels {
		return nil, nil, fmt.Errorf("%w: %d LMS and %d LM-OTS types, want 1 to %d of each", ErrOptions, len(opts.LMS), len(opts.OTS), MaxLevels)
	}
	var ls []LMSParams
	var os []OTSParams
	total := 0
	for i := range opts.LMS {
		lp, ok1 := opts.LMS[i].Params()
		op, ok2 := opts.OTS[i].Params()
		if !ok1 || !ok2 {
			return nil, nil, fmt.Errorf("%w: level %d: unknown typecode %v/%v", ErrOptions, i, opts.LMS[i], opts.OTS[i])
		}
		if lp.Hash != op.Hash || lp.M != op.N {
			return nil, nil, fmt.Errorf("%w: level %d: %v and %v use different hashes (SP 800-208 pairs them)", ErrOptions, i, lp.Type, op.Type)
		}
		total += lp.H
		ls, os = append(ls, lp), append(os, op)
	}
	if total > 64 {
		return nil, nil, fmt.Errorf("%w: %d levels of tree height in all, at most 64", ErrOptions, total)
	}
	return ls, os, nil
}

// PrivateKey is an HSS private key: the parameter sets of each level and
// the top tree. Lower trees are derived from the tree above them and the
// leaf that signs them. It is stateless: [PrivateKey.SignIndex] signs at
// the index it is given.
type PrivateKey struct {
	lms []LMSParams
	ots []OTSParams
	top *Tree

	mu       sync.Mutex
	children map[childKey]*Tree // cache of lower trees
	workers  int
}

type childKey struct {
	level int
	path  uint64 // the global index bits above this level
}

// NewPrivateKey builds a private key from the top tree's identifier and
// seed, computing the top tree (the long part of key generation).
func NewPrivateKey(ctx context.Context, o *Options, id [16]byte, seed []byte) (*PrivateKey, error) {
	ls, os, err := o.Levels()
	if err != nil {
		return nil, err
	}
	var workers int
	var progress Progress
	if o != nil {
		workers, progress = o.Workers, o.Progress
	}
	top, err := NewTree(ctx, ls[0], os[0], id, seed, workers, progress)
	if err != nil {
		return nil, err
	}
	return &PrivateKey{lms: ls, ots: os, top: top, children: map[childKey]*Tree{}, workers: workers}, nil
}

// Capacity is the number of signatures the key can make: the product of
// 2^H over its levels.
func (k *PrivateKey) Capacity() uint64 {
	bits := 0
	for _, l := range k.lms {
		bits += l.H
	}
	if bits == 64 {
		return ^uint64(0)
	}
	return 1 << bits
}

// Public returns the HSS public key.
func (k *PrivateKey) Public() *PublicKey {
	return &PublicKey{Levels: len(k.lms), Top: *k.top.PublicKey()}
}

// Top returns the top tree.
func (k *PrivateKey) Top() *Tree { return k.top }

// SignatureSize returns the size of every signature of this key.
func (k *PrivateKey) SignatureSize() int {
	n := 4
	for i := range k.lms {
		n += k.lms[i].SignatureSize(k.ots[i])
		if i > 0 {
			n += k.lms[i].PublicKeySize()
		}
	}
	return n
}

// ErrIndex means a signature index beyond the key's capacity.
var ErrIndex = errors.New("hsslms: signature index out of range")

// SignIndex returns the HSS signature of msg with the one-time keys of
// global index idx (0 to Capacity-1). It never checks that idx was not
// used before: two messages signed at one index break the key. Use a
// stateful key (package hsslms/hsskey) instead of calling it directly.
func (k *PrivateKey) SignIndex(ctx context.Context, idx uint64, msg []byte) ([]byte, error) {
	if idx >= k.Capacity() {
		return nil, fmt.Errorf("%w: %d, capacity %d", ErrIndex, idx, k.Capacity())
	}
	levels := len(k.lms)
	qs := make([]uint32, levels)
	rest := idx
	for i := levels - 1; i >= 0; i-- {
		qs[i] = uint32(rest & (1<<k.lms[i].H - 1))
		rest >>= k.lms[i].H
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, k.SignatureSize()), uint32(levels-1))
	tree := k.top
	var path uint64
	for i := 0; i < levels-1; i++ {
		path = path<<k.lms[i].H | uint64(qs[i])
		child, err := k.child(ctx, i+1, path, tree, qs[i])
		if err != nil {
			return nil, err
		}
		pub := child.PublicKey().Bytes()
		out = tree.Sign(out, qs[i], pub)
		out = append(out, pub...)
		tree = child
	}
	return tree.Sign(out, qs[levels-1], msg), nil
}

// child returns the tree of level under leaf q of parent, from the cache
// or computed.
func (k *PrivateKey) child(ctx context.Context, level int, path uint64, parent *Tree, q uint32) (*Tree, error) {
	key := childKey{level, path}
	k.mu.Lock()
	t := k.children[key]
	k.mu.Unlock()
	if t != nil {
		return t, nil
	}
	var id [16]byte
	var tmp [32]byte
	derive(parent.OTS.Hash, parent.I[:], q, deriveChildI, parent.Seed, tmp[:], 32)
	copy(id[:], tmp[:16])
	seed := make([]byte, k.ots[level].N)
	derive(parent.OTS.Hash, parent.I[:], q, deriveChildSeed, parent.Seed, seed, len(seed))
	t, err := NewTree(ctx, k.lms[level], k.ots[level], id, seed, k.workers, nil)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	for ck := range k.children { // keep one tree per level: the index only grows
		if ck.level == level {
			delete(k.children, ck)
		}
	}
	k.children[key] = t
	k.mu.Unlock()
	return t, nil
}

// CachedNodes returns the tree's cached upper nodes, to be stored beside a
// key so that opening it does not recompute the tree.
func (t *Tree) CachedNodes() []byte { return append([]byte(nil), t.top...) }

// TreeFromCache rebuilds a tree from its seed and nodes CachedNodes
// returned. It checks that the nodes are consistent with each other (each
// interior node hashes its children); a cache of another tree or a
// damaged one gives an error, never a tree that signs wrongly.
func TreeFromCache(lms LMSParams, ots OTSParams, id [16]byte, seed, nodes []byte) (*Tree, error) {
	t := &Tree{LMS: lms, OTS: ots, I: id, Seed: append([]byte(nil), seed...), Cut: max(0, lms.H-maxCachedHeight)}
	m, upper := lms.M, lms.H-t.Cut
	if len(seed) != ots.N || len(nodes) != ((1<<(upper+1))-1)*m {
		return nil, fmt.Errorf("%w: tree cache of %d bytes does not fit the key", ErrOptions, len(nodes))
	}
	t.top = append([]byte(nil), nodes...)
	var node [32]byte
	for r := 1; r < 1<<upper; r++ {
		interior(lms.Hash, id[:], uint32(r), t.top[(2*r-1)*m:], t.top[(2*r)*m:], node[:], m)
		if !bytes.Equal(node[:m], t.top[(r-1)*m:r*m]) {
			return nil, fmt.Errorf("%w: tree cache is inconsistent at node %d", ErrOptions, r)
		}
	}
	// One leaf subtree recomputed: the cache belongs to this seed.
	if root := t.subtree(0, nil, 0); !bytes.Equal(root, t.top[((1<<upper)-1)*m:(1<<upper)*m]) {
		return nil, fmt.Errorf("%w: tree cache is of another key", ErrOptions)
	}
	return t, nil
}

// NewPrivateKeyFromTree is NewPrivateKey with the top tree already built
// (from TreeFromCache).
func NewPrivateKeyFromTree(o *Options, top *Tree) (*PrivateKey, error) {
	ls, os, err := o.Levels()
	if err != nil {
		return nil, err
	}
	if ls[0] != top.LMS || os[0] != top.OTS {
		return nil, fmt.Errorf("%w: top tree is %v/%v", ErrOptions, top.LMS.Type, top.OTS.Type)
	}
	var workers int
	if o != nil {
		workers = o.Workers
	}
	return &PrivateKey{lms: ls, ots: os, top: top, children: map[childKey]*Tree{}, workers: workers}, nil
}

// Types returns the LMS and LM-OTS typecodes of each level, top first.
func (k *PrivateKey) Types() ([]LMSType, []OTSType) {
	var l []LMSType
	var o []OTSType
	for i := range k.lms {
		l, o = append(l, k.lms[i].Type), append(o, k.ots[i].Type)
	}
	return l, o
}
