package directory

import "strings"

// FilterKind is the choice of an LDAP filter (RFC 4511, section 4.5.1.7).
type FilterKind int

// The filter choices.
const (
	FilterAnd FilterKind = iota + 1
	FilterOr
	FilterNot
	FilterEqual
	FilterSubstrings
	FilterGreaterOrEqual
	FilterLessOrEqual
	FilterPresent
	FilterApprox
	FilterExtensible
)

// The bitwise matching rules of Active Directory.
const (
	// MatchBitAnd matches an integer with every bit of the assertion set.
	MatchBitAnd = "1.2.840.113556.1.4.803"
	// MatchBitOr matches an integer with any bit of the assertion set.
	MatchBitOr = "1.2.840.113556.1.4.804"
)

// Filter is a decoded LDAP search filter. The LDAP server decodes the BER
// filter of a request into one; ParseFilter reads the RFC 4515 text form.
// The zero Filter matches nothing.
type Filter struct {
	Kind FilterKind
	// Children holds the operands of And and Or, and the one operand of Not.
	Children []Filter
	// Attribute is the attribute description (empty only in an extensible
	// match without a type).
	Attribute string
	// Value is the assertion value of Equal, GreaterOrEqual, LessOrEqual,
	// Approx and Extensible.
	Value string
	// Initial, Any and Final are the parts of a Substrings filter; an empty
	// Initial or Final is absent.
	Initial string
	Any     []string
	Final   string
	// MatchingRule is the OID of an extensible match's rule.
	MatchingRule string
	// DNAttributes is the dnAttributes flag of an extensible match.
	DNAttributes bool
}

// And matches entries matching every operand.
func And(operands ...Filter) Filter { return Filter{Kind: FilterAnd, Children: operands} }

// Or matches entries matching any operand.
func Or(operands ...Filter) Filter { return Filter{Kind: FilterOr, Children: operands} }

// Not matches entries the operand does not match.
func Not(operand Filter) Filter { return Filter{Kind: FilterNot, Children: []Filter{operand}} }

// Equal matches entries with a value equal to value under the attribute's
// matching rule.
func Equal(attr, value string) Filter {
	return Filter{Kind: FilterEqual, Attribute: attr, Value: value}
}

// Present matches entries that hold the attribute.
func Present(attr string) Filter { return Filter{Kind: FilterPresent, Attribute: attr} }

// Substrings matches values starting with initial, containing every any part
// in order, and ending with final.
func Substrings(attr, initial string, any []string, final string) Filter {
	return Filter{Kind: FilterSubstrings, Attribute: attr, Initial: initial, Any: any, Final: final}
}

// GreaterOrEqual matches values ordered at or after value.
func GreaterOrEqual(attr, value string) Filter {
	return Filter{Kind: FilterGreaterOrEqual, Attribute: attr, Value: value}
}

// LessOrEqual matches values ordered at or before value.
func LessOrEqual(attr, value string) Filter {
	return Filter{Kind: FilterLessOrEqual, Attribute: attr, Value: value}
}

// Extensible matches with the named matching rule, such as MatchBitAnd.
func Extensible(attr, rule, value string) Filter {
	return Filter{Kind: FilterExtensible, Attribute: attr, MatchingRule: rule, Value: value}
}

// String renders the filter in RFC 4515 text form, escaping every value.
func (f Filter) String() string {
	var b strings.Builder
	f.write(&b)
	return b.String()
}

func (f Filter) write(b *strings.Builder) {
	b.WriteByte('(')
	switch f.Kind {
	case FilterAnd, FilterOr:
		if f.Kind == FilterAnd {
			b.WriteByte('&')
		} else {
			b.WriteByte('|')
		}
		for _, c := range f.Children {
			c.write(b)
		}
	case FilterNot:
		b.WriteByte('!')
		if len(f.Children) > 0 {
			f.Children[0].write(b)
		}
	case FilterEqual:
		b.WriteString(f.Attribute + "=" + escapeValue(f.Value))
	case FilterGreaterOrEqual:
		b.WriteString(f.Attribute + ">=" + escapeValue(f.Value))
	case FilterLessOrEqual:
		b.WriteString(f.Attribute + "<=" + escapeValue(f.Value))
	case FilterApprox:
		b.WriteString(f.Attribute + "~=" + escapeValue(f.Value))
	case FilterPresent:
		b.WriteString(f.Attribute + "=*")
	case FilterSubstrings:
		b.WriteString(f.Attribute + "=" + escapeValue(f.Initial) + "*")
		for _, a := range f.Any {
			b.WriteString(escapeValue(a) + "*")
		}
		b.WriteString(escapeValue(f.Final))
	case FilterExtensible:
		b.WriteString(f.Attribute)
		if f.DNAttributes {
			b.WriteString(":dn")
		}
		if f.MatchingRule != "" {
			b.WriteString(":" + f.MatchingRule)
		}
		b.WriteString(":=" + escapeValue(f.Value))
	}
	b.WriteByte(')')
}

// escapeValue escapes an assertion value as RFC 4515 requires.
func escapeValue(v string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '(' || c == ')' || c == '*' || c == '\\' || c == 0 || c >= 0x80:
			b.WriteByte('\\')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
