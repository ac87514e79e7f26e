package main

import (
	"context"
	"fmt"
	"io"

	"github.com/suitkit/suitkit/suit"
)

func init() {
	register(&command{name: "lint", summary: "report what a device will refuse in an envelope (before signing it)", run: runLint})
}

// allowFlagName lets create and lint accept a manifest lint warns about.
const allowFlagName = "allow-no-compatibility-check"

func runLint(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lint", stdout, "suitkit lint [--"+allowFlagName+"] FILE",
		"FILE (or - for standard input) is an envelope, signed or not. lint decodes it strictly and reports what a device will refuse: a manifest whose shared sequence does not check the vendor and the class identifier is refused by every device that checks compatibility (suitkit process does, unless --unsafe-skip-compatibility-check). Exit 0 when nothing is found (or --"+allowFlagName+" is given), 1 otherwise.")
	allow := fs.Bool(allowFlagName, false, "report missing vendor/class checks as warnings only (deliberately device-agnostic manifests)")
	limFlags := addDecodeLimits(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one FILE, got %d arguments", len(pos))
	}
	lim, err := limFlags.limits("lint")
	if err != nil {
		return err
	}
	data, err := readFileMax(pos[0], maxEnvelope(lim))
	if err != nil {
		return err
	}
	env, err := suit.Decode(data, lim)
	if err != nil {
		return rejected(fmt.Errorf("%s: %w", pos[0], err))
	}
	if err := checkLint(pos[0], env, *allow, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: no problems found\n", pos[0])
	return nil
}

// lintFindings lists what a device will refuse in env's manifest.
func lintFindings(env *suit.Envelope) []string {
	m := env.Manifest
	if m == nil {
		return nil
	}
	var shared *suit.CommandSequence
	if m.Common != nil {
		shared = m.Common.SharedSequence
	}
	var out []string
	for _, c := range []struct {
		id   int64
		what string
	}{{suit.ConditionVendorIdentifier, "vendor"}, {suit.ConditionClassIdentifier, "class"}} {
		if !sequenceHas(shared, c.id) {
			out = append(out, fmt.Sprintf("the shared sequence never checks the %s identifier (%s): devices that check compatibility refuse the manifest", c.what, suit.CommandName(c.id)))
		}
	}
	return out
}

// checkLint prints each finding as a warning on w when allow is set, and
// otherwise rejects (exit 1) naming the first one and the flag.
func checkLint(name string, env *suit.Envelope, allow bool, w io.Writer) error {
	f := lintFindings(env)
	if len(f) == 0 {
		return nil
	}
	if allow {
		for _, s := range f {
			fmt.Fprintf(w, "suitkit: warning: %s: %s\n", name, s)
		}
		return nil
	}
	more := ""
	if len(f) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(f)-1)
	}
	return rejected(fmt.Errorf("%s: %s%s; --%s accepts it deliberately", name, f[0], more, allowFlagName))
}

// sequenceHas reports whether s runs command id, directly or inside a
// try-each alternative or run-sequence.
func sequenceHas(s *suit.CommandSequence, id int64) bool {
	if s == nil {
		return false
	}
	for _, c := range s.Commands {
		if c.ID == id {
			return true
		}
		for i := range c.TryEach {
			if sequenceHas(&c.TryEach[i], id) {
				return true
			}
		}
		if sequenceHas(c.Sequence, id) {
			return true
		}
	}
	return false
}
