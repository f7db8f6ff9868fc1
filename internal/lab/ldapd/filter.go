package ldapd

import (
	ber "github.com/go-asn1-ber/asn1-ber"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// maxFilterDepth bounds filter nesting, as the directory's text parser does.
const maxFilterDepth = 64

// The Filter CHOICE tags (context class) of RFC 4511, section 4.5.1.
const (
	filterAnd         ber.Tag = 0
	filterOr          ber.Tag = 1
	filterNot         ber.Tag = 2
	filterEquality    ber.Tag = 3
	filterSubstrings  ber.Tag = 4
	filterGreaterOrEq ber.Tag = 5
	filterLessOrEq    ber.Tag = 6
	filterPresent     ber.Tag = 7
	filterApprox      ber.Tag = 8
	filterExtensible  ber.Tag = 9
)

// DecodeFilter decodes a BER-encoded LDAP filter (the Filter of a
// SearchRequest) into the directory's filter type.
func DecodeFilter(p *ber.Packet) (directory.Filter, error) {
	return decodeFilter(p, 0)
}

func decodeFilter(p *ber.Packet, depth int) (directory.Filter, error) {
	if depth > maxFilterDepth {
		return directory.Filter{}, malformed("filter nested too deeply")
	}
	if p.ClassType != ber.ClassContext {
		return directory.Filter{}, malformed("filter is not context-tagged")
	}
	constructed := p.TagType == ber.TypeConstructed
	switch p.Tag {
	case filterAnd, filterOr:
		if !constructed {
			return directory.Filter{}, malformed("and/or must be constructed")
		}
		kind := directory.FilterAnd
		if p.Tag == filterOr {
			kind = directory.FilterOr
		}
		f := directory.Filter{Kind: kind}
		for _, c := range p.Children {
			cf, err := decodeFilter(c, depth+1)
			if err != nil {
				return directory.Filter{}, err
			}
			f.Children = append(f.Children, cf)
		}
		return f, nil
	case filterNot:
		if !constructed || len(p.Children) != 1 {
			return directory.Filter{}, malformed("not takes one filter")
		}
		c, err := decodeFilter(p.Children[0], depth+1)
		if err != nil {
			return directory.Filter{}, err
		}
		return directory.Not(c), nil
	case filterEquality, filterGreaterOrEq, filterLessOrEq, filterApprox:
		if !constructed || len(p.Children) != 2 {
			return directory.Filter{}, malformed("bad attribute value assertion")
		}
		attr, err := str(p.Children[0])
		if err != nil {
			return directory.Filter{}, err
		}
		value, err := str(p.Children[1])
		if err != nil {
			return directory.Filter{}, err
		}
		kinds := map[ber.Tag]directory.FilterKind{
			filterEquality:    directory.FilterEqual,
			filterGreaterOrEq: directory.FilterGreaterOrEqual,
			filterLessOrEq:    directory.FilterLessOrEqual,
			filterApprox:      directory.FilterApprox,
		}
		return directory.Filter{Kind: kinds[p.Tag], Attribute: attr, Value: value}, nil
	case filterPresent:
		if constructed {
			return directory.Filter{}, malformed("present must be primitive")
		}
		attr, err := str(p)
		if err != nil {
			return directory.Filter{}, err
		}
		return directory.Present(attr), nil
	case filterSubstrings:
		return decodeSubstrings(p)
	case filterExtensible:
		return decodeExtensible(p)
	}
	return directory.Filter{}, malformed("unknown filter choice %d", p.Tag)
}

func decodeSubstrings(p *ber.Packet) (directory.Filter, error) {
	if p.TagType != ber.TypeConstructed || len(p.Children) != 2 || p.Children[1].TagType != ber.TypeConstructed {
		return directory.Filter{}, malformed("bad substring filter")
	}
	attr, err := str(p.Children[0])
	if err != nil {
		return directory.Filter{}, err
	}
	f := directory.Filter{Kind: directory.FilterSubstrings, Attribute: attr}
	parts := p.Children[1].Children
	if len(parts) == 0 {
		return directory.Filter{}, malformed("substring filter without substrings")
	}
	for i, part := range parts {
		if part.ClassType != ber.ClassContext {
			return directory.Filter{}, malformed("bad substring")
		}
		v, err := str(part)
		if err != nil {
			return directory.Filter{}, err
		}
		switch {
		case part.Tag == 0 && i == 0:
			f.Initial = v
		case part.Tag == 1:
			f.Any = append(f.Any, v)
		case part.Tag == 2 && i == len(parts)-1:
			f.Final = v
		default:
			return directory.Filter{}, malformed("substring out of order")
		}
	}
	return f, nil
}

func decodeExtensible(p *ber.Packet) (directory.Filter, error) {
	if p.TagType != ber.TypeConstructed {
		return directory.Filter{}, malformed("bad extensible match")
	}
	f := directory.Filter{Kind: directory.FilterExtensible}
	seenValue := false
	for _, c := range p.Children {
		if c.ClassType != ber.ClassContext {
			return directory.Filter{}, malformed("bad extensible match field")
		}
		switch c.Tag {
		case 1, 2, 3:
			v, err := str(c)
			if err != nil {
				return directory.Filter{}, err
			}
			switch c.Tag {
			case 1:
				f.MatchingRule = v
			case 2:
				f.Attribute = v
			case 3:
				f.Value, seenValue = v, true
			}
		case 4:
			b := c.Data.Bytes()
			if c.TagType != ber.TypePrimitive || len(b) != 1 {
				return directory.Filter{}, malformed("bad dnAttributes")
			}
			f.DNAttributes = b[0] != 0
		default:
			return directory.Filter{}, malformed("bad extensible match field")
		}
	}
	if !seenValue || f.Attribute == "" && f.MatchingRule == "" {
		return directory.Filter{}, malformed("incomplete extensible match")
	}
	return f, nil
}
