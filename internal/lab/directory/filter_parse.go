package directory

import (
	"errors"
	"fmt"
	"strings"
)

// maxFilterDepth bounds the nesting of filters, in text and in BER.
const maxFilterDepth = 64

// ErrFilterTooDeep is returned for a filter nested deeper than the
// directory accepts.
var ErrFilterTooDeep = errors.New("filter nested too deeply")

// ParseFilter reads a filter in RFC 4515 text form, such as
// (&(objectCategory=computer)(servicePrincipalName=SMTP/ex01*)).
func ParseFilter(text string) (Filter, error) {
	p := filterParser{s: strings.TrimSpace(text)}
	f, err := p.filter(0)
	if err != nil {
		return Filter{}, fmt.Errorf("parse filter at offset %d: %w", p.pos, err)
	}
	if p.pos != len(p.s) {
		return Filter{}, fmt.Errorf("parse filter at offset %d: trailing text", p.pos)
	}
	return f, nil
}

type filterParser struct {
	s   string
	pos int
}

func (p *filterParser) filter(depth int) (Filter, error) {
	if depth > maxFilterDepth {
		return Filter{}, ErrFilterTooDeep
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '(' {
		return Filter{}, errors.New("expected '('")
	}
	p.pos++
	if p.pos >= len(p.s) {
		return Filter{}, errors.New("unexpected end")
	}
	var f Filter
	switch p.s[p.pos] {
	case '&', '|':
		kind := FilterAnd
		if p.s[p.pos] == '|' {
			kind = FilterOr
		}
		p.pos++
		f.Kind = kind
		for p.pos < len(p.s) && p.s[p.pos] == '(' {
			c, err := p.filter(depth + 1)
			if err != nil {
				return Filter{}, err
			}
			f.Children = append(f.Children, c)
		}
	case '!':
		p.pos++
		c, err := p.filter(depth + 1)
		if err != nil {
			return Filter{}, err
		}
		f = Not(c)
	default:
		item, err := p.item()
		if err != nil {
			return Filter{}, err
		}
		f = item
	}
	if p.pos >= len(p.s) || p.s[p.pos] != ')' {
		return Filter{}, errors.New("expected ')'")
	}
	p.pos++
	return f, nil
}

// item parses a simple, present, substring or extensible filter up to the
// closing parenthesis (not consumed).
func (p *filterParser) item() (Filter, error) {
	end := strings.IndexByte(p.s[p.pos:], ')')
	if end < 0 {
		return Filter{}, errors.New("expected ')'")
	}
	body := p.s[p.pos : p.pos+end]
	if strings.ContainsRune(body, '(') {
		return Filter{}, errors.New("unescaped '(' in value")
	}
	eq := strings.IndexByte(body, '=')
	if eq <= 0 {
		return Filter{}, errors.New("expected attribute=value")
	}
	lhs, raw := body[:eq], body[eq+1:]
	p.pos += end
	var f Filter
	switch {
	case strings.HasSuffix(lhs, ">"):
		f = Filter{Kind: FilterGreaterOrEqual, Attribute: lhs[:len(lhs)-1]}
	case strings.HasSuffix(lhs, "<"):
		f = Filter{Kind: FilterLessOrEqual, Attribute: lhs[:len(lhs)-1]}
	case strings.HasSuffix(lhs, "~"):
		f = Filter{Kind: FilterApprox, Attribute: lhs[:len(lhs)-1]}
	case strings.HasSuffix(lhs, ":"):
		return extensibleItem(lhs[:len(lhs)-1], raw)
	default:
		if raw == "*" {
			if !validAttribute(lhs) {
				return Filter{}, fmt.Errorf("invalid attribute %q", lhs)
			}
			return Present(lhs), nil
		}
		if strings.Contains(raw, "*") {
			return substringItem(lhs, raw)
		}
		f = Filter{Kind: FilterEqual, Attribute: lhs}
	}
	if !validAttribute(f.Attribute) {
		return Filter{}, fmt.Errorf("invalid attribute %q", f.Attribute)
	}
	v, err := unescapeValue(raw)
	if err != nil {
		return Filter{}, err
	}
	f.Value = v
	return f, nil
}

func substringItem(attr, raw string) (Filter, error) {
	if !validAttribute(attr) {
		return Filter{}, fmt.Errorf("invalid attribute %q", attr)
	}
	parts := strings.Split(raw, "*")
	f := Filter{Kind: FilterSubstrings, Attribute: attr}
	for i, part := range parts {
		v, err := unescapeValue(part)
		if err != nil {
			return Filter{}, err
		}
		switch {
		case i == 0:
			f.Initial = v
		case i == len(parts)-1:
			f.Final = v
		case v == "":
			return Filter{}, errors.New("empty substring between '*'")
		default:
			f.Any = append(f.Any, v)
		}
	}
	return f, nil
}

// extensibleItem parses attr[:dn][:rule] or [:dn]:rule (the text before ":=").
func extensibleItem(lhs, raw string) (Filter, error) {
	f := Filter{Kind: FilterExtensible}
	parts := strings.Split(lhs, ":")
	f.Attribute = parts[0]
	for _, part := range parts[1:] {
		switch {
		case strings.EqualFold(part, "dn") && !f.DNAttributes && f.MatchingRule == "":
			f.DNAttributes = true
		case part != "" && f.MatchingRule == "":
			f.MatchingRule = part
		default:
			return Filter{}, fmt.Errorf("invalid extensible match %q", lhs)
		}
	}
	if f.Attribute == "" && f.MatchingRule == "" {
		return Filter{}, errors.New("extensible match needs a type or a rule")
	}
	if f.Attribute != "" && !validAttribute(f.Attribute) {
		return Filter{}, fmt.Errorf("invalid attribute %q", f.Attribute)
	}
	v, err := unescapeValue(raw)
	if err != nil {
		return Filter{}, err
	}
	f.Value = v
	return f, nil
}

// validAttribute accepts a descriptor or a numeric OID with options.
func validAttribute(a string) bool {
	if a == "" {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ';' || c == '_') {
			return false
		}
	}
	return true
}

func unescapeValue(s string) (string, error) {
	if !strings.ContainsRune(s, '\\') {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("truncated escape")
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", errors.New("invalid escape")
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
