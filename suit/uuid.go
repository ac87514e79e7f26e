package suit

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// UUID is an RFC 9562 universally unique identifier, the form SUIT uses for
// vendor, class and device identifiers (a 16-byte bstr on the wire).
type UUID [16]byte

// ErrInvalidUUID is returned for a string or byte slice that is not a UUID.
var ErrInvalidUUID = errors.New("suit: invalid UUID")

// Well-known RFC 9562 name-space identifiers for [NewUUID5].
var (
	NamespaceDNS  = mustUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	NamespaceURL  = mustUUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
	NamespaceOID  = mustUUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")
	NamespaceX500 = mustUUID("6ba7b814-9dad-11d1-80b4-00c04fd430c8")
)

func mustUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// ParseUUID parses the canonical 36-character form
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits in either case), with an
// optional "urn:uuid:" prefix.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	s = strings.TrimPrefix(s, "urn:uuid:")
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("%w: %q is not in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", ErrInvalidUUID, s)
	}
	compact := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(compact)); err != nil {
		return UUID{}, fmt.Errorf("%w: %q: %v", ErrInvalidUUID, s, err)
	}
	return u, nil
}

// UUIDFromBytes converts a 16-byte slice, as found in a SUIT parameter.
func UUIDFromBytes(b []byte) (UUID, error) {
	var u UUID
	if len(b) != len(u) {
		return u, fmt.Errorf("%w: %d bytes, want 16", ErrInvalidUUID, len(b))
	}
	copy(u[:], b)
	return u, nil
}

// String returns the canonical lower-case form.
func (u UUID) String() string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Bytes returns the 16 bytes as a new slice.
func (u UUID) Bytes() []byte { return bytes.Clone(u[:]) }

// NewUUID5 returns the name-based (SHA-1, version 5) UUID of name in the
// name space ns, as RFC 9562 section 5.5 defines it. The SUIT draft
// recommends vendor-id = NewUUID5(NamespaceDNS, domain) and
// class-id = NewUUID5(vendor-id, class-specific name).
func NewUUID5(ns UUID, name []byte) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// Version returns the version number held in the UUID (5 for [NewUUID5]).
func (u UUID) Version() int { return int(u[6] >> 4) }
