package discover

import "strings"

// validFQDN reports whether s is a DNS name the inventory accepts as an
// fqdn: two or more labels of ASCII letters, digits and hyphens, each 1 to
// 63 characters and not starting or ending with a hyphen, 253 characters in
// all, the last label not all digits.
func validFQDN(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 || strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
