package suit

import (
	"bytes"
	"math"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
)

// Structures of other specifications embedded in a manifest or envelope
// (the COSE authentication blocks, the COSE_Encrypt in
// suit-parameter-encryption-info, a CoSWID) follow their own
// specifications, and neither RFC 9052 nor RFC 9393 requires deterministic
// encoding: the firmware-encryption draft's own ES-DH examples carry a
// recipient header {-1: key, 4: kid}, out of bytewise order. The codec
// keeps such an item as the exact bytes received (they are what the
// manifest digest and any COSE signature cover) and checks only that it is
// well-formed CBOR within the decode limits:
//
//   - map keys in any order, but never duplicated (RFC 9052 section 3 and
//     RFC 8949 section 5.6 make a map with a repeated key invalid); a map
//     of more than 64 entries must be in deterministic order, so that the
//     duplicate check stays linear (ErrLimit otherwise);
//   - heads in any length (non-shortest arguments are well-formed);
//   - floats and simple values (a CoSWID or a COSE header may hold them);
//   - every declared length and count checked against the bytes that remain,
//     MaxDepth and MaxElements as everywhere else;
//   - text strings valid UTF-8;
//   - no indefinite-length items: they are well-formed, but nothing a SUIT
//     processor consumes needs them, and refusing them keeps every reader of
//     these bytes (verify's COSE reader, the decryptor) on definite lengths.
//     They are reported as ErrUnsupported.
//
// SUIT's own structures around them stay strictly deterministic, and
// everything suitkit encodes is deterministic.

// maxUnorderedKeys is the largest map of a foreign structure whose keys
// may come in any order.
const maxUnorderedKeys = 64

// foreignHead reads one item head under the foreign-structure rules.
func (d *dec) foreignHead() (byte, uint64, error) {
	start := d.off
	maj, ai, arg, n, err := cbor.ReadHead(d.b[start:])
	switch err {
	case nil:
	case cbor.ErrTruncated:
		return 0, 0, d.fail(ErrMalformed, start, "unexpected end of input in an item head")
	case cbor.ErrIndefinite:
		switch maj {
		case cbor.Bytes, cbor.Text, cbor.Array, cbor.Map:
			return 0, 0, d.fail(ErrUnsupported, start, "indefinite-length item in an embedded structure")
		}
		return 0, 0, d.fail(ErrMalformed, start, "invalid initial byte 0x%02x", d.b[start])
	default:
		return 0, 0, d.fail(ErrMalformed, start, "reserved initial byte 0x%02x", d.b[start])
	}
	if maj == cbor.Simple && ai == cbor.AI1Byte && arg < 32 {
		// RFC 8949 section 3.3: simple values 0..31 in the two-byte form
		// are not well-formed.
		return 0, 0, d.fail(ErrMalformed, start, "simple value %d in two-byte form is not well-formed", arg)
	}
	d.off = start + n
	return maj, arg, nil
}

// foreign validates one item of an embedded foreign structure (see above)
// at depth and returns its exact encoding.
func (d *dec) foreign(depth int) ([]byte, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	m, arg, err := d.foreignHead()
	if err != nil {
		return nil, err
	}
	switch m {
	case cbor.Bytes, cbor.Text:
		s, err := d.take(arg, start)
		if err != nil {
			return nil, err
		}
		if m == cbor.Text && !utf8.Valid(s) {
			d.off = start
			return nil, d.fail(ErrMalformed, start, "text string is not valid UTF-8")
		}
	case cbor.Array:
		n, err := d.count(arg, start, 1, math.MaxInt, "array")
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			if _, err := d.foreign(depth + 1); err != nil {
				return nil, err
			}
		}
	case cbor.Map:
		n, err := d.count(arg, start, 2, math.MaxInt, "map")
		if err != nil {
			return nil, err
		}
		// A small map (COSE headers, CoSWID entries) may come in any
		// order: each key is compared with those before it. A larger map
		// must have its keys in deterministic order (increasing bytes,
		// shortest heads), which rules out duplicates without a
		// quadratic check.
		var keysBuf [maxUnorderedKeys][]byte
		seen := keysBuf[:0]
		var prev []byte
		for i := 0; i < n; i++ {
			kAt := d.off
			k, err := d.foreign(depth + 1)
			if err != nil {
				return nil, err
			}
			if n > maxUnorderedKeys {
				_, ai, arg, _, _ := cbor.ReadHead(k)
				if (prev != nil && bytes.Compare(prev, k) >= 0) || (k[0]>>5 != cbor.Simple && !cbor.Shortest(ai, arg)) {
					d.off = kAt
					return nil, d.fail(ErrLimit, kAt, "a map of %d entries (more than %d) in an embedded structure must have its keys in deterministic order", n, maxUnorderedKeys)
				}
				prev = k
			} else {
				for _, p := range seen {
					if sameKey(p, k) {
						d.off = kAt
						return nil, d.fail(ErrMalformed, kAt, "duplicate map key")
					}
				}
				seen = append(seen, k)
			}
			if _, err := d.foreign(depth + 1); err != nil {
				return nil, err
			}
		}
	case cbor.Tag:
		if _, err := d.foreign(depth + 1); err != nil {
			return nil, err
		}
	}
	return d.b[start:d.off], nil
}

// wrappedForeign reads a bstr holding exactly one foreign item whose major
// type is want (0xff for any) and validates it under the foreign rules.
func (d *dec) wrappedForeign(depth int, want byte, what string) error {
	if err := d.depthOK(depth + 1); err != nil {
		return err
	}
	sub, err := d.wrapped()
	if err != nil {
		return err
	}
	if m, _ := sub.peek(); want != 0xff && m != want {
		return sub.fail(ErrMalformed, 0, "%s must wrap %s", what, majName(want, 0))
	}
	if _, err := sub.foreign(depth + 1); err != nil {
		return err
	}
	return sub.end()
}

// sameKey reports whether two encoded map keys denote the same value: an
// integer or string key can be written with heads of different lengths.
// Other keys (arrays, maps, tags, floats) are compared as bytes.
func sameKey(a, b []byte) bool {
	ma, _, argA, na, errA := cbor.ReadHead(a)
	mb, _, argB, nb, errB := cbor.ReadHead(b)
	if errA != nil || errB != nil || ma != mb || ma > cbor.Text {
		return bytes.Equal(a, b)
	}
	if argA != argB {
		return false
	}
	return ma <= cbor.Nint || bytes.Equal(a[na:], b[nb:])
}
