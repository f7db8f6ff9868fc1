package directory

import (
	"sort"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// NormalizeDN returns the canonical form of dn: escapes resolved and
// re-applied canonically (RFC 4514), attribute types and values case-folded,
// no insignificant spaces, multi-valued RDNs sorted. Two spellings of one
// name have the same canonical form. The empty DN is the root.
func NormalizeDN(dn string) (string, error) {
	if strings.TrimSpace(dn) == "" {
		return "", nil
	}
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return "", err
	}
	if len(parsed.RDNs) == 0 {
		return "", nil
	}
	var b strings.Builder
	for i, rdn := range parsed.RDNs {
		if i > 0 {
			b.WriteByte(',')
		}
		parts := make([]string, len(rdn.Attributes))
		for j, atv := range rdn.Attributes {
			parts[j] = lower(atv.Type) + "=" + ldap.EscapeDN(lower(atv.Value))
		}
		sort.Strings(parts)
		b.WriteString(strings.Join(parts, "+"))
	}
	return b.String(), nil
}

// parentNDN returns the canonical DN of the parent of the canonical DN ndn,
// "" for a top-level name.
func parentNDN(ndn string) string {
	// A canonical DN escapes every comma inside a value as "\,", so the
	// first unescaped comma ends the RDN.
	for i := 0; i < len(ndn); i++ {
		switch ndn[i] {
		case '\\':
			i++
		case ',':
			return ndn[i+1:]
		}
	}
	return ""
}

// rdnValue returns the unescaped value of the first RDN of dn, "" if dn
// does not parse.
func rdnValue(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil || len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) == 0 {
		return ""
	}
	return parsed.RDNs[0].Attributes[0].Value
}

// isUnder reports whether canonical DN ndn is base or lies below it.
func isUnder(ndn, base string) bool {
	if base == "" {
		return true
	}
	if ndn == base {
		return true
	}
	return len(ndn) > len(base) && ndn[len(ndn)-len(base)-1] == ',' &&
		ndn[len(ndn)-len(base):] == base && !escapedAt(ndn, len(ndn)-len(base)-1)
}

// escapedAt reports whether the byte at i is escaped by a backslash run.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// DomainDNSName returns the DNS name of a domain naming context
// (DC=corp,DC=example,DC=com -> corp.example.com).
func DomainDNSName(root string) string {
	parsed, err := ldap.ParseDN(root)
	if err != nil {
		return ""
	}
	var labels []string
	for _, rdn := range parsed.RDNs {
		for _, a := range rdn.Attributes {
			if strings.EqualFold(a.Type, "dc") {
				labels = append(labels, a.Value)
			}
		}
	}
	return strings.ToLower(strings.Join(labels, "."))
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}
