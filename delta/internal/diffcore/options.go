package diffcore

import "runtime"

// Options tunes [Diff]. The zero value (or nil) gives the defaults:
// the smallest patch the package can make, with blocks sized so that
// applying needs at most about [DefaultBlockMemory] of buffers.
type Options struct {
	// BlockMemory bounds the working memory the applier needs for one
	// block (decoded streams + compressed buffer + decoder window). The
	// header records the exact figure. Zero means [DefaultBlockMemory];
	// values below [MinBlockMemory] are raised to it. Smaller blocks mean
	// less device RAM but slightly larger patches.
	BlockMemory int

	// FastCompression skips the slow LZMA trial compression and uses zstd
	// only: faster diff, somewhat larger patches.
	FastCompression bool

	// Concurrency caps how many goroutines Diff keeps busy at once: the
	// scan of new runs on min(Concurrency, 8) goroutines and at most
	// Concurrency compression trials (each holding tens of MB of match
	// tables) run at a time, on at most 2 blocks. Zero (or negative)
	// means the defaults: GOMAXPROCS goroutines for the scan (at most 8)
	// and 2 trials. The limit belongs to this Diff call; concurrent calls
	// each have their own. The patch does not depend on it.
	Concurrency int

	// ForceCoding makes every block use one diff coding (tests only):
	// 0 automatic, or one of the coding* constants.
	ForceCoding int

	// SparseFrom, when positive, replaces sparseIndexMin (tests only:
	// 1 makes the index sparse for any old image).
	SparseFrom int

	// UnsignedArith makes 32-bit word arithmetic code unsigned words
	// (no layout bit7; tests only).
	UnsignedArith bool

	// NoTransforms disables the instruction unit codings, so the patch
	// is format version 1 (what the differ wrote before version 2).
	NoTransforms bool

	// ISAs, when not zero, limits the instruction unit codings to the
	// instruction sets whose bit (1 << format.ISA*) is set.
	ISAs uint32
}

// instrEnabled reports whether the coding of instruction set isa may be
// tried.
func (o *Options) instrEnabled(isa uint8) bool {
	if o == nil {
		return true
	}
	return !o.NoTransforms && (o.ISAs == 0 || o.ISAs&(1<<isa) != 0)
}

// defaultTrials is how many compression trials a Diff runs at once by
// default.
const defaultTrials = 2

// trialSlots is how many compression trials run at once.
func (o *Options) trialSlots() int {
	if o == nil || o.Concurrency <= 0 {
		return defaultTrials
	}
	return o.Concurrency
}

// sparseIndexFrom is the old-image size from which the index is sparse.
func (o *Options) sparseIndexFrom() int {
	if o == nil || o.SparseFrom <= 0 {
		return sparseIndexMin
	}
	return o.SparseFrom
}

// scanWorkers is how many goroutines scan new (findSeeds).
func (o *Options) scanWorkers() int {
	n := runtime.GOMAXPROCS(0)
	if o != nil && o.Concurrency > 0 {
		n = o.Concurrency
	}
	return min(n, scanChunks)
}

// encodeWorkers is how many blocks writePatch encodes at once (their
// compression trials share the call's trial slots).
func (o *Options) encodeWorkers() int {
	return min(runtime.GOMAXPROCS(0), o.trialSlots(), 2)
}

// Diff codings a block can be forced to (Options.ForceCoding).
const (
	CodingBytes = 1 + iota
	CodingLanes
	CodingOrdered
	CodingArithLanes
	CodingArithOrdered
	CodingArith16Lanes
	CodingArith16Ordered
	CodingArithA64Lanes
	CodingArithA64Ordered
	CodingUnitLanes
	CodingUnitOrdered
	// CodingInstr + k: the k-th instruction unit coding (diffCodings).
	CodingInstr
)

const (
	// DefaultBlockMemory is the default per-block apply memory budget.
	// Small blocks also make smaller patches: each block picks its own
	// diff coding and codecs, which adapts to the regions of an image
	// (libjvm: 691.6 KB with 2 MiB blocks, 693.9 KB with 3 MiB, 708.9 KB
	// with 4 MiB; the smaller pairs fit one block either way).
	DefaultBlockMemory = 2 << 20
	// MinBlockMemory is the smallest per-block budget Diff uses (the
	// fixed I/O allowance plus room for about 160 KiB of stream data).
	MinBlockMemory = 1 << 20
)

func (o *Options) blockMemory() int {
	if o == nil || o.BlockMemory == 0 {
		return DefaultBlockMemory
	}
	return max(o.BlockMemory, MinBlockMemory)
}
