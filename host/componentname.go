package host

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/process"
)

// componentPrefix starts every component file name of a directory device.
const componentPrefix = "comp"

// maxFileNameLen bounds the file name of a component (file systems allow 255).
const maxFileNameLen = 200

// componentFileName returns the file name a directory device uses for a
// component: "comp" followed by ".<hex>" for each byte string of the
// identifier, e.g. [h'00'] is "comp.00" and ['usr','bin'] is
// "comp.757372.62696e". The encoding is reversible (see
// parseComponentFileName) and never contains a path separator or "..", so a
// manifest cannot name a file outside the device directory. Identifiers whose
// name would exceed 200 bytes are rejected with an error matching process.ErrComponent.
func componentFileName(id [][]byte) (string, error) {
	n := len(componentPrefix)
	for _, s := range id {
		n += 1 + 2*len(s)
		if n > maxFileNameLen {
			return "", fmt.Errorf("%w: component identifier too long for a file name", process.ErrComponent)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(componentPrefix)
	for _, s := range id {
		b.WriteByte('.')
		b.WriteString(hex.EncodeToString(s))
	}
	return b.String(), nil
}

// parseComponentFileName reverses componentFileName. It reports false for a
// name that componentFileName cannot have produced.
func parseComponentFileName(name string) ([][]byte, bool) {
	if len(name) > maxFileNameLen || !strings.HasPrefix(name, componentPrefix) {
		return nil, false
	}
	rest := name[len(componentPrefix):]
	id := [][]byte{}
	if rest == "" {
		return id, true
	}
	if rest[0] != '.' {
		return nil, false
	}
	for _, seg := range strings.Split(rest[1:], ".") {
		if strings.ToLower(seg) != seg {
			return nil, false // only the canonical lower-case form
		}
		b, err := hex.DecodeString(seg)
		if err != nil {
			return nil, false
		}
		id = append(id, b)
	}
	return id, true
}
