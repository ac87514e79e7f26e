package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/suit"
)

func init() {
	register(&command{name: "dependent", summary: "build an unsigned dependent manifest that references dependency manifests by digest (trust domains)", run: runDependent})
}

func runDependent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dependent", stdout,
		"suitkit dependent --seq N --out FILE [--vendor-id UUID --class-id UUID --image NAME=FILE ...] --dependency ENVELOPE[=URI] ...",
		"Builds an unsigned envelope (draft-ietf-suit-trust-domains) whose manifest references each dependency manifest by its manifest digest: "+
			"a device fetches it (from URI, or from the copy carried in the envelope when no URI is given), checks it against that digest, "+
			"checks its own signature (dependency-integrity) and processes it before the dependent's own images. "+
			"The digest covers the dependency's manifest only, so a dependency fetched by URI may be signed before or after; "+
			"a carried one is copied as given, so sign it first. Sign the result with suitkit sign, with the dependent's own key.",
		"Each --image NAME=FILE adds component [NAME] (NAME as text), written from FILE carried in the envelope and checked against "+
			"--vendor-id and --class-id.",
		"Exit status: 0 written, 1 a dependency envelope is refused, 2 usage or I/O error.")
	seq := fs.Uint64("seq", 0, "the dependent's sequence `NUMBER`")
	out := fs.String("out", "", "output envelope `FILE`")
	vendor := fs.String("vendor-id", "", "vendor `UUID` the images are checked against")
	class := fs.String("class-id", "", "class `UUID` the images are checked against")
	var images, deps multiFlag
	fs.Var(&images, "image", "component image `NAME=FILE`; repeatable")
	fs.Var(&deps, "dependency", "dependency envelope `ENVELOPE[=URI]`; repeatable")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	if *out == "" || len(deps) == 0 {
		return usagef("--out FILE and at least one --dependency are required")
	}
	b := build.New(*seq)
	if len(images) > 0 {
		v, err1 := suit.ParseUUID(*vendor)
		c, err2 := suit.ParseUUID(*class)
		if err1 != nil || err2 != nil {
			return usagef("--image needs valid --vendor-id and --class-id UUIDs")
		}
		for i, spec := range images {
			name, file, ok := strings.Cut(spec, "=")
			if !ok || name == "" || file == "" {
				return usagef("--image %q: want NAME=FILE", spec)
			}
			data, err := readFileMax(file, maxEncryptInput)
			if err != nil {
				return err
			}
			img := build.Image{Component: suit.ComponentID{[]byte(name)}, VendorID: v, ClassID: c, Data: data, Integrated: fmt.Sprintf("#image-%d", i)}
			if err := b.AddImage(img); err != nil {
				return usagef("--image %s: %v", name, err)
			}
		}
	}
	for _, spec := range deps {
		file, uri, _ := strings.Cut(spec, "=")
		data, err := readFileMax(file, 16<<20)
		if err != nil {
			return err
		}
		d := build.Dependency{Envelope: data, URI: uri}
		if uri == "" {
			d.Integrated = "#" + filepath.Base(file)
		}
		if err := b.AddDependency(d); err != nil {
			return rejected(fmt.Errorf("%s: %w", file, err))
		}
	}
	env, err := b.BuildBytes()
	if err != nil {
		return rejected(err)
	}
	if err := writeFile(ctx, *out, env, 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, %d dependencies, unsigned: sign it with suitkit sign)\n", *out, len(env), len(deps))
	return nil
}
