package process

import "fmt"

func sectionName(s int64) string {
	switch s {
	case 4:
		return "shared"
	case 7:
		return "validate"
	case 8:
		return "load"
	case 9:
		return "invoke"
	case 16:
		return "payload-fetch"
	case 20:
		return "install"
	}
	return fmt.Sprintf("section%d", s)
}

func commandName(c int64) string { return fmt.Sprintf("command %d", c) }
