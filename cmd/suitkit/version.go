package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{name: "version", summary: "print the suitkit version (from the build information)", run: runVersion})
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("version", stdout, "suitkit version", "Prints the module version (a release tag with go install ...@vX, else \"(devel)\"), the VCS revision and time when built from a checkout, and the Go version. Same as suitkit --version.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}

// versionString describes this binary from its embedded build information.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "suitkit (unknown version: built without module information) " + runtime.Version()
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	out := "suitkit " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += fmt.Sprintf(" (%s %s%s)", rev, at, modified)
	}
	return out + " " + bi.GoVersion
}
