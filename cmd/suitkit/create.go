package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/text"
)

func init() {
	register(&command{name: "create", summary: "build an envelope from a JSON or YAML spec (the show --format json form)", run: runCreate})
}

// createMaxSpec caps the spec file, or three times --max-envelope-size
// when that is larger (the text form of an envelope, hex payloads
// included, is about twice its size); payloads come from referenced files,
// which text.Parse caps separately.
const createMaxSpec = 16 << 20

func runCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("create", stdout, "suitkit create --image FILE (--vendor-id UUID | --vendor-domain NAME) (--class-id UUID | --class-name NAME) --sequence N (--uri URI | --integrate) [--component HEX] [--invoke] [--delta --old OLD [--patch-out FILE]] --out FILE\n       suitkit create --in SPEC.json|SPEC.yaml --out FILE",
		"The first form (or a spec with an \"image\" field, see examples/specs/) builds a complete manifest for one image: the shared sequence checks vendor and class, install fetches the image (from --uri, or integrated in the envelope with --integrate) and checks its digest, validate checks it again. --vendor-domain derives the vendor UUID as UUID5(DNS, NAME), --class-name the class UUID as UUID5(vendor, NAME). With --delta --old OLD it builds a delta update from OLD to the image instead (the patch integrated, or with --uri written to --patch-out for you to host at URI).",
		"The second form builds any envelope from the structural text form (what show --format json|yaml prints).",
		"Either way create refuses a manifest every device will refuse (see suitkit lint) unless --"+allowFlagName+" is given. Files may be - (standard input/output).")
	in := fset.String("in", "", "spec file: SPEC.json or SPEC.yaml (high-level or structural)")
	var hl highLevel
	hl.flags(fset)
	allow := fset.Bool(allowFlagName, false, "build a manifest that checks no vendor or class identifier (lint findings become warnings)")
	out := fset.String("out", "", "output envelope file")
	format := fset.String("format", "", "spec format json or yaml (default: from the --in extension)")
	limFlags := addDecodeLimits(fset)
	maxFile := sizeFlag(fset, "max-file-size", "largest file a spec may reference with {\"file\": ...} (`SIZE`; default 64MiB)")
	maxFiles := sizeFlag(fset, "max-total-file-size", "bytes read from referenced files over the whole spec (`SIZE`; default 256MiB)")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if *out == "-" {
		stdout = stderr // the data goes to standard output, the messages not
	}
	if len(pos) != 0 {
		return usagef("create: unexpected arguments %q", pos)
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if hl.image != "" {
		if *in != "" {
			return usagef("give --image (and its flags) or --in SPEC, not both")
		}
		return hl.create(ctx, *out, *allow, stdout, stderr)
	}
	if hl.anySet(fset) {
		return usagef("--image is required with --vendor-*, --class-*, --sequence, --uri, --integrate, --delta")
	}
	if *in == "" {
		return usagef("give --image FILE ... or --in SPEC")
	}
	var tf text.Syntax
	f := strings.ToLower(*format)
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(*in)), ".")
	}
	switch f {
	case "json":
		tf = text.JSON
	case "yaml", "yml":
		tf = text.YAML
	default:
		return usagef("create: cannot tell the spec format of %q: use a .json or .yaml file or --format", *in)
	}
	lim, err := limFlags.limits("create")
	if err != nil {
		return err
	}
	spec, err := readFileMax(*in, max(createMaxSpec, 3*maxEnvelope(lim)))
	if err != nil {
		return err
	}
	if isHighLevelSpec(spec) {
		dir := filepath.Dir(*in)
		if *in == "-" {
			dir = "."
		}
		if err := hl.parseSpec(*in, spec, dir); err != nil {
			return err
		}
		return hl.create(ctx, *out, *allow, stdout, stderr)
	}
	env, err := text.Parse(spec, tf, &text.Options{Dir: filepath.Dir(*in), MaxFileSize: *maxFile, MaxTotalFileSize: *maxFiles})
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return err // a referenced file could not be read: I/O, exit 2
		}
		return rejected(fmt.Errorf("%s: %w", *in, err))
	}
	decoded, err := suit.Decode(env, lim)
	if err != nil {
		return rejected(fmt.Errorf("%s builds an invalid envelope: %w", *in, err))
	}
	if err := checkLint(*in, decoded, *allow, stderr); err != nil {
		return err
	}
	if err := writeFile(ctx, *out, env, 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(env))
	return nil
}
