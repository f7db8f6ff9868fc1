package ldap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// matchingRuleBitAnd is LDAP_MATCHING_RULE_BIT_AND.
const matchingRuleBitAnd = "1.2.840.113556.1.4.803"

// RenderFilter turns a structured filter into RFC 4515 text. Every value
// goes through ldap.EscapeFilter, so metacharacters (*, (, ), \, NUL) and
// non-ASCII bytes match literally; attribute names must be descriptors
// (letters, digits, hyphens) or numeric OIDs. This is the only way the
// package builds filter text.
func RenderFilter(f actions.Filter) (string, error) {
	var b strings.Builder
	if err := renderFilter(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}

func renderFilter(b *strings.Builder, f actions.Filter) error {
	switch f := f.(type) {
	case nil:
		return errors.New("filter: nil filter")
	case actions.And:
		return renderSet(b, '&', f)
	case actions.Or:
		return renderSet(b, '|', f)
	case actions.Not:
		b.WriteString("(!")
		if err := renderFilter(b, f.Filter); err != nil {
			return err
		}
		b.WriteByte(')')
	case actions.Equal:
		if err := checkAttribute(f.Attribute); err != nil {
			return err
		}
		b.WriteByte('(')
		b.WriteString(f.Attribute)
		b.WriteByte('=')
		b.WriteString(goldap.EscapeFilter(f.Value))
		b.WriteByte(')')
	case actions.Present:
		if err := checkAttribute(f.Attribute); err != nil {
			return err
		}
		b.WriteByte('(')
		b.WriteString(f.Attribute)
		b.WriteString("=*)")
	case actions.BitAnd:
		if err := checkAttribute(f.Attribute); err != nil {
			return err
		}
		b.WriteByte('(')
		b.WriteString(f.Attribute)
		b.WriteString(":" + matchingRuleBitAnd + ":=")
		b.WriteString(strconv.FormatUint(uint64(f.Mask), 10))
		b.WriteByte(')')
	case actions.Substring:
		return renderSubstring(b, f)
	default:
		return fmt.Errorf("filter: unsupported filter type %T", f)
	}
	return nil
}

func renderSet(b *strings.Builder, op byte, set []actions.Filter) error {
	if len(set) == 0 {
		return fmt.Errorf("filter: empty (%c) set", op)
	}
	b.WriteByte('(')
	b.WriteByte(op)
	for _, f := range set {
		if err := renderFilter(b, f); err != nil {
			return err
		}
	}
	b.WriteByte(')')
	return nil
}

func renderSubstring(b *strings.Builder, f actions.Substring) error {
	if err := checkAttribute(f.Attribute); err != nil {
		return err
	}
	if f.Initial == "" && f.Final == "" && len(f.Any) == 0 {
		return fmt.Errorf("filter: substring on %s has no parts (use Present)", f.Attribute)
	}
	b.WriteByte('(')
	b.WriteString(f.Attribute)
	b.WriteByte('=')
	b.WriteString(goldap.EscapeFilter(f.Initial))
	b.WriteByte('*')
	for _, part := range f.Any {
		if part == "" {
			return fmt.Errorf("filter: substring on %s has an empty middle part", f.Attribute)
		}
		b.WriteString(goldap.EscapeFilter(part))
		b.WriteByte('*')
	}
	b.WriteString(goldap.EscapeFilter(f.Final))
	b.WriteByte(')')
	return nil
}

// checkAttribute accepts an attribute descriptor (a letter, then letters,
// digits and hyphens) or a numeric OID, and nothing else: attribute names
// are not escaped, so they must not carry filter syntax.
func checkAttribute(name string) error {
	if name == "" {
		return errors.New("filter: empty attribute name")
	}
	if isDescriptor(name) || isNumericOID(name) {
		return nil
	}
	return fmt.Errorf("filter: invalid attribute name %q", name)
}

func isDescriptor(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}

func isNumericOID(s string) bool {
	for _, arc := range strings.Split(s, ".") {
		if arc == "" {
			return false
		}
		for i := 0; i < len(arc); i++ {
			if arc[i] < '0' || arc[i] > '9' {
				return false
			}
		}
	}
	return true
}
