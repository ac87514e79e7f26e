package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/diag"
	"github.com/suitkit/suitkit/suit/text"
)

func init() {
	register(&command{name: "show", summary: "decode an envelope strictly and print it (signatures not verified)", run: runShow})
}

const notVerifiedNote = "signatures NOT verified (show only decodes; use suitkit verify)"

func runShow(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("show", stdout, "suitkit show [--format tree|diag|json|yaml] FILE")
	format := fset.String("format", "tree", "output format: tree, diag, json or yaml")
	limFlags := addDecodeLimits(fset)
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("show: want exactly one FILE, got %d arguments", len(pos))
	}
	*format = strings.ToLower(*format)
	switch *format {
	case "tree", "diag", "json", "yaml":
	default:
		return usagef("show: unknown --format %q (want tree, diag, json or yaml)", *format)
	}
	lim, err := limFlags.limits("show")
	if err != nil {
		return err
	}
	// The envelope limit plus one byte: an oversized file is rejected
	// (exit 1) without reading all of it.
	data, err := showReadInput(pos[0], maxEnvelope(lim)+1)
	if err != nil {
		return err
	}
	if _, err := suit.Decode(data, lim); err != nil {
		return rejected(fmt.Errorf("%s: %w", pos[0], err))
	}
	var out []byte
	switch *format {
	case "diag":
		s, err := diag.Format(data, &diag.Options{Indent: "    ", EmbeddedCBOR: true, Annotate: true})
		if err != nil {
			return rejected(err)
		}
		out = []byte(s + "\n")
	case "json":
		out, err = text.Format(data, text.JSON)
	case "yaml":
		out, err = text.Format(data, text.YAML)
	default:
		out, err = text.Format(data, text.Tree)
		if err == nil {
			out = append([]byte("# "+notVerifiedNote+"\n"), out...)
		}
	}
	if err != nil {
		return rejected(err)
	}
	fmt.Fprintln(stderr, "suitkit: note: "+notVerifiedNote)
	if _, err := stdout.Write(out); err != nil {
		return fmt.Errorf("show: writing output: %w", err)
	}
	return nil
}

// showReadInput reads at most max bytes of a file (an I/O error exits 2).
func showReadInput(name string, max int64) ([]byte, error) {
	if name == "-" {
		data, err := readStdin(max - 1)
		if err == nil && len(data) == 0 {
			err = rejected(errors.New("standard input is empty: not a SUIT envelope"))
		}
		return data, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fileError(name, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() >= max {
		return nil, rejected(fmt.Errorf("%w: %s is %d bytes, over the %d-byte envelope limit", suit.ErrLimit, name, st.Size(), max-1))
	}
	data, err := io.ReadAll(io.LimitReader(f, max))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) == 0 {
		return nil, rejected(fmt.Errorf("%s is empty: not a SUIT envelope", name))
	}
	return data, nil
}
