package process

import (
	"strconv"

	"github.com/suitkit/suitkit/suit"
)

// sectionName names a manifest section for reports and errors.
func sectionName(s int64) string {
	switch s {
	case suit.CommonSharedSequence:
		return "shared"
	case 0:
		return "none"
	}
	if n := suit.ManifestKeyName(s); n != "" {
		return n[len("suit-"):]
	}
	return "section " + strconv.FormatInt(s, 10)
}

// commandName names a command for reports and errors.
func commandName(c int64) string {
	if n := suit.CommandName(c); n != "" {
		return n
	}
	return "command " + strconv.FormatInt(c, 10)
}
