// Command suitkit builds, signs, inspects and verifies SUIT manifests,
// makes and applies firmware delta patches, and processes updates against a
// directory-backed device.
//
// Exit status: 0 on success, 1 when the input is rejected (malformed,
// unauthentic, rolled back, over a limit), 2 for usage or I/O errors, 130
// when interrupted by SIGINT and 143 by SIGTERM (no output file is then
// left half-written, nor any temporary file).
// A rejection prints one line "suitkit: <reason>" on standard error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand. Each lives in its own file and registers itself
// in init with register.
type command struct {
	name    string
	summary string
	// run executes the command. Errors wrapped with rejected exit 1, errors
	// wrapped with usage or any other error exit 2. ctx is cancelled when
	// the process receives SIGINT or SIGTERM: the command then stops its
	// work, writes no output and returns promptly.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("suitkit: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// rejected wraps err so that the CLI exits with status 1.
func rejected(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: 1, err: err}
}

// usagef returns an error that makes the CLI exit with status 2.
func usagef(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode maps an error returned by a command to the process exit status.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 2
}

func main() {
	os.Exit(runInterruptible(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process and its signals: tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext runs one command line under ctx.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "suitkit: unknown command %q\n", args[0])
		printUsage(stderr)
		return 2
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	var intr *interrupted
	if err != nil && errors.As(context.Cause(ctx), &intr) {
		// Whatever the command was doing when the signal came, it
		// stopped because of it: say so, not what failed on the way.
		fmt.Fprintf(stderr, "suitkit: %s: %s\n", args[0], intr)
		return intr.exitCode()
	}
	if err != nil {
		fmt.Fprintf(stderr, "suitkit: %s\n", oneLine(err.Error()))
	}
	return exitCode(err)
}

func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: suitkit <command> [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexit status: 0 success, 1 input rejected, 2 usage or I/O error, 130/143 interrupted by SIGINT/SIGTERM")
}
