// Package differ makes suitkit delta patches (and classic BSDIFF40
// patches) between two firmware images. It is the host side of package
// [github.com/suitkit/suitkit/delta], which reads and applies the patches:
// a device that only applies patches imports delta and links neither the
// suffix array, the matcher nor the zstd, LZMA2 and bzip2 compressors that
// live here.
//
// [Diff] writes a patch in delta's format (see the delta package
// documentation for the format and for how the differ works);
// [WriteBSDIFF40] writes one for bspatch. Both take a context, checked in
// their long loops, and per-call [Options]; the package keeps no state, so
// concurrent calls share nothing.
package differ

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/internal/diffcore"
)

// Options tunes [Diff] and [WriteBSDIFF40]. The zero value (or nil) gives
// the defaults: the smallest patch the package can make, with blocks sized
// so that applying needs at most about [DefaultBlockMemory] of buffers.
type Options struct {
	// BlockMemory bounds the working memory the applier needs for one
	// block (decoded streams + compressed buffer + decoder window). The
	// header records the exact figure. Zero means [DefaultBlockMemory];
	// values below [MinBlockMemory] are raised to it. Smaller blocks mean
	// less device RAM but slightly larger patches. (Diff only.)
	BlockMemory int

	// FastCompression skips the slow LZMA2 trial compressions and uses
	// zstd only: faster diff, somewhat larger patches. (Diff only.)
	FastCompression bool

	// Concurrency caps how many goroutines the call keeps busy at once:
	// the scan of new runs on min(Concurrency, 8) goroutines and at most
	// Concurrency compression trials (each holding tens of MB of match
	// tables) run at a time, on at most 2 blocks. Zero (or negative)
	// means the defaults: GOMAXPROCS goroutines for the scan (at most 8)
	// and 2 trials. The limit belongs to this call; concurrent calls each
	// have their own. The patch does not depend on it.
	Concurrency int

	// Transforms limits the instruction sets whose transforms Diff tries
	// in each block (format version 2); nil tries all of them.
	Transforms []ISA

	// NoTransforms tries none: the patch is then format version 1, which
	// appliers from before version 2 read too.
	NoTransforms bool
}

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

func (o *Options) core() *diffcore.Options {
	if o == nil {
		return nil
	}
	c := &diffcore.Options{BlockMemory: o.BlockMemory, FastCompression: o.FastCompression, Concurrency: o.Concurrency, NoTransforms: o.NoTransforms}
	for _, i := range o.Transforms {
		c.ISAs |= 1 << i
	}
	if o.Transforms != nil && c.ISAs == 0 {
		c.NoTransforms = true // an empty, non-nil list
	}
	return c
}

// Diff writes a patch that turns old into new (format: see package
// delta). The output is deterministic for given inputs and options (it
// does not depend on the number of CPUs or on Options.Concurrency). opts
// may be nil.
//
// Memory: old, new and a suffix array of old (4 bytes per old byte; for
// old images of 8 MiB and more a sparse one of 2 bytes per old byte, plus
// 1 byte per old byte while it is built), then, once the suffix array is
// released, the compression trials (a few tens of MB). For old images of
// 8 MiB and more Diff calls debug.FreeOSMemory once, between the two
// phases, so the peak is the larger phase, not their sum. It changes no GC
// setting; a process that diffs large images and wants a lower peak can
// lower its own GC percentage (the suitkit CLI sets 40 for large inputs).
//
// Cancellation: Diff checks ctx between its phases, every 64 KiB of the
// scan of new and before each block is built or encoded; once ctx is done
// it returns ctx's error (errors.Is matches context.Canceled or
// context.DeadlineExceeded) and may have written part of a patch to w,
// which the caller discards. Building the suffix array (about a second for
// 24 MB) is not interrupted.
//
// An image of 2 GiB or more is refused with an error matching
// delta.ErrLimit.
func Diff(ctx context.Context, old, new []byte, w io.Writer, opts *Options) error {
	if opts != nil {
		for _, i := range opts.Transforms {
			if i == 0 || int(i) > len(AllISAs()) {
				return fmt.Errorf("differ: Options.Transforms: %v is no instruction set", i)
			}
		}
	}
	return wrap(diffcore.Diff(ctx, old, new, w, opts.core()))
}

// WriteBSDIFF40 writes a classic BSDIFF40 patch (bzip2, as bsdiff 4.x) that
// turns old into new, for tools and devices that only speak bspatch. The
// matching is [Diff]'s, so the patch is usually smaller than bsdiff's own;
// it applies with Debian's bspatch and with delta.ApplyBSDIFF40. Like
// bsdiff, it holds both images in memory. ctx acts as for Diff; of opts
// only Concurrency applies.
func WriteBSDIFF40(ctx context.Context, w io.Writer, old, new []byte, opts *Options) error {
	return wrap(diffcore.WriteBSDIFF40(ctx, w, old, new, opts.core()))
}

// wrap gives an input-size refusal the delta package's typed error.
func wrap(err error) error {
	if errors.Is(err, diffcore.ErrInputTooLarge) {
		return &delta.PatchError{Offset: -1, What: fmt.Sprint(err), Err: delta.ErrLimit}
	}
	return err
}
