package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// How a subcommand is written (every command follows it, so that help,
// errors and exit codes behave the same everywhere):
//
//	func init() { register(&command{name: "x", summary: "one line", run: runX}) }
//
//	func runX(ctx context.Context, args []string, stdout, stderr io.Writer) error {
//		fs := newFlagSet("x", stdout, "suitkit x [flags] FILE", "optional paragraph ...")
//		out := fs.String("out", "", "output `FILE` (- for stdout)")
//		pos, err := parseFlags(fs, args) // -h/--help: usage on stdout, exit 0
//		if err != nil {
//			return err
//		}
//		if len(pos) != 1 {
//			return usagef("want one FILE, got %d arguments", len(pos)) // exit 2 + pointer to --help
//		}
//		...
//		return rejected(fmt.Errorf("%s: %w", file, err)) // exit 1: the input is refused
//		return ioErrorf("%s: %w", file, err)             // exit 2: I/O or configuration
//	}
//
// Messages name the file and say what is wrong, once; the framework adds
// "suitkit x: " in front, so a message never starts with the command name.

// newFlagSet returns the flag set of command name. synopsis is its usage
// line without "usage: " and doc the paragraphs printed after it; -h,
// --help and `suitkit help NAME` print them and the flags on stdout.
// Parse errors are not printed by the flag package: parseFlags returns
// them as one-line usage errors.
func newFlagSet(name string, stdout io.Writer, synopsis string, doc ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: %s\n", synopsis)
		for _, d := range doc {
			fmt.Fprintf(stdout, "\n%s\n", d)
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(stdout, "\nflags:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// errHelp is returned by parseFlags after printing the usage for -h or
// --help: the command stops and the CLI exits 0.
var errHelp = errors.New("help requested")

// parseFlags parses args and converts a parse failure into a usage error
// (exit 2, one line); -h and --help print the usage on stdout and return
// errHelp (exit 0). Flags may follow positional arguments; "--" ends the
// flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on every error too
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return nil, errHelp
		}
		if err != nil {
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// multiFlag collects a repeatable string flag such as --key.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
