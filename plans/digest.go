package plans

import "strings"

// shortDigestLength is how many hex digits of a digest ShortDigest keeps:
// 48 bits, enough to tell apart the plans, playbooks and inventories one
// journal sees, as git's short commit names do.
const shortDigestLength = 12

// ShortDigest returns the form in which a digest is shown to people: its
// algorithm and the first 12 hex digits ("sha256:0123456789ab"). A text
// without an algorithm prefix keeps its first 12 characters; a shorter
// digest is returned whole.
func ShortDigest(d string) string {
	prefix := 0
	if i := strings.IndexByte(d, ':'); i >= 0 {
		prefix = i + 1
	}
	if len(d) > prefix+shortDigestLength {
		return d[:prefix+shortDigestLength]
	}
	return d
}
