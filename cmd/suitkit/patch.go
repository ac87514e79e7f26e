package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/suitkit/suitkit/delta"
)

func init() {
	register(&command{name: "patch", summary: "apply a delta patch (suitkit or BSDIFF40) to an old image", run: runPatch})
}

func runPatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("patch", stdout, "suitkit patch [--max-memory SIZE] [--max-new-size SIZE] OLD PATCH NEW",
		"Applies PATCH to OLD and writes NEW atomically (NEW is left untouched when the patch is rejected). The patch format, suitkit or classic BSDIFF40, is detected from its magic. suitkit patches check OLD's and NEW's SHA-256; BSDIFF40 patches carry no digests, so a wrong OLD is only caught when the patch reads outside it.")
	maxMem := sizeFlag(fs, "max-memory", "cap on the applier's working memory, e.g. 32MiB (`SIZE`; default 16MiB)")
	maxNew := sizeFlag(fs, "max-new-size", "cap on the new image's size, e.g. 4GiB (`SIZE`; default 1GiB)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 3 {
		return usagef("want OLD PATCH NEW, got %d arguments", len(pos))
	}
	lim := &delta.Limits{MaxMemory: *maxMem, MaxNewSize: *maxNew}
	oldPath, patchPath, newPath := pos[0], pos[1], pos[2]

	oldF, oldSize, err := openSized(oldPath)
	if err != nil {
		return err
	}
	defer oldF.Close()
	patchF, patchSize, err := openSized(patchPath)
	if err != nil {
		return err
	}
	defer patchF.Close()

	head := make([]byte, 256) // enough for either format's header
	n, err := patchF.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading %s: %w", patchPath, err)
	}
	head = head[:n]
	var apply func(out io.Writer) error
	var newSize int64
	workMem := int64(bsdiff40WorkMemory)
	switch {
	case delta.IsBSDIFF40(head):
		if len(head) >= 32 {
			newSize = int64(binary.LittleEndian.Uint64(head[24:]) &^ (1 << 63))
		}
		apply = func(out io.Writer) error {
			return delta.ApplyBSDIFF40At(oldF, oldSize, patchF, patchSize, out, lim)
		}
	case bytes.HasPrefix(head, []byte(delta.Magic)):
		if h, err := delta.ReadHeader(bytes.NewReader(head)); err == nil {
			newSize, workMem = h.NewSize, h.ApplyMemory
		}
		apply = func(out io.Writer) error {
			return delta.Apply(oldF, oldSize, bufio.NewReaderSize(io.NewSectionReader(patchF, 0, patchSize), 64<<10), out, lim)
		}
	default:
		return rejected(fmt.Errorf("%s is neither a suitkit delta patch (magic %q) nor a BSDIFF40 patch", patchPath, delta.Magic))
	}

	// The applier's working memory is bounded (by the patch header, capped
	// by --max-memory): keep the Go heap close to that bound instead of the
	// collector's default 100% headroom, so peak RSS stays near what a
	// device would need. GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		capMem := int64(delta.DefaultMaxMemory)
		if *maxMem > 0 {
			capMem = *maxMem
		}
		workMem = min(max(workMem, 0), capMem)
		prev := debug.SetMemoryLimit(workMem + patchHeapSlack)
		defer debug.SetMemoryLimit(prev)
	}

	bar := startProgress(stderr, "patching", newSize, max(oldSize, newSize))
	// The applier stops at its next write once ctx is cancelled.
	err = writeOutput(ctx, newPath, 0o644, true, func(w io.Writer) error {
		return apply(progressWriter{w: w, p: bar})
	})
	bar.finish()
	if err != nil {
		if isPatchRejection(err) {
			return rejected(fmt.Errorf("%s rejected: %w", patchPath, err))
		}
		return err
	}
	return nil
}

// bsdiff40WorkMemory is what the BSDIFF40 applier allocates: three bzip2
// decoders of up to 3.6 MB each plus small buffers.
const bsdiff40WorkMemory = 11 << 20

// patchHeapSlack is the heap allowed above the applier's declared working
// memory (I/O buffers, the CLI itself, garbage between collections).
const patchHeapSlack = 8 << 20

// isPatchRejection reports whether err is the delta package rejecting its
// input (exit 1) rather than an I/O failure (exit 2).
func isPatchRejection(err error) bool {
	for _, s := range []error{delta.ErrMalformed, delta.ErrUnsupported, delta.ErrLimit, delta.ErrOldImageMismatch, delta.ErrDigestMismatch} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// maxPatchStdin caps an OLD image or a PATCH read from standard input
// ("-"), which the applier needs whole (it reads both at offsets).
const maxPatchStdin = 1 << 30

// sizedReader is an input of patch: a regular file, or standard input
// read into memory.
type sizedReader interface {
	io.ReaderAt
	io.Closer
}

type memInput struct{ *bytes.Reader }

func (memInput) Close() error { return nil }

// openSized opens a regular file (or "-", standard input) for reading and
// returns its size.
func openSized(path string) (sizedReader, int64, error) {
	if path == "-" {
		b, err := readStdin(maxPatchStdin)
		if err != nil {
			return nil, 0, err
		}
		return memInput{bytes.NewReader(b)}, int64(len(b)), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fileError(path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fileError(path, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, ioErrorf("%s is not a regular file", path)
	}
	return f, st.Size(), nil
}
