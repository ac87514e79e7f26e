package verify

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// intSlotValue is one value put in an integer slot of a COSE header: its
// CBOR encoding and, when it fits, its int64 value.
type intSlotValue struct {
	name  string
	enc   []byte
	fits  bool
	value int64
}

// intSlotValues are the values issue 9 item 1 asks every integer slot to
// be tried with: 0, +-1, MaxInt64, MinInt64, and the two CBOR integers
// outside int64 (2^64-1 and -2^64).
func intSlotValues() []intSlotValue {
	var out []intSlotValue
	for _, v := range []struct {
		name string
		v    int64
	}{{"0", 0}, {"1", 1}, {"-1", -1}, {"MaxInt64", math.MaxInt64}, {"MinInt64", math.MinInt64}} {
		out = append(out, intSlotValue{v.name, cose.AppendInt(nil, v.v), true, v.v})
	}
	ff := bytes.Repeat([]byte{0xff}, 8)
	return append(out,
		intSlotValue{name: "MaxUint64", enc: append([]byte{0x1b}, ff...)},
		intSlotValue{name: "-2^64", enc: append([]byte{0x3b}, ff...)})
}

// rawMap encodes a map from already-encoded keys and values in
// deterministic (bytewise key) order.
func rawMap(pairs ...[2][]byte) []byte {
	sort.Slice(pairs, func(i, j int) bool { return bytes.Compare(pairs[i][0], pairs[j][0]) < 0 })
	out := []byte{0xa0 | byte(len(pairs))}
	for _, p := range pairs {
		out = append(append(out, p[0]...), p[1]...)
	}
	return out
}

// TestCOSEHeaderIntegerSlots (issue 9 item 1): every integer slot of a
// COSE header - the alg value, a protected and an unprotected label, a
// crit entry, a COSE_Mac recipient's alg - is tried with 0, +-1,
// MaxInt64, MinInt64, 2^64-1 and -2^64. Nothing panics; each block is
// either accepted because it is valid, or refused with the sentinel that
// says why.
func TestCOSEHeaderIntegerSlots(t *testing.T) {
	priv, key := newP256(t)
	es := signer{alg: int64(keys.ES256), ec: priv}
	secret := bytes.Repeat([]byte{0x5a}, 32)
	kMac, err := NewMACKey(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, []*Key{key, kMac}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	alg := [2][]byte{{cose.HeaderAlg}, cose.AppendInt(nil, int64(keys.ES256))}
	zero := []byte{0x00}

	check := func(t *testing.T, slot string, x intSlotValue, block []byte, want error) {
		t.Helper()
		res, err := v.Verify(envelope(t, d, [][]byte{block}, man, nil))
		switch {
		case want == nil && err != nil:
			t.Errorf("%s = %s: refused a valid block: %v", slot, x.name, err)
		case want == nil && res.Sequence() != 1:
			t.Errorf("%s = %s: accepted but sequence %d", slot, x.name, res.Sequence())
		case want != nil && (!errors.Is(err, ErrUnauthenticated) || !errors.Is(err, want)):
			t.Errorf("%s = %s: err %v, want ErrUnauthenticated and %v", slot, x.name, err, want)
		}
	}
	for _, x := range intSlotValues() {
		// The protected alg value: only a known algorithm verifies.
		want := error(ErrUnsupportedAlgorithm)
		if !x.fits {
			want = ErrMalformed
		}
		check(t, "protected alg", x, rawSign1(t, es, rawMap([2][]byte{{cose.HeaderAlg}, x.enc}), []byte{0xa0}, []byte{0xf6}, d), want)

		// An extra, non-critical protected label: ignored, unless it
		// repeats alg.
		want = nil
		if x.fits && x.value == cose.HeaderAlg {
			want = ErrMalformed
		}
		check(t, "protected label", x, rawSign1(t, es, rawMap(alg, [2][]byte{x.enc, zero}), []byte{0xa0}, []byte{0xf6}, d), want)

		// An unprotected label: ignored, unless it is alg.
		check(t, "unprotected label", x, rawSign1(t, es, rawMap(alg), rawMap([2][]byte{x.enc, zero}), []byte{0xf6}, d), want)

		// A crit entry: only labels this package understands and the
		// protected header holds (here alg) may be critical.
		want = ErrUnsupportedHeader
		if x.fits && x.value == cose.HeaderAlg {
			want = nil
		}
		crit := append([]byte{0x81}, x.enc...)
		check(t, "crit entry", x, rawSign1(t, es, rawMap(alg, [2][]byte{{cose.HeaderCrit}, crit}), []byte{0xa0}, []byte{0xf6}, d), want)

		// A COSE_Mac recipient's alg: only direct (-6) is supported.
		want = ErrUnsupportedAlgorithm
		if !x.fits {
			want = ErrMalformed
		}
		macProt := cose.ProtectedAlg(int64(keys.HMAC256))
		tag := signer{secret: secret}.raw(t, cose.AppendToBeSigned(nil, cose.ContextMAC, macProt, nil, d))
		recipient := []byte{0x83, 0x40}
		recipient = append(recipient, rawMap([2][]byte{{cose.HeaderAlg}, x.enc})...)
		recipient = append(recipient, 0x40)
		mac := []byte{0xd8, cose.TagMac, 0x85}
		mac = cose.AppendBstr(mac, macProt)
		mac = append(mac, 0xa0, 0xf6)
		mac = cose.AppendBstr(mac, tag)
		mac = append(append(mac, 0x81), recipient...)
		check(t, "COSE_Mac recipient alg", x, mac, want)
	}
	// Sanity: the same recipient with alg -6 verifies, so the refusals
	// above are about the values.
	macProt := cose.ProtectedAlg(int64(keys.HMAC256))
	tag := signer{secret: secret}.raw(t, cose.AppendToBeSigned(nil, cose.ContextMAC, macProt, nil, d))
	good := enc(t, cbor.Tag{Number: cose.TagMac, Content: []any{macProt, map[any]any{}, nil, tag, []any{[]any{[]byte{}, map[any]any{1: -6}, []byte{}}}}})
	if _, err := v.Verify(envelope(t, d, [][]byte{good}, man, nil)); err != nil {
		t.Fatalf("valid COSE_Mac refused: %v", err)
	}
}
