package main

import "bytes"

// runSuitkit runs the CLI in process and returns its exit code, stdout and
// stderr.
func runSuitkit(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}
