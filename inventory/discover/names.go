package discover

import (
	"strconv"
	"strings"
)

// SafeName maps a name from the directory to an inventory name: lower-case
// ASCII letters, digits, hyphens and underscores, starting with a letter.
// Every other character becomes a hyphen, so that look-alike letters from
// other scripts never produce a name that reads as another host's.
func SafeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
			dash = false
		default:
			if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	name := strings.Trim(b.String(), "-_")
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-_")
	}
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "host-" + name
		name = strings.TrimRight(name, "-")
	}
	return name
}

// nameSet hands out unique safe names.
type nameSet map[string]bool

// unique returns SafeName(s), with -2, -3 ... appended when it is taken.
func (n nameSet) unique(s string) string {
	base := SafeName(s)
	name := base
	for i := 2; n[name]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	n[name] = true
	return name
}
