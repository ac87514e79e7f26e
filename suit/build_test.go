package suit

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/cbor"
)

// Test-only helpers that build CBOR from hex fragments, so negative vectors
// can be written item by item.

// hx decodes hex, ignoring spaces.
func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// bs wraps content in a bstr.
func bs(content []byte) []byte { return BstrItem(content) }

// seqOf builds a command sequence array from already-encoded pairs.
func seqOf(n int, pairs ...[]byte) []byte {
	var w writer
	w.head(cbor.Array, uint64(n))
	return cat(w.b, cat(pairs...))
}

// minimalShared is [condition-vendor-identifier, 15].
var minimalShared = hx("82 01 0f")

// commonWith returns SUIT_Common {2: [[h'00']], 4: bstr(shared)}.
func commonWith(shared []byte) []byte {
	return cat(hx("a2 02 81 81 41 00 04"), bs(shared))
}

// manifestWith returns {1:1, 2:0, 3: bstr(common)} plus extra members
// (already encoded, in order, after key 3).
func manifestWith(common []byte, extraPairs int, extra ...[]byte) []byte {
	var w writer
	w.head(cbor.Map, uint64(3+extraPairs))
	return cat(w.b, hx("01 01 02 00 03"), bs(common), cat(extra...))
}

// envelopeFor wraps an encoded manifest in a tagged envelope whose
// authentication wrapper holds the manifest's SHA-256 digest (no blocks).
func envelopeFor(t testing.TB, manifest []byte) []byte {
	t.Helper()
	d, err := ComputeDigest(AlgSHA256, bs(manifest))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := d.Encode()
	auth := cat(hx("81"), bs(db))
	return cat(hx("d8 6b a2 02"), bs(auth), hx("03"), bs(manifest))
}

// minimalEnvelope is a valid envelope with the minimal manifest.
func minimalEnvelope(t testing.TB) []byte {
	return envelopeFor(t, manifestWith(commonWith(minimalShared), 0))
}
