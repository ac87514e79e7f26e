package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/differ"
)

func init() {
	register(&command{name: "diff", summary: "make a delta patch that turns OLD into NEW", run: runDiff})
}

// bigDiffInput is the old-image size from which diff lowers the process's
// GC percentage to diffGCPercent (peak RSS).
const (
	// maxDiffInput caps each image diff reads (the differ's own limit
	// is lower; delta.ErrLimit then explains it).
	maxDiffInput  = 4 << 30
	bigDiffInput  = 8 << 20
	diffGCPercent = 40
)

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("diff", stdout, "suitkit diff [--format suitkit|bsdiff40] [--fast] [--block-memory SIZE] [--transforms all|none|LIST] OLD NEW PATCH",
		"Writes PATCH (atomically) so that `suitkit patch OLD PATCH NEW` rebuilds NEW.")
	format := fs.String("format", "suitkit", "patch format: suitkit (streamable, with digests) or bsdiff40 (classic bsdiff 4.x, for bspatch)")
	fast := fs.Bool("fast", false, "suitkit format: skip the slow LZMA trials (faster, somewhat larger patch)")
	blockMem := sizeFlag(fs, "block-memory", "suitkit format: apply-memory budget per block, e.g. 4MiB (`SIZE`; default 2MiB, at least 1MiB); `suitkit patch` needs --max-memory above 16MiB")
	transforms := fs.String("transforms", "all", "suitkit format: instruction sets whose branch/address transforms to try per block: all, none (format version 1), or a comma list of thumb2, arm32, aarch64, x86-64, xtensa")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 3 {
		return usagef("want OLD NEW PATCH, got %d arguments", len(pos))
	}
	if *blockMem > 1<<30 {
		return usagef("diff: --block-memory: at most %s", formatSize(1<<30))
	}
	var write func(w io.Writer, old, new []byte) error
	switch strings.ToLower(*format) {
	case "suitkit":
		opts := &differ.Options{BlockMemory: int(*blockMem), FastCompression: *fast}
		switch *transforms {
		case "all":
		case "none":
			opts.NoTransforms = true
		default:
			for _, name := range strings.Split(*transforms, ",") {
				i, err := differ.ParseISA(strings.TrimSpace(name))
				if err != nil {
					return usagef("diff: --transforms: %v", err)
				}
				opts.Transforms = append(opts.Transforms, i)
			}
		}
		write = func(w io.Writer, old, new []byte) error { return differ.Diff(ctx, old, new, w, opts) }
	case "bsdiff40":
		if *fast || *blockMem != 0 || *transforms != "all" {
			return usagef("diff: --fast, --block-memory and --transforms apply to the suitkit format only")
		}
		write = func(w io.Writer, old, new []byte) error { return differ.WriteBSDIFF40(ctx, w, old, new, nil) }
	default:
		return usagef("diff: unknown --format %q (want suitkit or bsdiff40)", *format)
	}
	oldB, err := readFileMax(pos[0], maxDiffInput)
	if err != nil {
		return err
	}
	newB, err := readFileMax(pos[1], maxDiffInput)
	if err != nil {
		return err
	}
	if len(oldB) >= bigDiffInput {
		// The compression phase allocates trial outputs and encoder
		// tables while both images stay live; with the default GOGC the
		// heap may grow to twice that live set, which made it the peak
		// (about 150 MB on the 24 MB libjvm pair). This process does
		// nothing else meanwhile, so a tighter GC target is cheap here;
		// the library leaves GC settings to its caller.
		debug.SetGCPercent(diffGCPercent)
	}
	// The differ reports no progress of its own: show elapsed time and the
	// patch bytes written so far.
	bar := startProgress(stderr, fmt.Sprintf("diffing %s:", mib(int64(len(newB)))), 0, int64(max(len(oldB), len(newB))))
	// On a signal writeOutput returns at once and drops the temporary
	// file; the differ sees the cancelled ctx and stops soon after.
	err = writeOutput(ctx, pos[2], 0o644, true, func(w io.Writer) error {
		return write(progressWriter{w: w, p: bar}, oldB, newB)
	})
	bar.finish()
	if err != nil {
		if errors.Is(err, delta.ErrLimit) {
			return rejected(err) // inputs too large for the differ
		}
		return err
	}
	return nil
}
