package verify

import (
	"encoding/hex"

	"github.com/suitkit/suitkit/internal/cbor"

	"github.com/suitkit/suitkit/suit"
)

// IdentityOf returns the identity m declares for itself, for display
// (`suitkit verify` prints it). Anti-rollback does not use it: every part
// of it is chosen by the manifest, so keying counters by it let an old
// manifest get a fresh counter (issue 9 item 8); floors are keyed by the
// device ([ComponentFloorKey]). It is:
//
//   - "component:<id>" with the manifest-component-id (manifest key 5,
//     trust-domains) in diagnostic form, e.g. "component:[h'00']", when m
//     has one;
//   - otherwise "vendor:<hex>/class:<hex>" with the first vendor-id and
//     class-id parameters set by override-parameters or set-parameters at
//     the top level of the shared sequence (either part may be empty);
//   - "" when neither is present.
func IdentityOf(m *suit.Manifest) string {
	if m.ManifestComponentID != nil {
		return "component:" + m.ManifestComponentID.String()
	}
	var vendor, class []byte
	var haveV, haveC bool
	if m.Common != nil && m.Common.SharedSequence != nil {
		for _, c := range m.Common.SharedSequence.Commands {
			if c.ID != suit.DirectiveOverrideParameters && c.ID != suit.DirectiveSetParameters {
				continue
			}
			for _, p := range c.Params {
				switch {
				case p.Key == suit.ParamVendorIdentifier && !haveV:
					vendor, haveV = paramBytes(p), true
				case p.Key == suit.ParamClassIdentifier && !haveC:
					class, haveC = paramBytes(p), true
				}
			}
		}
	}
	return vendorClassIdentity(vendor, class, haveV, haveC)
}

// vendorClassIdentity formats "vendor:<hex>/class:<hex>", "" when neither
// was found.
func vendorClassIdentity(vendor, class []byte, haveV, haveC bool) string {
	if !haveV && !haveC {
		return ""
	}
	// One allocation (the string) for the usual 16-byte UUIDs.
	var buf [96]byte
	b := append(buf[:0], "vendor:"...)
	b = hex.AppendEncode(b, vendor)
	b = append(b, "/class:"...)
	b = hex.AppendEncode(b, class)
	return string(b)
}

// paramBytes returns a bstr parameter's content, or its encoded item for
// any other type.
func paramBytes(p suit.Parameter) []byte {
	if b, err := p.Bytes(); err == nil {
		return b
	}
	return p.Value
}

// checkSevered checks every severable element the envelope carries against
// the digest the manifest holds for it. An element the manifest has inline,
// or not at all, must not travel severed either. Verify runs it only to
// classify a manifest decoding failure (DecodeManifestForRun makes the same
// checks on the success path).
func checkSevered(env *suit.Envelope, m *suit.Manifest) error {
	for key, content := range env.Severed {
		var d *suit.Digest
		if mem := m.Severable(key); mem != nil {
			d = mem.SeveredDigest()
		}
		what := severedName(key)
		if d == nil {
			return &DigestError{What: what, severed: true}
		}
		if !d.MatchesBstr(content) {
			got, _ := suit.ComputeDigest(d.Algorithm, suit.BstrItem(content))
			return &DigestError{What: what, Algorithm: d.Algorithm, Want: d.Value, Got: got.Value, severed: true}
		}
	}
	return nil
}

func severedName(key int64) string {
	if n := suit.ManifestKeyName(key); n != "" {
		return n
	}
	return "severable element"
}

// fragmentURI returns the content of an encoded tstr that starts with "#"
// (an integrated payload's name), without converting it to a string.
func fragmentURI(item []byte) ([]byte, bool) {
	maj, _, n, hl, err := cbor.ReadHead(item)
	if err != nil || maj != cbor.Text || uint64(len(item)-hl) != n {
		return nil, false
	}
	uri := item[hl:]
	return uri, len(uri) > 0 && uri[0] == '#'
}
