package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/suit"
)

// Limit flags. Every library limit that a legitimate user can reach (an
// envelope integrating a large image, a device with many components, a
// delta patch made with a large block budget) can be raised from the
// command line; sizes take a unit (64MiB). Zero means the library default.

// errBadSize is matched by every error of parseSize.
var errBadSize = errors.New("not a size")

// sizeUnits are the units parseSize accepts, case-insensitively: the
// binary ones (K, KiB = 1024) and the decimal ones (KB = 1000).
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// parseSize parses a byte count: a non-negative integer with an optional
// unit, B, K or KiB, M or MiB, G or GiB, T or TiB (powers of 1024), or KB,
// MB, GB, TB (powers of 1000); case does not matter ("64MiB", "40mb",
// "1g", "4096").
func parseSize(s string) (int64, error) {
	num := strings.TrimSpace(s)
	mult := int64(1)
	lower := strings.ToLower(num)
	for _, u := range sizeUnits {
		if strings.HasSuffix(lower, u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(num, 10, 63)
	if err != nil || num == "" || num[0] == '+' {
		return 0, fmt.Errorf("%w: %q (want a byte count such as 4096, 64KiB, 64MiB, 1GiB or 40MB)", errBadSize, s)
	}
	if n > uint64(math.MaxInt64/mult) {
		return 0, fmt.Errorf("%w: %q is too large", errBadSize, s)
	}
	return int64(n) * mult, nil
}

// formatSize prints n in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return strconv.FormatInt(n, 10)
}

// sizeValue is a flag.Value holding a byte count parsed by parseSize.
type sizeValue struct{ n *int64 }

func (v sizeValue) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*v.n = n
	return nil
}

func (v sizeValue) String() string {
	if v.n == nil {
		return "0"
	}
	return formatSize(*v.n)
}

// sizeFlag defines a size flag on fs; its value is 0 unless set.
func sizeFlag(fs *flag.FlagSet, name, usage string) *int64 {
	n := new(int64)
	fs.Var(sizeValue{n}, name, usage)
	return n
}

// countValue is a flag.Value holding a non-negative count.
type countValue struct{ n *int64 }

func (v countValue) Set(s string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 31)
	if err != nil {
		return fmt.Errorf("not a count: %q (want a non-negative integer)", s)
	}
	*v.n = int64(n)
	return nil
}

func (v countValue) String() string {
	if v.n == nil {
		return "0"
	}
	return strconv.FormatInt(*v.n, 10)
}

// decodeLimits are the flags for suit.Limits, shared by every command
// that decodes an envelope.
type decodeLimits struct {
	envelope, manifest                                                      int64
	depth, seqDepth, elements, components, commands, authBlocks, integrated int64
}

// addDecodeLimits defines the suit.Limits flags on fs.
func addDecodeLimits(fs *flag.FlagSet) *decodeLimits {
	l := &decodeLimits{}
	fs.Var(sizeValue{&l.envelope}, "max-envelope-size", fmt.Sprintf("largest envelope accepted, integrated payloads included, e.g. 64MiB (`SIZE`; default %s)", formatSize(suit.DefaultMaxEnvelopeSize)))
	fs.Var(sizeValue{&l.manifest}, "max-manifest-size", fmt.Sprintf("largest manifest or other bstr-wrapped element (`SIZE`; default %s)", formatSize(suit.DefaultMaxManifestSize)))
	for _, c := range []struct {
		p    *int64
		name string
		what string
		def  int
	}{
		{&l.components, "max-components", "the components of a manifest", suit.DefaultMaxComponents},
		{&l.commands, "max-commands", "the commands of one command sequence", suit.DefaultMaxCommands},
		{&l.seqDepth, "max-sequence-depth", "the nesting of command sequences (try-each, run-sequence)", suit.DefaultMaxSequenceDepth},
		{&l.depth, "max-depth", "the CBOR nesting depth", suit.DefaultMaxDepth},
		{&l.elements, "max-elements", "the elements of one CBOR array or map", suit.DefaultMaxElements},
		{&l.authBlocks, "max-auth-blocks", "the signature and MAC blocks", suit.DefaultMaxAuthBlocks},
		{&l.integrated, "max-integrated", "the integrated payloads", suit.DefaultMaxIntegrated},
	} {
		fs.Var(countValue{c.p}, c.name, fmt.Sprintf("limit on %s (`N`; default %d)", c.what, c.def))
	}
	return l
}

// limits returns the suit.Limits the flags ask for. A value above the
// codec's hard maximum is a usage error (the codec would silently clamp
// it).
func (l *decodeLimits) limits(cmd string) (*suit.Limits, error) {
	hard := (&suit.Limits{MaxEnvelopeSize: math.MaxInt32, MaxManifestSize: math.MaxInt32, MaxDepth: math.MaxInt32,
		MaxSequenceDepth: math.MaxInt32, MaxElements: math.MaxInt32, MaxComponents: math.MaxInt32,
		MaxCommands: math.MaxInt32, MaxAuthBlocks: math.MaxInt32, MaxIntegrated: math.MaxInt32}).Effective()
	for _, c := range []struct {
		name     string
		set, max int64
		size     bool
	}{
		{"max-envelope-size", l.envelope, int64(hard.MaxEnvelopeSize), true},
		{"max-manifest-size", l.manifest, int64(hard.MaxManifestSize), true},
		{"max-depth", l.depth, int64(hard.MaxDepth), false},
		{"max-sequence-depth", l.seqDepth, int64(hard.MaxSequenceDepth), false},
		{"max-elements", l.elements, int64(hard.MaxElements), false},
		{"max-components", l.components, int64(hard.MaxComponents), false},
		{"max-commands", l.commands, int64(hard.MaxCommands), false},
		{"max-auth-blocks", l.authBlocks, int64(hard.MaxAuthBlocks), false},
		{"max-integrated", l.integrated, int64(hard.MaxIntegrated), false},
	} {
		if c.set > c.max {
			m := strconv.FormatInt(c.max, 10)
			if c.size {
				m = formatSize(c.max)
			}
			return nil, usagef("%s: --%s: at most %s", cmd, c.name, m)
		}
	}
	return &suit.Limits{
		MaxEnvelopeSize: int(l.envelope), MaxManifestSize: int(l.manifest), MaxDepth: int(l.depth),
		MaxSequenceDepth: int(l.seqDepth), MaxElements: int(l.elements), MaxComponents: int(l.components),
		MaxCommands: int(l.commands), MaxAuthBlocks: int(l.authBlocks), MaxIntegrated: int(l.integrated),
	}, nil
}

// maxEnvelope is the envelope size in force under lim: the cap for reading
// an envelope file.
func maxEnvelope(lim *suit.Limits) int64 { return int64(lim.Effective().MaxEnvelopeSize) }
