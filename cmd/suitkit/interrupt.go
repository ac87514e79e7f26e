package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/suitkit/suitkit/internal/atomicfile"
)

// Interruption (SIGINT, SIGTERM). main turns the first signal into the
// cancellation of the context every command runs under; commands stop
// their work and return, and every output file goes through outputs, so
// that nothing half-written and no temporary file is left behind. A command
// that has not returned interruptGrace after the signal (or when a second
// signal comes) is not waited for: main aborts the outputs itself and exits.
//
// Why not signal.NotifyContext: its cancellation cause does not say which
// signal came in a form a program can test, and the exit status depends on
// it (128 + the signal number, as shells report a process killed by it).

// interruptGrace is how long main waits, after a signal, for the command to
// stop by itself before it aborts the outputs and exits anyway.
const interruptGrace = 3 * time.Second

// outputs holds every output file in progress (see writeOutput).
var outputs = new(atomicfile.Group)

// interrupted is the cancellation cause of a command's context when the
// process received a signal.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string {
	return "interrupted by " + signalName(e.sig)
}

// Is makes an interruption match context.Canceled, like any cancellation.
func (e *interrupted) Is(target error) bool { return target == context.Canceled }

// exitCode is 128 + the signal number: 130 for SIGINT, 143 for SIGTERM.
func (e *interrupted) exitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// runInterruptible is run for the real process: the command line runs
// under a context that SIGINT or SIGTERM cancels.
func runInterruptible(args []string, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 2)
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		// A signal ignored at start (SIGINT for a background job of a
		// shell script, nohup) stays ignored: Notify would undo that.
		if !signal.Ignored(s) {
			signal.Notify(sigs, s)
		}
	}
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan int, 1)
	go func() { done <- runContext(ctx, args, stdout, stderr) }()
	var intr *interrupted
	var grace <-chan time.Time
	for {
		select {
		case code := <-done:
			return code
		case s := <-sigs:
			if intr != nil {
				return abandon(intr, args, stderr) // a second signal: stop waiting
			}
			intr = &interrupted{sig: s}
			cancel(intr)
			grace = time.After(interruptGrace)
		case <-grace:
			return abandon(intr, args, stderr)
		}
	}
}

// abandon gives up on a command that did not stop after a signal: it aborts
// every output in progress (and prevents new ones), so the process can exit
// without leaving a temporary file or a half-written target.
func abandon(intr *interrupted, args []string, stderr io.Writer) int {
	outputs.AbortAll(intr)
	fmt.Fprintf(stderr, "suitkit %s: %s\n", args[0], intr)
	return intr.exitCode()
}

// writeOutput replaces path, mode perm, with what fill writes (path "-":
// writes it to standard output), atomically:
// the target holds either its previous content (or stays absent) or all of
// the new content. Unless overwrite is set an existing file is never
// replaced. When ctx is cancelled writeOutput returns its cause promptly,
// even while fill is still computing (the differ stops only at its next
// check of ctx), and
// the temporary file is removed; fill's later writes then fail.
func writeOutput(ctx context.Context, path string, perm fs.FileMode, overwrite bool, fill func(w io.Writer) error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if path == "-" {
		// Standard output cannot be replaced atomically: a failed or
		// interrupted command may have written part of its output.
		bw := bufio.NewWriterSize(ctxWriter{ctx: ctx, w: dataStdout}, 64<<10)
		if err := fill(bw); err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return err
		}
		return bw.Flush()
	}
	f, err := outputs.Create(path, perm, &atomicfile.Options{NoReplace: !overwrite})
	if err != nil {
		// The error names the temporary file; the user named path.
		return fileError(path, err)
	}
	defer f.Close() // removes the temporary file unless committed
	filled := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(ctxWriter{ctx: ctx, w: f}, 64<<10)
		err := fill(bw)
		if err == nil {
			err = bw.Flush()
		}
		filled <- err
	}()
	select {
	case err := <-filled:
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return err
		}
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err := f.Commit(); errors.Is(err, fs.ErrExist) && !overwrite {
		return fmt.Errorf("%s exists; use --force to overwrite it", path)
	} else if err != nil {
		return fileError(path, err)
	}
	return nil
}

// writeFile is writeOutput for content already in memory.
func writeFile(ctx context.Context, path string, data []byte, perm fs.FileMode, overwrite bool) error {
	return writeOutput(ctx, path, perm, overwrite, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// ctxWriter fails every write once ctx is done, so that a writer-driven
// job (patch application) stops at its next write.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.w.Write(p)
}
