package suit

// Limits caps what the decoder accepts from untrusted input. The zero value
// (and a nil *Limits) selects safe defaults; a field left at zero (or set
// negative) takes its default, and a field above its hard maximum is clamped
// to that maximum. Every cap is checked before memory is allocated for the
// item it limits, and every declared length is also checked against the
// bytes that remain in the input.
//
// One Limits value is shared by the envelope parse, the manifest decode and
// the command-sequence decode, so a caller tunes all of them in one place.
type Limits struct {
	// MaxEnvelopeSize caps the whole input given to Parse or Decode.
	// Default 32 MiB: room for an envelope that integrates a firmware
	// image, while a hostile size is refused before any work. Hard maximum
	// 1 GiB.
	MaxEnvelopeSize int

	// MaxManifestSize caps the content of the manifest bstr and of every
	// other bstr-wrapped CBOR element (authentication wrapper, severed
	// sequences and text, parameters holding CBOR). Default 1 MiB: the
	// draft examples are under 1 KiB and RFC 9124 (MFST.CONST) expects a
	// manifest to fit in device RAM. Hard maximum 64 MiB.
	MaxManifestSize int

	// MaxDepth caps the total nesting depth, counting every array, map
	// and tag and every bstr-wrapped CBOR layer, from the envelope inward
	// (a manifest decoded by DecodeManifest starts at the depth it has
	// inside the envelope). Default 32: the deepest draft example (example
	// 3, a try-each in the shared sequence) reaches 13. Hard maximum 128.
	MaxDepth int

	// MaxSequenceDepth caps how deeply command sequences nest through
	// try-each and run-sequence (the top-level sequence is depth 1). This
	// is the recursion a processor will perform. Default 8. Hard maximum 64.
	MaxSequenceDepth int

	// MaxElements caps the number of elements in any one array and of
	// pairs in any one map. Default 1024. Hard maximum 1<<20.
	MaxElements int

	// MaxComponents caps the components list of SUIT_Common and the
	// component indices named by one set-component-index list. Default 64:
	// devices hold a handful of components. Hard maximum 4096.
	MaxComponents int

	// MaxCommands caps the commands (id/argument pairs) in one command
	// sequence. Default 256: the draft examples use at most 6. Hard maximum
	// 1<<16.
	MaxCommands int

	// MaxAuthBlocks caps the authentication blocks in the authentication
	// wrapper. Default 8: one per signer or MAC key. Hard maximum 256.
	MaxAuthBlocks int

	// MaxIntegrated caps the integrated payloads and dependencies (text
	// string keys) in one envelope. Default 64. Hard maximum 4096.
	MaxIntegrated int
}

// Default values and hard maxima of the Limits fields.
const (
	DefaultMaxEnvelopeSize  = 32 << 20
	DefaultMaxManifestSize  = 1 << 20
	DefaultMaxDepth         = 32
	DefaultMaxSequenceDepth = 8
	DefaultMaxElements      = 1024
	DefaultMaxComponents    = 64
	DefaultMaxCommands      = 256
	DefaultMaxAuthBlocks    = 8
	DefaultMaxIntegrated    = 64
)

// limits is the resolved form of Limits used by the decoder.
type limits struct {
	envelopeSize, manifestSize, depth, seqDepth, elements int
	components, commands, authBlocks, integrated          int
}

func pick(v, def, max int) int {
	if v <= 0 {
		return def
	}
	if v > max {
		return max
	}
	return v
}

// resolve applies defaults and hard maxima.
func (l *Limits) resolve() limits {
	var z Limits
	if l != nil {
		z = *l
	}
	return limits{
		envelopeSize: pick(z.MaxEnvelopeSize, DefaultMaxEnvelopeSize, 1<<30),
		manifestSize: pick(z.MaxManifestSize, DefaultMaxManifestSize, 64<<20),
		depth:        pick(z.MaxDepth, DefaultMaxDepth, 128),
		seqDepth:     pick(z.MaxSequenceDepth, DefaultMaxSequenceDepth, 64),
		elements:     pick(z.MaxElements, DefaultMaxElements, 1<<20),
		components:   pick(z.MaxComponents, DefaultMaxComponents, 4096),
		commands:     pick(z.MaxCommands, DefaultMaxCommands, 1<<16),
		authBlocks:   pick(z.MaxAuthBlocks, DefaultMaxAuthBlocks, 256),
		integrated:   pick(z.MaxIntegrated, DefaultMaxIntegrated, 4096),
	}
}

// Effective returns l with every default and hard maximum applied, so a
// caller (a processor, a printer) can read the numbers actually in force.
func (l *Limits) Effective() Limits {
	r := l.resolve()
	return Limits{
		MaxEnvelopeSize:  r.envelopeSize,
		MaxManifestSize:  r.manifestSize,
		MaxDepth:         r.depth,
		MaxSequenceDepth: r.seqDepth,
		MaxElements:      r.elements,
		MaxComponents:    r.components,
		MaxCommands:      r.commands,
		MaxAuthBlocks:    r.authBlocks,
		MaxIntegrated:    r.integrated,
	}
}
