package hsslms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func newKey(t testing.TB, lms []LMSType, ots []OTSType) *PrivateKey {
	t.Helper()
	var id [16]byte
	copy(id[:], fmt.Sprint(lms, ots))
	o := &Options{LMS: lms, OTS: ots}
	_, op, err := o.Levels()
	if err != nil {
		t.Fatal(err)
	}
	seed := bytes.Repeat([]byte{byte(len(lms)), byte(ots[0])}, op[0].N/2)
	k, err := NewPrivateKey(context.Background(), o, id, seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEveryParameterSetSignsAndVerifies: one level of height 5 with every
// LM-OTS type (all four families of RFC 8554 and SP 800-208, w = 1, 2, 4,
// 8): the first and last leaf sign, the signatures verify, have the size
// the tables say, and another message does not verify.
func TestEveryParameterSetSignsAndVerifies(t *testing.T) {
	lmsFor := map[Hash]map[int]LMSType{
		SHA256:   {32: LMS_SHA256_M32_H5, 24: LMS_SHA256_M24_H5},
		SHAKE256: {32: LMS_SHAKE_M32_H5, 24: LMS_SHAKE_M24_H5},
	}
	for ot := LMOTS_SHA256_N32_W1; ot <= LMOTS_SHAKE_N24_W8; ot++ {
		op, _ := ot.Params()
		lt := lmsFor[op.Hash][op.N]
		t.Run(ot.String(), func(t *testing.T) {
			if testing.Short() && op.W == 1 && op.Hash == SHAKE256 {
				t.Skip("slow")
			}
			k := newKey(t, []LMSType{lt}, []OTSType{ot})
			pub := k.Public()
			back, err := ParsePublicKey(pub.Bytes())
			if err != nil || !back.Equal(pub) {
				t.Fatalf("public key round trip: %v", err)
			}
			for _, idx := range []uint64{0, k.Capacity() - 1} {
				sig, err := k.SignIndex(context.Background(), idx, []byte("firmware"))
				if err != nil {
					t.Fatal(err)
				}
				lp, _ := lt.Params()
				if len(sig) != 4+lp.SignatureSize(op) || len(sig) != k.SignatureSize() {
					t.Fatalf("signature size %d", len(sig))
				}
				if err := pub.Verify([]byte("firmware"), sig); err != nil {
					t.Fatalf("index %d: %v", idx, err)
				}
				if err := pub.Verify([]byte("firmwarE"), sig); !errors.Is(err, ErrInvalid) {
					t.Fatalf("other message: %v", err)
				}
			}
			if _, err := k.SignIndex(context.Background(), k.Capacity(), nil); !errors.Is(err, ErrIndex) {
				t.Fatalf("index past the end: %v", err)
			}
		})
	}
}

// TestParameterSetConfusion: a signature of one parameter set checked with
// a key of another, or with another number of levels, is refused as a
// mismatch, never checked as if it fit.
func TestParameterSetConfusion(t *testing.T) {
	a := newKey(t, []LMSType{LMS_SHA256_M32_H5}, []OTSType{LMOTS_SHA256_N32_W8})
	b := newKey(t, []LMSType{LMS_SHA256_M32_H5}, []OTSType{LMOTS_SHA256_N32_W4})
	c := newKey(t, []LMSType{LMS_SHA256_M24_H5}, []OTSType{LMOTS_SHA256_N24_W8})
	two := newKey(t, []LMSType{LMS_SHA256_M32_H5, LMS_SHA256_M32_H5}, []OTSType{LMOTS_SHA256_N32_W8, LMOTS_SHA256_N32_W8})
	msg := []byte("m")
	sigA, _ := a.SignIndex(context.Background(), 1, msg)
	sig2, _ := two.SignIndex(context.Background(), 40, msg)
	if err := two.Public().Verify(msg, sig2); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"W8 signature, W4 key":        b.Public().Verify(msg, sigA),
		"N32 signature, N24 key":      c.Public().Verify(msg, sigA),
		"1-level signature, 2 levels": two.Public().Verify(msg, sigA),
		"2-level signature, 1 level":  a.Public().Verify(msg, sig2),
	} {
		if !errors.Is(err, ErrParameterSet) {
			t.Errorf("%s: %v, want ErrParameterSet", name, err)
		}
	}
	// Same parameter sets, another key: a valid signature, just not ours.
	a2 := newKey(t, []LMSType{LMS_SHA256_M32_H5}, []OTSType{LMOTS_SHA256_N32_W8})
	pub2 := a2.Public()
	pub2.Top.I[0] ^= 1
	if err := pub2.Verify(msg, sigA); !errors.Is(err, ErrInvalid) {
		t.Errorf("another key of the same set: %v", err)
	}
}

// TestMalformedSignaturesAndKeys: truncation at every length, extension,
// unknown typecodes, out-of-range counts and leaves give ErrMalformed.
func TestMalformedSignaturesAndKeys(t *testing.T) {
	k := newKey(t, []LMSType{LMS_SHA256_M32_H5, LMS_SHA256_M32_H5}, []OTSType{LMOTS_SHA256_N32_W8, LMOTS_SHA256_N32_W8})
	pub := k.Public()
	sig, _ := k.SignIndex(context.Background(), 7, []byte("m"))
	for n := 0; n < len(sig); n++ {
		if err := pub.Verify([]byte("m"), sig[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("signature truncated to %d bytes: %v", n, err)
		}
	}
	if err := pub.Verify([]byte("m"), append(bytes.Clone(sig), 0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("one byte more: %v", err)
	}
	mut := func(off int, v byte) []byte { s := bytes.Clone(sig); s[off] = v; return s }
	for name, s := range map[string][]byte{
		"Nspk 8":             mut(3, 8),
		"Nspk 2^32-1":        append([]byte{0xff, 0xff, 0xff, 0xff}, sig[4:]...),
		"LM-OTS typecode 0":  mut(11, 0),
		"LM-OTS typecode 17": mut(11, 17),
		"leaf 32 in H5":      mut(7, 32),
	} {
		if _, err := ParseSignature(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	pb := pub.Bytes()
	for n := 0; n < len(pb); n++ {
		if _, err := ParsePublicKey(pb[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("public key truncated to %d: %v", n, err)
		}
	}
	for name, b := range map[string][]byte{
		"0 levels":    append([]byte{0, 0, 0, 0}, pb[4:]...),
		"9 levels":    append([]byte{0, 0, 0, 9}, pb[4:]...),
		"LMS type 4":  append(append([]byte{}, pb[:4]...), append([]byte{0, 0, 0, 4}, pb[8:]...)...),
		"LMS type 25": append(append([]byte{}, pb[:4]...), append([]byte{0, 0, 0, 25}, pb[8:]...)...),
		"trailing":    append(bytes.Clone(pb), 0),
	} {
		if _, err := ParsePublicKey(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParameterTables checks the derived p and ls against RFC 8554 Table
// 1 and SP 800-208 Table 2 / Table 3.
func TestParameterTables(t *testing.T) {
	want := map[OTSType][2]int{
		LMOTS_SHA256_N32_W1: {265, 7}, LMOTS_SHA256_N32_W2: {133, 6}, LMOTS_SHA256_N32_W4: {67, 4}, LMOTS_SHA256_N32_W8: {34, 0},
		LMOTS_SHA256_N24_W1: {200, 8}, LMOTS_SHA256_N24_W2: {101, 6}, LMOTS_SHA256_N24_W4: {51, 4}, LMOTS_SHA256_N24_W8: {26, 0},
		LMOTS_SHAKE_N32_W1: {265, 7}, LMOTS_SHAKE_N32_W8: {34, 0}, LMOTS_SHAKE_N24_W2: {101, 6}, LMOTS_SHAKE_N24_W8: {26, 0},
	}
	for ot, pl := range want {
		p, ok := ot.Params()
		if !ok || p.P != pl[0] || p.LS != pl[1] {
			t.Errorf("%v: p=%d ls=%d, want %v", ot, p.P, p.LS, pl)
		}
	}
	if p, _ := LMS_SHAKE_M24_H25.Params(); p.H != 25 || p.M != 24 || p.Hash != SHAKE256 {
		t.Errorf("LMS_SHAKE_M24_H25 = %+v", p)
	}
	if p, _ := LMS_SHA256_M24_H10.Params(); p.H != 10 || p.M != 24 || p.Hash != SHA256 {
		t.Errorf("LMS_SHA256_M24_H10 = %+v", p)
	}
	if _, ok := LMSType(25).Params(); ok {
		t.Error("LMS typecode 25 known")
	}
}

// TestPartialCacheSignsTheSame: a tree that caches only its upper levels
// (as trees above height 15 do) recomputes the lower authentication path
// and gives byte-identical signatures to a fully cached tree, and its
// cache reloads through TreeFromCache; a cache of another tree is refused.
func TestPartialCacheSignsTheSame(t *testing.T) {
	lp, _ := LMS_SHA256_M32_H5.Params()
	op, _ := LMOTS_SHA256_N32_W4.Params()
	seed := bytes.Repeat([]byte{3}, 32)
	full, err := NewTree(context.Background(), lp, op, [16]byte{9}, seed, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v int) { maxCachedHeight = v }(maxCachedHeight)
	maxCachedHeight = 2 // Cut = 3: subtrees of 8 leaves recomputed
	var calls []uint64
	part, err := NewTree(context.Background(), lp, op, [16]byte{9}, seed, 2, func(done, total uint64) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if part.Cut != 3 || len(calls) != 4 || slices.Max(calls) != 32 {
		t.Fatalf("cut %d, progress %v", part.Cut, calls)
	}
	reloaded, err := TreeFromCache(lp, op, [16]byte{9}, seed, part.CachedNodes())
	if err != nil {
		t.Fatal(err)
	}
	for q := uint32(0); q < 32; q++ {
		a, b, c := full.Sign(nil, q, []byte("m")), part.Sign(nil, q, []byte("m")), reloaded.Sign(nil, q, []byte("m"))
		if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
			t.Fatalf("leaf %d: signatures differ", q)
		}
	}
	if _, err := TreeFromCache(lp, op, [16]byte{8}, seed, part.CachedNodes()); err == nil {
		t.Fatal("cache of another tree accepted")
	}
	bad := part.CachedNodes()
	bad[40] ^= 1
	if _, err := TreeFromCache(lp, op, [16]byte{9}, seed, bad); err == nil {
		t.Fatal("damaged cache accepted")
	}
}
