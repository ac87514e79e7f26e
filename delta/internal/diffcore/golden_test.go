package diffcore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// goldenPatchDigest is the SHA-256 over the patches goldenPatches makes,
// recorded from main 9d84ca8 before blockBuilder.encode became
// table-driven and the trial semaphore moved into the Diff call: the
// patch format promises byte-identical patches for the same inputs, so
// any refactoring of the differ must keep this digest.
const goldenPatchDigest = "5bb2238a4df94f31c365bb3b0c21bfdfe66f81373f04daab88fff34b8c530730"

// goldenPatches diffs synthetic pairs with the automatic coding choice
// (fast and full trials, small and default block memory) and with every
// forced diff coding, checks each patch applies, and hashes them in order.
func goldenPatches(t *testing.T) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(2026, 12))
	type pair struct{ old, new []byte }
	var pairs []pair
	a, b := aarch64LikePair(21, 96<<10)
	pairs = append(pairs, pair{a, b})
	base := coreRandom(rng, 40<<10)
	pairs = append(pairs, pair{base, coreMutate(rng, base, 60)})
	pairs = append(pairs, pair{coreRandom(rng, 3000), coreRandom(rng, 2000)})
	pairs = append(pairs, pair{nil, []byte("only new bytes")})
	pairs = append(pairs, pair{bytes.Repeat([]byte{0}, 5000), bytes.Repeat([]byte{0, 1}, 3000)})
	all := sha256.New()
	for i, p := range pairs {
		opts := []*Options{nil, {FastCompression: true}, {BlockMemory: MinBlockMemory}, {BlockMemory: MinBlockMemory, FastCompression: true}}
		if i < 2 {
			// Forced codings only where every block has diff bytes.
			for c := CodingBytes; c <= CodingUnitOrdered; c++ {
				opts = append(opts, &Options{FastCompression: true, ForceCoding: c})
			}
		}
		for j, o := range opts {
			patch, got := diffApply(t, p.old, p.new, o)
			if !bytes.Equal(got, p.new) {
				t.Fatalf("pair %d options %d: output differs", i, j)
			}
			all.Write(patch)
		}
	}
	return hex.EncodeToString(all.Sum(nil))
}

// TestDiffGoldenPatches checks that the differ still writes exactly the
// patches it wrote at main 9d84ca8 (see goldenPatchDigest).
func TestDiffGoldenPatches(t *testing.T) {
	if got := goldenPatches(t); got != goldenPatchDigest {
		t.Fatalf("patches changed: digest %s, want %s", got, goldenPatchDigest)
	}
}
