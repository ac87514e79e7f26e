// Command suitkit builds, signs, inspects and verifies SUIT manifests,
// makes and applies firmware delta patches, and processes updates against a
// directory-backed device.
//
// Exit status: 0 on success, 1 when the input is rejected (malformed,
// unauthentic, rolled back, over a limit), 2 for usage, I/O or
// configuration errors (a key or state file that cannot be used), 130
// when interrupted by SIGINT and 143 by SIGTERM (no output file is then
// left half-written, nor any temporary file).
// A failure prints one line "suitkit COMMAND: <reason>" on standard error.
// -h, --help and "suitkit help COMMAND" print a command's usage on standard
// output and exit 0.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
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

// rejected wraps err so that the CLI exits with status 1: the input the
// command judges (an envelope, a patch, a spec) is refused.
func rejected(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitRejected, err: err}
}

// usagef returns a usage error: exit status 2, and the message is followed
// by a pointer to the command's --help. It is for mistakes in the command
// line itself (flags, argument count, flag values, key files given to the
// wrong flag).
func usagef(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...), usage: true}
}

// ioErrorf returns an error that exits with status 2 without the pointer
// to --help: a file that cannot be read or written, a key or state file
// that cannot be used. Any error not made by rejected or usagef exits 2
// too; ioErrorf only makes the intent explicit.
func ioErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// The exit statuses (README "Exit status").
const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2 // usage, I/O or configuration error
)

type exitError struct {
	code  int
	err   error
	usage bool // point to --help
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode maps an error returned by a command to the process exit status.
func exitCode(err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
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
	dataStdout, stdinTaken = stdout, false
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printUsage(stdout)
		return exitOK
	case "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help":
		if len(args) == 1 {
			printUsage(stdout)
			return exitOK
		}
		if len(args) > 2 {
			fmt.Fprintln(stderr, "suitkit help: want one command name (see 'suitkit --help')")
			return exitUsage
		}
		if _, ok := commands[args[1]]; !ok {
			fmt.Fprintf(stderr, "suitkit help: unknown command %q (see 'suitkit --help')\n", args[1])
			return exitUsage
		}
		// Every command parses its flags before doing anything else.
		args = []string{args[1], "--help"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "suitkit: unknown command %q (see 'suitkit --help')\n", args[0])
		return exitUsage
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	var intr *interrupted
	if err != nil && errors.As(context.Cause(ctx), &intr) {
		// Whatever the command was doing when the signal came, it
		// stopped because of it: say so, not what failed on the way.
		fmt.Fprintf(stderr, "suitkit %s: %s\n", c.name, intr)
		return intr.exitCode()
	}
	if err != nil && !errors.Is(err, errHelp) {
		fmt.Fprintln(stderr, errorLine(c.name, err))
	}
	return exitCode(err)
}

// errorLine is the one line printed for a failed command: "suitkit NAME:
// message", without the command's name repeated at the start of the
// message, and for a usage error a pointer to the command's --help.
func errorLine(name string, err error) string {
	msg := oneLine(err.Error())
	for _, p := range []string{"suitkit " + name + ": ", name + ": "} {
		msg = strings.TrimPrefix(msg, p)
	}
	msg = dropPackagePrefixes(msg)
	var ee *exitError
	if errors.As(err, &ee) && ee.usage {
		msg += fmt.Sprintf(" (see 'suitkit %s --help')", name)
	}
	return "suitkit " + name + ": " + msg
}

// libraryPackages are the suitkit packages whose errors start with their
// name ("suit: malformed: ..."), as Go errors do; a user of the CLI reads
// the reason, not where in the code it came from.
var libraryPackages = []string{"suit", "keys", "sign", "verify", "process", "delta", "build", "fetch", "host", "text", "diag", "cose", "report", "encryption"}

// dropPackagePrefixes removes "pkg: " where it starts msg or follows ": ".
func dropPackagePrefixes(msg string) string {
	for _, p := range libraryPackages {
		p += ": "
		msg = strings.TrimPrefix(msg, p)
		for strings.Contains(msg, ": "+p) {
			msg = strings.Replace(msg, ": "+p, ": ", 1)
		}
	}
	return msg
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
	fmt.Fprintln(w, "       suitkit help <command> | <command> --help   (that command's usage)")
	fmt.Fprintln(w, "       suitkit --version")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexit status: 0 success, 1 input rejected, 2 usage, I/O or configuration error, 130/143 interrupted by SIGINT/SIGTERM")
}
