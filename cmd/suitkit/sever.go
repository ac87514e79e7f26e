package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/suitkit/suitkit/suit"
)

func init() {
	register(&command{name: "sever", summary: "sever install/text/payload-fetch from the manifest, or strip the severed copies", run: runSever})
	register(&command{name: "attach", summary: "put severed elements or integrated payloads back into an envelope", run: runAttach})
}

// severElementExt is the file extension sever --detach-dir writes and
// attach --element reads: the element's bstr content.
const severElementExt = ".cbor"

func runSever(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("sever", stdout, "suitkit sever --in FILE --out FILE [--element NAME ...] [--strip] [--detach-dir DIR] [--drop-signatures] [--digest-alg sha256|sha384|sha512]",
		"Severs the selected inline members (author side, before signing: the manifest keeps their digests and the envelope carries them). With --strip or --detach-dir it then removes the envelope copies.")
	var elements multiFlag
	fset.Var(&elements, "element", "element to act on: install, text, payload-fetch, coswid, dependency-resolution, candidate-verification or all (default: every inline member at least as large as its digest); repeatable")
	in := fset.String("in", "", "input envelope")
	out := fset.String("out", "", "output envelope")
	strip := fset.Bool("strip", false, "also remove the severed copies from the envelope (for distribution; signatures stay valid)")
	detach := fset.String("detach-dir", "", "write each removed element to DIR/<name>"+severElementExt+" (implies --strip)")
	drop := fset.Bool("drop-signatures", false, "allow severing an inline member of a signed envelope; its now-invalid signatures are removed")
	digestAlg := fset.String("digest-alg", "sha256", "digest algorithm for new SUIT_Digests: sha256, sha384 or sha512")
	limFlags := addDecodeLimits(fset)
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if *out == "-" {
		stdout = stderr // the data goes to standard output, the messages not
	}
	if len(pos) != 0 {
		return usagef("sever: unexpected arguments %q", pos)
	}
	if *in == "" || *out == "" {
		return usagef("sever: --in and --out are required")
	}
	keys, err := severParseElements(elements)
	if err != nil {
		return err
	}
	lim, err := limFlags.limits("sever")
	if err != nil {
		return err
	}
	alg, err := suit.ParseDigestAlgorithm(*digestAlg)
	if err != nil {
		return usagef("--digest-alg: %v", err)
	}
	env, err := severLoad(*in, lim)
	if err != nil {
		return err
	}
	hadBlocks := env.Authentication != nil && len(env.Authentication.Blocks) > 0
	done, err := suit.Sever(env, &suit.SeverOptions{Elements: keys, DigestAlgorithm: alg, DropSignatures: *drop})
	if err != nil {
		if errors.Is(err, suit.ErrSigned) {
			return rejected(fmt.Errorf("%w (--drop-signatures removes them; sign again afterwards)", err))
		}
		return rejected(err)
	}
	for _, k := range done {
		fmt.Fprintf(stdout, "severed %s\n", suit.ElementName(k))
	}
	if len(done) > 0 && hadBlocks {
		fmt.Fprintln(stdout, "dropped the envelope's signatures: the manifest changed; sign it again")
	}
	if *detach != "" {
		if err := os.MkdirAll(*detach, 0o755); err != nil {
			return err
		}
	}
	if *strip || *detach != "" {
		content := map[int64][]byte{}
		for k, v := range env.Severed {
			content[k] = v
		}
		removed := suit.Strip(env, keys...)
		for _, k := range removed {
			if *detach != "" {
				name := filepath.Join(*detach, suit.ElementName(k)+severElementExt)
				if err := writeFile(ctx, name, content[k], 0o644, true); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "stripped %s -> %s\n", suit.ElementName(k), name)
			} else {
				fmt.Fprintf(stdout, "stripped %s\n", suit.ElementName(k))
			}
		}
	}
	return severStore(ctx, env, *out, stdout)
}

func runAttach(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("attach", stdout, "suitkit attach --in FILE --out FILE [--from ENVELOPE] [--element NAME=FILE ...] [--payload #NAME=FILE ...]",
		"Each element is checked against the digest the manifest holds for it; signatures are unaffected.")
	var elements, payloads multiFlag
	fset.Var(&elements, "element", "NAME=FILE: attach severed element NAME (install, text, ...) from FILE (its bstr content, as sever --detach-dir writes it); repeatable")
	fset.Var(&payloads, "payload", "#NAME=FILE: add FILE as the integrated payload \"#NAME\"; repeatable")
	from := fset.String("from", "", "take every severed element this envelope carries that the input lacks (e.g. the unstripped original)")
	in := fset.String("in", "", "input envelope")
	out := fset.String("out", "", "output envelope")
	limFlags := addDecodeLimits(fset)
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if *out == "-" {
		stdout = stderr
	}
	if len(pos) != 0 {
		return usagef("attach: unexpected arguments %q", pos)
	}
	if *in == "" || *out == "" {
		return usagef("attach: --in and --out are required")
	}
	if *from == "" && len(elements) == 0 && len(payloads) == 0 {
		return usagef("attach: give --from, --element or --payload")
	}
	type item struct {
		key  int64
		name string
		file string
	}
	var items, adds []item
	for _, e := range elements {
		name, file, ok := strings.Cut(e, "=")
		k, known := suit.ElementKey(strings.ToLower(name))
		if !ok || !known || file == "" {
			return usagef("attach: --element %q: want NAME=FILE with a severable element name", e)
		}
		items = append(items, item{key: k, file: file})
	}
	for _, p := range payloads {
		name, file, ok := strings.Cut(p, "=")
		if !ok || name == "" || file == "" {
			return usagef("attach: --payload %q: want #NAME=FILE", p)
		}
		adds = append(adds, item{name: name, file: file})
	}
	lim, err := limFlags.limits("attach")
	if err != nil {
		return err
	}
	env, err := severLoad(*in, lim)
	if err != nil {
		return err
	}
	if *from != "" {
		data, err := readFileMax(*from, maxEnvelope(lim))
		if err != nil {
			return err
		}
		src, err := suit.Parse(data, lim)
		if err != nil {
			return rejected(fmt.Errorf("%s: %w", *from, err))
		}
		done, err := suit.AttachFrom(env, src)
		if err != nil {
			return rejected(err)
		}
		for _, k := range done {
			fmt.Fprintf(stdout, "attached %s from %s\n", suit.ElementName(k), *from)
		}
	}
	for _, it := range items {
		content, err := readFileMax(it.file, maxEnvelope(lim))
		if err != nil {
			return err
		}
		if err := suit.Attach(env, it.key, content); err != nil {
			return rejected(fmt.Errorf("%s: %w", it.file, err))
		}
		fmt.Fprintf(stdout, "attached %s from %s\n", suit.ElementName(it.key), it.file)
	}
	for _, it := range adds {
		data, err := readFileMax(it.file, maxEnvelope(lim))
		if err != nil {
			return err
		}
		if err := suit.AddPayload(env, it.name, data); err != nil {
			return rejected(err)
		}
		fmt.Fprintf(stdout, "added integrated payload %s (%d bytes)\n", it.name, len(data))
	}
	return severStore(ctx, env, *out, stdout)
}

func severParseElements(names []string) ([]int64, error) {
	var keys []int64
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			if strings.EqualFold(part, "all") {
				return nil, nil
			}
			k, ok := suit.ElementKey(strings.ToLower(part))
			if !ok {
				return nil, usagef("unknown severable element %q (want install, text, payload-fetch, coswid, dependency-resolution, candidate-verification or all)", part)
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// severLoad reads and strictly decodes an envelope, manifest included.
func severLoad(name string, lim *suit.Limits) (*suit.Envelope, error) {
	data, err := readFileMax(name, maxEnvelope(lim))
	if err != nil {
		return nil, err
	}
	env, err := suit.Decode(data, lim)
	if err != nil {
		return nil, rejected(fmt.Errorf("%s: %w", name, err))
	}
	return env, nil
}

func severStore(ctx context.Context, env *suit.Envelope, name string, stdout io.Writer) error {
	enc, err := env.Encode()
	if err != nil {
		return rejected(err)
	}
	if err := writeFile(ctx, name, enc, 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", name, len(enc))
	return nil
}
