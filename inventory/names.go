package inventory

import (
	"net/netip"
	"strings"
)

// validDNSName reports whether s is a DNS name of at least minLabels labels:
// labels of letters, digits and hyphens, 1 to 63 characters, not starting
// or ending with a hyphen, 253 characters in all. A trailing dot is allowed.
func validDNSName(s string, minLabels int) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < minLabels {
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

// ValidFQDN reports whether s is a fully qualified host name as a host's
// fqdn must be: a DNS name of at least two labels whose last label is not
// all digits (so that an IPv4 address is not taken for a name). Discovery
// keeps only hosts whose directory names pass it.
func ValidFQDN(s string) bool {
	if !validDNSName(s, 2) {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// validAddress reports whether s is an IP address or a host name, without a
// port (the port belongs in the winrm block).
func validAddress(s string) bool {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Zone() == ""
	}
	return validDNSName(s, 1)
}

// canonicalDomain is the form domain names are compared in.
func canonicalDomain(s string) string {
	return strings.ToLower(strings.TrimSuffix(s, "."))
}

// baseDNOf derives the default search base of a domain:
// corp.example.com gives DC=corp,DC=example,DC=com.
func baseDNOf(domain string) string {
	labels := strings.Split(canonicalDomain(domain), ".")
	for i, l := range labels {
		labels[i] = "DC=" + l
	}
	return strings.Join(labels, ",")
}
