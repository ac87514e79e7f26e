package verify

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/keys"
)

// rawSign1 assembles a tagged COSE_Sign1 from raw pieces, with a valid
// signature over the protected bytes as given, so that only the encoding
// rules can make it fail.
func rawSign1(t *testing.T, s signer, prot, unprot, payload, digest []byte) []byte {
	t.Helper()
	sig := s.raw(t, enc(t, []any{"Signature1", prot, []byte{}, digest}))
	b := []byte{0xd2, 0x84}
	b = cose.AppendBstr(b, prot)
	b = append(b, unprot...)
	b = append(b, payload...)
	return cose.AppendBstr(b, sig)
}

// TestCOSEStrictEncoding: the protected header (a bstr that the envelope
// parser cannot look into) and the block structure must be well-formed CBOR
// in shortest form with the expected types; map keys may come in any order
// (COSE is not SUIT) but never twice. Every malformed variant carries
// a valid signature over its protected bytes and is still rejected.
func TestCOSEStrictEncoding(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	v := mustVerifier(t, []*Key{key}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	deep := append(append([]byte{0xa2, 0x01, 0x26, 0x18, 0x64}, bytes.Repeat([]byte{0x81}, 20)...), 0x00)
	cases := []struct {
		name          string
		prot, unprot  []byte
		payload       []byte
		ok            bool
		alsoMalformed bool
	}{
		{name: "valid", prot: []byte{0xa1, 0x01, 0x26}, ok: true},
		{name: "valid, unknown non-critical labels", prot: []byte{0xa3, 0x01, 0x26, 0x18, 0x64, 0x00, 0x63, 'f', 'o', 'o', 0xf5}, ok: true},
		{name: "valid, kid in unprotected", prot: []byte{0xa1, 0x01, 0x26}, unprot: []byte{0xa1, 0x04, 0x42, 'k', '1'}, ok: true},
		{name: "alg not in shortest form", prot: []byte{0xa1, 0x01, 0x38, 0x06}, alsoMalformed: true},
		{name: "label not in shortest form", prot: []byte{0xa1, 0x18, 0x01, 0x26}, alsoMalformed: true},
		{name: "duplicate alg", prot: []byte{0xa2, 0x01, 0x26, 0x01, 0x26}, alsoMalformed: true},
		{name: "duplicate alg, different values", prot: []byte{0xa2, 0x01, 0x26, 0x01, 0x27}, alsoMalformed: true},
		// COSE (RFC 9052) does not require deterministic encoding: keys out
		// of bytewise order are accepted, duplicates never.
		{name: "valid, protected keys out of order", prot: []byte{0xa2, 0x04, 0x41, 0x00, 0x01, 0x26}, ok: true},
		{name: "valid, unprotected keys out of order", prot: []byte{0xa1, 0x01, 0x26}, unprot: []byte{0xa2, 0x18, 0x64, 0x00, 0x04, 0x42, 'k', '1'}, ok: true},
		{name: "duplicate alg after keys out of order", prot: []byte{0xa3, 0x01, 0x26, 0x04, 0x41, 0x00, 0x01, 0x26}, alsoMalformed: true},
		{name: "duplicate kid, unprotected out of order", prot: []byte{0xa1, 0x01, 0x26}, unprot: []byte{0xa3, 0x18, 0x64, 0x00, 0x04, 0x41, 'k', 0x04, 0x41, 'k'}, alsoMalformed: true},
		{name: "indefinite-length map", prot: []byte{0xbf, 0x01, 0x26, 0xff}, alsoMalformed: true},
		{name: "trailing byte", prot: []byte{0xa1, 0x01, 0x26, 0x00}, alsoMalformed: true},
		{name: "alg as float", prot: []byte{0xa1, 0x01, 0xf9, 0x3c, 0x00}, alsoMalformed: true},
		{name: "tag in a header value", prot: []byte{0xa2, 0x01, 0x26, 0x18, 0x64, 0xc1, 0x00}, alsoMalformed: true},
		{name: "bstr label", prot: []byte{0xa2, 0x01, 0x26, 0x41, 0x01, 0x00}, alsoMalformed: true},
		{name: "protected not a map", prot: []byte{0x82, 0x01, 0x26}, alsoMalformed: true},
		{name: "empty protected, alg unprotected", prot: []byte{}, unprot: []byte{0xa1, 0x01, 0x26}, alsoMalformed: true},
		{name: "empty protected map", prot: []byte{0xa0}, alsoMalformed: true},
		{name: "deep nesting in a header value", prot: deep, alsoMalformed: true},
		{name: "kid not a bstr", prot: []byte{0xa1, 0x01, 0x26}, unprot: []byte{0xa1, 0x04, 0x01}, alsoMalformed: true},
		{name: "kid duplicated across buckets", prot: []byte{0xa2, 0x01, 0x26, 0x04, 0x41, 0x01}, unprot: []byte{0xa1, 0x04, 0x41, 0x01}, alsoMalformed: true},
		{name: "crit in unprotected", prot: []byte{0xa1, 0x01, 0x26}, unprot: []byte{0xa1, 0x02, 0x81, 0x01}, alsoMalformed: true},
		{name: "empty crit", prot: []byte{0xa2, 0x01, 0x26, 0x02, 0x80}, alsoMalformed: true},
		{name: "alg unsigned huge", prot: []byte{0xa1, 0x01, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, alsoMalformed: true},
		{name: "empty payload bstr (attached)", prot: []byte{0xa1, 0x01, 0x26}, payload: []byte{0x40}, alsoMalformed: true},
		{name: "valid, ESP256 (-9)", prot: []byte{0xa1, 0x01, 0x28}, ok: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.unprot == nil {
				c.unprot = []byte{0xa0}
			}
			if c.payload == nil {
				c.payload = []byte{0xf6}
			}
			blk := rawSign1(t, s, c.prot, c.unprot, c.payload, d)
			res, err := v.Verify(envelope(t, d, [][]byte{blk}, man, nil))
			if c.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil || res != nil {
				t.Fatal("accepted")
			}
			if c.alsoMalformed && !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed too", err)
			}
		})
	}
}

// TestCOSEStructureRejected: block-level shapes other than a tagged
// 4-element Sign1/Mac0 (5 for Mac) are rejected.
func TestCOSEStructureRejected(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	v := mustVerifier(t, []*Key{key}, nil)
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	good := rawSign1(t, s, []byte{0xa1, 0x01, 0x26}, []byte{0xa0}, []byte{0xf6}, d)
	if _, err := v.Verify(envelope(t, d, [][]byte{good}, man, nil)); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"untagged":            good[1:],
		"tag 16 (Encrypt0)":   append([]byte{0xd0}, good[1:]...),
		"tag 19 (unknown)":    append([]byte{0xd3}, good[1:]...),
		"five elements":       append(append([]byte{0xd2, 0x85}, good[2:]...), 0x00),
		"three elements":      append([]byte{0xd2, 0x83}, good[2:len(good)-66]...),
		"signature as text":   append(append([]byte(nil), good[:len(good)-66]...), append([]byte{0x78, 0x40}, good[len(good)-64:]...)...),
		"nested tag 18 twice": append([]byte{0xd2}, good...),
		"empty block":         {},
	}
	for name, blk := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := v.Verify(envelope(t, d, [][]byte{blk}, man, nil))
			if err == nil || res != nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrUnauthenticated) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error class: %v", err)
			}
		})
	}
}
