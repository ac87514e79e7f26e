package suit

import (
	"encoding/hex"
	"strings"
)

// ComponentID is a SUIT_Component_Identifier: a list of byte strings that
// names one component, for example [h'00'] or ['usr', 'bin', 'env']. The
// empty list is valid.
type ComponentID [][]byte

// Equal reports whether c and o name the same component.
func (c ComponentID) Equal(o ComponentID) bool {
	if len(c) != len(o) {
		return false
	}
	for i := range c {
		if string(c[i]) != string(o[i]) {
			return false
		}
	}
	return true
}

// HasPrefix reports whether the first elements of c are those of p (as used
// by trust-domains dependency prefixes and component ACLs).
func (c ComponentID) HasPrefix(p ComponentID) bool {
	if len(p) > len(c) {
		return false
	}
	return ComponentID(c[:len(p)]).Equal(p)
}

// String returns c in CBOR diagnostic notation, for example "[h'00']" or
// "[h'757372', h'62696e']".
func (c ComponentID) String() string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, e := range c {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("h'")
		sb.WriteString(hex.EncodeToString(e))
		sb.WriteByte('\'')
	}
	sb.WriteByte(']')
	return sb.String()
}

// Clone returns a deep copy of c that does not alias the decoded input.
func (c ComponentID) Clone() ComponentID {
	if c == nil {
		return nil
	}
	out := make(ComponentID, len(c))
	for i, e := range c {
		out[i] = append([]byte{}, e...)
	}
	return out
}
