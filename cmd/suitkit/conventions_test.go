package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEveryCommandHelp: -h, --help and `suitkit help CMD` print the
// command's usage (and only that) on stdout and exit 0, for every
// registered command.
func TestEveryCommandHelp(t *testing.T) {
	for name := range commands {
		var first string
		for i, args := range [][]string{{name, "-h"}, {name, "--help"}, {"help", name}, {name, "-help", "extra"}} {
			code, out, errOut := runSuitkit(args...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: suitkit "+name) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 0 and the usage of %s on stdout only", args, code, out, errOut, name)
				continue
			}
			if i == 0 {
				first = out
			} else if out != first {
				t.Errorf("%q prints a different usage than %s -h", args, name)
			}
		}
	}
}

// checkOneLine asserts a failure printed exactly one line on stderr, from
// suitkit CMD, and nothing on stdout when quiet.
func checkOneLine(t *testing.T, args []string, stderr string) {
	t.Helper()
	cmd := args[0]
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !(strings.HasPrefix(stderr, "suitkit ") || strings.HasPrefix(stderr, "suitkit: ")) {
		t.Errorf("%q: stderr %q, want one line \"suitkit %s: ...\"", args, stderr, cmd)
	}
	// No package-name stutter ("suitkit sign: sign: ...", "suit: malformed").
	for _, p := range append([]string{cmd}, libraryPackages...) {
		if strings.Contains(stderr, ": "+p+": ") {
			t.Errorf("%q: stderr %q repeats %q", args, stderr, p+":")
		}
	}
}

// TestUsageErrorsAreOneLineWithPointer: an unknown flag, a flag without
// its value and a wrong argument count print one line naming the command
// and pointing to its --help, nothing on stdout, and exit 2.
func TestUsageErrorsAreOneLineWithPointer(t *testing.T) {
	for name := range commands {
		for _, args := range [][]string{{name, "--no-such-flag"}, {name, "-no-such-flag=1", "x"}} {
			code, out, errOut := runSuitkit(args...)
			checkOneLine(t, args, errOut)
			if code != 2 || out != "" || !strings.HasPrefix(errOut, "suitkit "+name+": ") || !strings.Contains(errOut, "'suitkit "+name+" --help'") {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and a pointer to suitkit %s --help", args, code, out, errOut, name)
			}
		}
	}
	for _, args := range [][]string{{"nosuch"}, {"help", "nosuch"}, {"help", "a", "b"}} {
		code, out, errOut := runSuitkit(args...)
		checkOneLine(t, args, errOut)
		if code != 2 || out != "" || !strings.Contains(errOut, "'suitkit --help'") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, one line pointing to suitkit --help", args, code, out, errOut)
		}
	}
	if code, out, errOut := runSuitkit(); code != 2 || out != "" || !strings.HasPrefix(errOut, "usage: suitkit") {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q; want the usage on stderr and exit 2", code, out, errOut)
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		if code, out, errOut := runSuitkit(args...); code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: suitkit") || !strings.Contains(out, "exit status") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want the usage on stdout and exit 0", args, code, out, errOut)
		}
	}
}

// TestVersion: --version and version print one line from the build
// information (under go test the main module is "(devel)").
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := runSuitkit(args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "suitkit ") || strings.Count(out, "\n") != 1 || !strings.Contains(out, "go1.") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// Failure kinds of the exit-code table.
const (
	kindUsage    = "bad usage"
	kindMissing  = "missing file"
	kindKey      = "unreadable key"
	kindRejected = "rejected input"
	kindIO       = "I/O error"
)

// kindCodes is the README's exit-status table.
var kindCodes = map[string]int{kindUsage: 2, kindMissing: 2, kindKey: 2, kindRejected: 1, kindIO: 2}

// TestExitCodeTable runs every command with each kind of failure that
// applies to it and checks the exit status against the README's one
// table (1 input rejected; 2 usage, I/O or configuration), that the
// message is one line, and that it names the file at fault. A command
// registered without rows here fails the test: add its rows.
func TestExitCodeTable(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unsigned, signed, priv, pub := bigSigned(t, dir, 64)
	unsignedP, signedP := write("unsigned.suit", unsigned), write("signed.suit", signed)
	garbage := write("garbage.suit", []byte("this is not CBOR"))
	badKey := write("bad.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	emptyKey := write("empty.pem", nil)
	spec := write("bad.json", []byte(`{"suit-manifest": {"suit-manifest-version": 2}}`))
	okSpec := write("ok.json", []byte(`{"suit-manifest": {"suit-manifest-version": 1, "suit-manifest-sequence-number": 0, "suit-common": {"suit-components": [["00"]]}}}`))
	img := write("img.bin", []byte("firmware image"))
	kek16 := write("kek16.bin", []byte("0123456789abcdef"))
	missing := filepath.Join(dir, "missing.bin")
	noDir := filepath.Join(dir, "nodir", "out.bin") // its directory does not exist
	subdir := filepath.Join(dir, "adir")
	if err := os.Mkdir(subdir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.bin")
	dev := filepath.Join(dir, "dev")

	type row struct {
		kind  string
		args  []string
		names string // a file the message must name ("" for usage rows)
	}
	table := []row{
		{kindUsage, []string{"show"}, ""},
		{kindUsage, []string{"show", "--format", "xml", signedP}, ""},
		{kindMissing, []string{"show", missing}, missing},
		{kindRejected, []string{"show", garbage}, garbage},
		{kindIO, []string{"show", subdir}, subdir},

		{kindUsage, []string{"create", "--in", okSpec}, ""},
		{kindUsage, []string{"dependent", "--out", out}, ""},
		{kindUsage, []string{"dependent", "--out", out, "--dependency", signedP, "--image", "noequals"}, ""},
		{kindMissing, []string{"dependent", "--out", out, "--dependency", missing}, missing},
		{kindRejected, []string{"dependent", "--out", out, "--dependency", garbage}, garbage},
		{kindIO, []string{"dependent", "--out", noDir, "--dependency", signedP}, noDir},
		{kindMissing, []string{"create", "--in", missing + ".json", "--out", out}, missing},
		{kindRejected, []string{"create", "--in", spec, "--out", out}, spec},
		{kindRejected, []string{"create", "--in", okSpec, "--out", out}, okSpec}, // checks no vendor or class
		{kindUsage, []string{"create", "--image", img, "--sequence", "1", "--out", out}, ""},
		{kindMissing, []string{"create", "--image", missing, "--vendor-domain", "example.com", "--class-name", "b", "--sequence", "1", "--integrate", "--out", out}, missing},
		{kindIO, []string{"create", "--image", img, "--vendor-domain", "example.com", "--class-name", "b", "--sequence", "1", "--integrate", "--out", noDir}, noDir},

		{kindUsage, []string{"lint"}, ""},
		{kindMissing, []string{"lint", missing}, missing},
		{kindRejected, []string{"lint", garbage}, garbage},
		{kindIO, []string{"lint", subdir}, subdir},

		{kindUsage, []string{"keygen", "--alg", "nope", "--out", out}, ""},
		{kindUsage, []string{"keygen", "--alg", "ES256"}, ""},
		{kindIO, []string{"keygen", "--alg", "ES256", "--out", noDir}, noDir},

		{kindUsage, []string{"sign", "--key", priv, "--in", unsignedP}, ""},
		{kindMissing, []string{"sign", "--key", priv, "--in", missing, "--out", out}, missing},
		{kindMissing, []string{"sign", "--key", missing, "--in", unsignedP, "--out", out}, missing},
		{kindKey, []string{"sign", "--key", badKey, "--in", unsignedP, "--out", out}, badKey},
		{kindKey, []string{"sign", "--key", emptyKey, "--in", unsignedP, "--out", out}, emptyKey},
		{kindKey, []string{"sign", "--key", pub, "--in", unsignedP, "--out", out}, pub},
		{kindRejected, []string{"sign", "--key", priv, "--in", garbage, "--out", out}, garbage},
		{kindIO, []string{"sign", "--key", priv, "--in", unsignedP, "--out", noDir}, noDir},

		{kindUsage, []string{"verify", signedP}, ""},
		{kindUsage, []string{"verify", "--key", pub}, ""},
		{kindMissing, []string{"verify", "--key", pub, missing}, missing},
		{kindMissing, []string{"verify", "--key", missing, signedP}, missing},
		{kindKey, []string{"verify", "--key", badKey, signedP}, badKey},
		{kindKey, []string{"verify", "--key", emptyKey, signedP}, emptyKey},
		{kindRejected, []string{"verify", "--key", pub, unsignedP}, unsignedP},
		{kindRejected, []string{"verify", "--key", pub, garbage}, garbage},
		{kindIO, []string{"verify", "--key", pub, subdir}, subdir},

		{kindUsage, []string{"sever", "--in", unsignedP}, ""},
		{kindMissing, []string{"sever", "--in", missing, "--out", out}, missing},
		{kindRejected, []string{"sever", "--in", garbage, "--out", out}, garbage},
		{kindIO, []string{"sever", "--in", unsignedP, "--out", noDir}, noDir},

		{kindUsage, []string{"attach", "--in", unsignedP, "--out", out}, ""},
		{kindMissing, []string{"attach", "--in", missing, "--out", out, "--payload", "#a=" + img}, missing},
		{kindMissing, []string{"attach", "--in", unsignedP, "--out", out, "--payload", "#a=" + missing}, missing},
		{kindRejected, []string{"attach", "--in", garbage, "--out", out, "--payload", "#a=" + img}, garbage},
		{kindIO, []string{"attach", "--in", unsignedP, "--out", noDir, "--payload", "#a=" + img}, noDir},

		{kindUsage, []string{"diff", img, img}, ""},
		{kindUsage, []string{"diff", "--format", "xdelta", img, img, out}, ""},
		{kindMissing, []string{"diff", missing, img, out}, missing},
		{kindIO, []string{"diff", img, img, noDir}, noDir},

		{kindUsage, []string{"patch", img, img}, ""},
		{kindMissing, []string{"patch", img, missing, out}, missing},
		{kindRejected, []string{"patch", img, garbage, out}, garbage},
		{kindIO, []string{"patch", img, subdir, out}, subdir},

		{kindUsage, []string{"process", "--key", pub, signedP}, ""},
		{kindUsage, []string{"process", "--key", pub, "--device", dev, "--vendor-id", "not-a-uuid", signedP}, ""},
		{kindMissing, []string{"process", "--key", pub, "--device", dev, missing}, missing},
		{kindKey, []string{"process", "--key", badKey, "--device", dev, signedP}, badKey},
		{kindRejected, []string{"process", "--key", pub, "--device", dev, unsignedP}, unsignedP},
		{kindIO, []string{"process", "--key", pub, "--device", img, signedP}, img},

		{kindUsage, []string{"encrypt", "--kek", img, img}, ""},
		{kindUsage, []string{"encrypt", "--alg", "A192GCM", "--kek", img, "--out", out, "--info", out + ".info", img}, ""},
		{kindMissing, []string{"encrypt", "--kek", kek16, "--out", out, "--info", out + ".info", missing}, missing},
		{kindKey, []string{"encrypt", "--kek", img, "--out", out, "--info", out + ".info", img}, img},
		{kindKey, []string{"encrypt", "--recipient", badKey, "--out", out, "--info", out + ".info", img}, badKey},
		{kindIO, []string{"encrypt", "--recipient", pub, "--out", noDir, "--info", out + ".info", img}, noDir},
		{kindKey, []string{"process", "--key", pub, "--device", dev, "--decrypt-key", badKey, signedP}, badKey},

		{kindUsage, []string{"demo", "extra"}, ""},
		{kindIO, []string{"demo", "--dir", filepath.Join(img, "sub")}, img},

		{kindUsage, []string{"version", "extra"}, ""},

		{kindUsage, []string{"report"}, ""},
		{kindUsage, []string{"report", "verify", garbage}, ""},
		{kindMissing, []string{"report", "show", missing}, missing},
		{kindKey, []string{"report", "verify", "--key", badKey, garbage}, badKey},
		{kindRejected, []string{"report", "show", garbage}, garbage},
		{kindIO, []string{"report", "show", subdir}, subdir},
		{kindKey, []string{"report", "show", "--decrypt-key", badKey, garbage}, badKey},
		{kindKey, []string{"process", "--key", pub, "--device", dev, "--report", out + ".report", "--report-key", badKey, signedP}, badKey},
		{kindKey, []string{"process", "--key", pub, "--device", dev, "--report", out + ".report", "--report-key", pub, signedP}, pub},
	}
	for name := range commands {
		if !slices.ContainsFunc(table, func(r row) bool { return r.args[0] == name }) {
			t.Errorf("command %s has no rows in TestExitCodeTable: add one per kind of failure that applies to it", name)
		}
	}
	for _, r := range table {
		code, _, errOut := runSuitkit(r.args...)
		if want := kindCodes[r.kind]; code != want {
			t.Errorf("%s %q: exit %d, want %d (%s)", r.kind, r.args, code, want, strings.TrimSpace(errOut))
			continue
		}
		checkOneLine(t, r.args, errOut)
		if !strings.HasPrefix(errOut, "suitkit "+r.args[0]+": ") {
			t.Errorf("%s %q: stderr %q does not start with suitkit %s:", r.kind, r.args, errOut, r.args[0])
		}
		if r.names != "" && !strings.Contains(errOut, r.names) {
			t.Errorf("%s %q: stderr %q does not name %s", r.kind, r.args, errOut, r.names)
		}
		if (r.kind == kindUsage) != strings.Contains(errOut, "--help'") {
			t.Errorf("%s %q: stderr %q: a usage error, and only one, points to --help", r.kind, r.args, errOut)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed command left %s", out)
	}
}
