package delta

// DiffOptions tunes [Diff]. The zero value (or nil) gives the defaults:
// the smallest patch the package can make, with blocks sized so that
// applying needs at most about [DefaultBlockMemory] of buffers.
type DiffOptions struct {
	// BlockMemory bounds the working memory the applier needs for one
	// block (decoded streams + compressed buffer + decoder window). The
	// header records the exact figure. Zero means [DefaultBlockMemory];
	// values below [MinBlockMemory] are raised to it. Smaller blocks mean
	// less device RAM but slightly larger patches.
	BlockMemory int

	// FastCompression skips the slow LZMA trial compression and uses zstd
	// only: faster diff, somewhat larger patches.
	FastCompression bool

	// forceCoding makes every block use one diff coding (tests only):
	// 0 automatic, or one of the coding* constants.
	forceCoding int
}

const (
	codingBytes = 1 + iota
	codingLanes
	codingOrdered
	codingArithLanes
	codingArithOrdered
	codingArith16Lanes
	codingArith16Ordered
	codingArithA64Lanes
	codingArithA64Ordered
	codingUnitLanes
	codingUnitOrdered
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

func (o *DiffOptions) blockMemory() int {
	if o == nil || o.BlockMemory == 0 {
		return DefaultBlockMemory
	}
	return max(o.BlockMemory, MinBlockMemory)
}
