package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/suit"
)

// highLevel is the short form of create: one image and where a device
// gets it, from flags or from a spec with the same field names.
type highLevel struct {
	image        string
	vendorID     string
	vendorDomain string
	classID      string
	className    string
	sequence     string
	uri          string
	integrate    bool
	component    string
	invoke       bool
	delta        bool
	old          string
	patchOut     string
}

// highLevelSpec is the spec form; field names are the flag names.
type highLevelSpec struct {
	Image        string  `yaml:"image"`
	VendorID     string  `yaml:"vendor-id"`
	VendorDomain string  `yaml:"vendor-domain"`
	ClassID      string  `yaml:"class-id"`
	ClassName    string  `yaml:"class-name"`
	Sequence     *uint64 `yaml:"sequence"`
	URI          string  `yaml:"uri"`
	Integrate    bool    `yaml:"integrate"`
	Component    string  `yaml:"component"`
	Invoke       bool    `yaml:"invoke"`
	DeltaFrom    string  `yaml:"delta-from"`
	PatchOut     string  `yaml:"patch-out"`
}

func (h *highLevel) flags(fs *flag.FlagSet) {
	fs.StringVar(&h.image, "image", "", "firmware image `FILE` the manifest installs (the new image with --delta)")
	fs.StringVar(&h.vendorID, "vendor-id", "", "vendor `UUID` the device must have")
	fs.StringVar(&h.vendorDomain, "vendor-domain", "", "vendor domain `NAME`: vendor UUID = UUID5(DNS, NAME)")
	fs.StringVar(&h.classID, "class-id", "", "class `UUID` the device must have")
	fs.StringVar(&h.className, "class-name", "", "class `NAME`: class UUID = UUID5(vendor UUID, NAME)")
	fs.StringVar(&h.sequence, "sequence", "", "manifest sequence number `N` (must grow with every release)")
	fs.StringVar(&h.uri, "uri", "", "`URI` the device fetches the image (or the patch) from")
	fs.BoolVar(&h.integrate, "integrate", false, "carry the image (or the patch) in the envelope")
	fs.StringVar(&h.component, "component", "", "component identifier as `HEX` bytes, elements separated by / (default 00)")
	fs.BoolVar(&h.invoke, "invoke", false, "also invoke (boot) the component after installing")
	fs.BoolVar(&h.delta, "delta", false, "build a delta update from --old to --image")
	fs.StringVar(&h.old, "old", "", "with --delta, the `OLD` image devices hold now")
	fs.StringVar(&h.patchOut, "patch-out", "", "with --delta --uri, write the patch to `FILE` (to host at URI)")
}

// anySet reports whether a flag of the short form other than --image was
// given.
func (h *highLevel) anySet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "vendor-id", "vendor-domain", "class-id", "class-name", "sequence", "uri", "integrate", "component", "invoke", "delta", "old", "patch-out":
			set = true
		}
	})
	return set
}

// isHighLevelSpec tells the short spec (a top-level "image") from the
// structural text form.
func isHighLevelSpec(spec []byte) bool {
	var top map[string]any
	if yaml.Unmarshal(spec, &top) != nil {
		return false
	}
	_, ok := top["image"]
	return ok
}

// parseSpec fills h from a short spec (JSON or YAML); file names in it are
// relative to dir. Errors carry the spec's name and line.
func (h *highLevel) parseSpec(name string, spec []byte, dir string) error {
	dec := yaml.NewDecoder(bytes.NewReader(spec))
	dec.KnownFields(true)
	var s highLevelSpec
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		msg = strings.ReplaceAll(msg, " in type main.highLevelSpec", "")
		msg = strings.ReplaceAll(msg, "\n  ", "; ")
		return rejected(fmt.Errorf("%s: %s", name, msg))
	}
	rel := func(p string) string {
		if p == "" || p == "-" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	*h = highLevel{image: rel(s.Image), vendorID: s.VendorID, vendorDomain: s.VendorDomain, classID: s.ClassID, className: s.ClassName,
		uri: s.URI, integrate: s.Integrate, component: s.Component, invoke: s.Invoke, delta: s.DeltaFrom != "", old: rel(s.DeltaFrom), patchOut: rel(s.PatchOut)}
	if s.Sequence != nil {
		h.sequence = fmt.Sprint(*s.Sequence)
	}
	if h.image == "" {
		return rejected(fmt.Errorf("%s: image is empty", name))
	}
	return nil
}

// ids resolves the vendor and class UUIDs.
func (h *highLevel) ids() (vendor, class suit.UUID, err error) {
	switch {
	case h.vendorID != "" && h.vendorDomain != "":
		return vendor, class, usagef("give --vendor-id or --vendor-domain, not both")
	case h.vendorID != "":
		if vendor, err = suit.ParseUUID(h.vendorID); err != nil {
			return vendor, class, usagef("--vendor-id %q: %v", h.vendorID, err)
		}
	case h.vendorDomain != "":
		vendor = suit.NewUUID5(suit.NamespaceDNS, []byte(h.vendorDomain))
	}
	switch {
	case h.classID != "" && h.className != "":
		return vendor, class, usagef("give --class-id or --class-name, not both")
	case h.classID != "":
		if class, err = suit.ParseUUID(h.classID); err != nil {
			return vendor, class, usagef("--class-id %q: %v", h.classID, err)
		}
	case h.className != "":
		if vendor == (suit.UUID{}) {
			return vendor, class, usagef("--class-name derives the class from the vendor: give --vendor-id or --vendor-domain")
		}
		class = suit.NewUUID5(vendor, []byte(h.className))
	}
	return vendor, class, nil
}

func (h *highLevel) componentID() (suit.ComponentID, error) {
	if h.component == "" {
		return suit.ComponentID{{0x00}}, nil
	}
	var id suit.ComponentID
	for _, e := range strings.Split(h.component, "/") {
		b, err := hex.DecodeString(e)
		if err != nil || len(b) == 0 {
			return nil, usagef("--component %q: want hex bytes per element, elements separated by /", h.component)
		}
		id = append(id, b)
	}
	return id, nil
}

// create builds, lints and writes the envelope of the short form.
func (h *highLevel) create(ctx context.Context, out string, allow bool, stdout, stderr io.Writer) error {
	if h.sequence == "" {
		return usagef("--sequence N is required")
	}
	var seq uint64
	if _, err := fmt.Sscan(h.sequence, &seq); err != nil || fmt.Sprint(seq) != h.sequence {
		return usagef("--sequence %q is not an unsigned integer", h.sequence)
	}
	if (h.uri == "") == !h.integrate {
		return usagef("give --uri URI or --integrate (how the device gets the image)")
	}
	if h.delta != (h.old != "") {
		return usagef("--delta and --old OLD go together")
	}
	if h.patchOut != "" && (!h.delta || h.uri == "") {
		return usagef("--patch-out is for --delta --uri")
	}
	if h.delta && h.uri != "" && h.patchOut == "" {
		return usagef("--delta --uri needs --patch-out FILE: the patch to host at the URI")
	}
	vendor, class, err := h.ids()
	if err != nil {
		return err
	}
	comp, err := h.componentID()
	if err != nil {
		return err
	}
	img, err := readFileMax(h.image, maxImageFile)
	if err != nil {
		return err
	}
	var env *suit.Envelope
	var patch []byte
	if h.delta {
		if vendor == (suit.UUID{}) || class == (suit.UUID{}) {
			return usagef("--delta needs the vendor and the class: a delta applies only to the devices holding OLD")
		}
		old, err := readFileMax(h.old, maxImageFile)
		if err != nil {
			return err
		}
		u := &build.DeltaUpdate{VendorID: vendor, ClassID: class, Sequence: seq, Component: comp, PatchURI: h.uri}
		if env, patch, err = u.Build(old, img); err != nil {
			return rejected(fmt.Errorf("%s to %s: %w", h.old, h.image, err))
		}
		// An unsigned envelope still carries the manifest's digest, as
		// build.Builder's does: sign adds the blocks beside it.
		d, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(env.ManifestBytes))
		if err != nil {
			return err
		}
		db, err := d.Encode()
		if err != nil {
			return err
		}
		env.Authentication = &suit.Authentication{DigestBytes: db, Digest: d}
	} else {
		b := build.New(seq)
		bi := build.Image{Component: comp, VendorID: vendor, ClassID: class, Data: img, URI: h.uri, Invoke: h.invoke}
		if h.integrate {
			bi.Integrated = "#" + filepath.Base(h.image)
			if h.image == "-" {
				bi.Integrated = "#image"
			}
		}
		if err := b.AddImage(bi); err != nil {
			return rejected(fmt.Errorf("%s: %w", h.image, err))
		}
		if env, err = b.Build(); err != nil {
			return rejected(fmt.Errorf("%s: %w", h.image, err))
		}
	}
	enc, err := env.Encode()
	if err != nil {
		return rejected(err)
	}
	decoded, err := suit.Decode(enc, &suit.Limits{MaxEnvelopeSize: len(enc) + 1})
	if err != nil {
		return rejected(fmt.Errorf("%s builds an invalid envelope: %w", h.image, err))
	}
	if err := checkLint(h.image, decoded, allow, stderr); err != nil {
		return err
	}
	if h.patchOut != "" {
		if err := writeFile(ctx, h.patchOut, patch, 0o644, true); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote patch %s (%d bytes): host it at %s\n", h.patchOut, len(patch), h.uri)
	}
	if err := writeFile(ctx, out, enc, 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, unsigned: sign it with suitkit sign)\n", out, len(enc))
	return nil
}

// maxImageFile caps an image create reads.
const maxImageFile = 1 << 30
