package directory

import (
	"strings"
)

// ternary is the three-valued result of RFC 4511 filter evaluation.
type ternary int8

const (
	isFalse ternary = iota
	isTrue
	isUndefined
)

// matcher is a filter compiled for repeated evaluation: assertion values are
// decoded once (lower-cased, parsed as integers or DNs) rather than per entry.
type matcher func(src valueSource) ternary

// Match reports whether the entry matches the filter under Active Directory's
// matching rules (see the package documentation).
func (f Filter) Match(e Entry) bool {
	return compile(f)(entrySource{e}) == isTrue
}

func compile(f Filter) matcher {
	switch f.Kind {
	case FilterAnd:
		ms := compileAll(f.Children)
		return func(src valueSource) ternary {
			out := isTrue
			for _, m := range ms {
				switch m(src) {
				case isFalse:
					return isFalse
				case isUndefined:
					out = isUndefined
				}
			}
			return out
		}
	case FilterOr:
		ms := compileAll(f.Children)
		return func(src valueSource) ternary {
			out := isFalse
			for _, m := range ms {
				switch m(src) {
				case isTrue:
					return isTrue
				case isUndefined:
					out = isUndefined
				}
			}
			return out
		}
	case FilterNot:
		if len(f.Children) != 1 {
			return undefined
		}
		m := compile(f.Children[0])
		return func(src valueSource) ternary {
			switch m(src) {
			case isTrue:
				return isFalse
			case isFalse:
				return isTrue
			}
			return isUndefined
		}
	case FilterPresent:
		key := attributeKey(f.Attribute)
		if key == "objectclass" {
			return func(valueSource) ternary { return isTrue }
		}
		return func(src valueSource) ternary {
			if len(src.lookup(key)) > 0 {
				return isTrue
			}
			return isFalse
		}
	case FilterEqual, FilterApprox:
		return compileEquality(attributeKey(f.Attribute), f.Value)
	case FilterSubstrings:
		return compileSubstrings(f)
	case FilterGreaterOrEqual, FilterLessOrEqual:
		return compileOrdering(f)
	case FilterExtensible:
		return compileExtensible(f)
	}
	return undefined
}

func compileAll(fs []Filter) []matcher {
	ms := make([]matcher, len(fs))
	for i, c := range fs {
		ms[i] = compile(c)
	}
	return ms
}

func undefined(valueSource) ternary { return isUndefined }

// attributeKey lower-cases an attribute description and drops its options
// (servicePrincipalName;binary -> serviceprincipalname).
func attributeKey(attr string) string {
	if i := strings.IndexByte(attr, ';'); i >= 0 {
		attr = attr[:i]
	}
	return lower(attr)
}

// anyValue evaluates test over the attribute's values: true if one
// matches, false if none does or the attribute is absent.
func anyValue(key string, test func(string) bool) matcher {
	return func(src valueSource) ternary {
		for _, v := range src.lookup(key) {
			if test(v) {
				return isTrue
			}
		}
		return isFalse
	}
}

func compileEquality(key, assertion string) matcher {
	switch syntaxOf(key) {
	case syntaxInteger:
		want, ok := parseInteger(assertion)
		if !ok {
			return undefined
		}
		return anyValue(key, func(v string) bool {
			n, ok := parseInteger(v)
			return ok && n == want
		})
	case syntaxOctet:
		return anyValue(key, func(v string) bool { return v == assertion })
	case syntaxDN:
		if key == "objectcategory" && !strings.Contains(assertion, "=") {
			prefix := categoryPrefix(assertion)
			return anyValue(key, func(v string) bool { return strings.HasPrefix(quickNormalizeDN(v), prefix) })
		}
		want, err := NormalizeDN(assertion)
		if err != nil {
			return undefined
		}
		return anyValue(key, func(v string) bool { return quickNormalizeDN(v) == want })
	}
	want := lower(assertion)
	return anyValue(key, func(v string) bool { return lower(v) == want })
}

func compileSubstrings(f Filter) matcher {
	key := attributeKey(f.Attribute)
	fold := lower
	if syntaxOf(key) == syntaxOctet {
		fold = func(s string) string { return s }
	}
	initial, final := fold(f.Initial), fold(f.Final)
	anys := make([]string, len(f.Any))
	for i, a := range f.Any {
		anys[i] = fold(a)
	}
	return anyValue(key, func(v string) bool {
		v = fold(v)
		if !strings.HasPrefix(v, initial) {
			return false
		}
		v = v[len(initial):]
		for _, a := range anys {
			i := strings.Index(v, a)
			if i < 0 {
				return false
			}
			v = v[i+len(a):]
		}
		return strings.HasSuffix(v, final)
	})
}

func compileOrdering(f Filter) matcher {
	key := attributeKey(f.Attribute)
	ge := f.Kind == FilterGreaterOrEqual
	switch syntaxOf(key) {
	case syntaxInteger:
		want, ok := parseInteger(f.Value)
		if !ok {
			return undefined
		}
		return anyValue(key, func(v string) bool {
			n, ok := parseInteger(v)
			if !ok {
				return false
			}
			if ge {
				return n >= want
			}
			return n <= want
		})
	case syntaxDN:
		// AD defines no ordering on DN syntax.
		return undefined
	}
	want := lower(f.Value)
	return anyValue(key, func(v string) bool {
		if ge {
			return lower(v) >= want
		}
		return lower(v) <= want
	})
}

func compileExtensible(f Filter) matcher {
	key := attributeKey(f.Attribute)
	if key == "" {
		// A rule without a type would test every attribute; AD refuses
		// such filters, and rectify never sends one.
		return undefined
	}
	switch f.MatchingRule {
	case "":
		return compileEquality(key, f.Value)
	case MatchBitAnd, MatchBitOr:
		mask, ok := parseInteger(f.Value)
		if !ok {
			return undefined
		}
		and := f.MatchingRule == MatchBitAnd
		return anyValue(key, func(v string) bool {
			n, ok := parseInteger(v)
			if !ok {
				return false
			}
			// AD compares the low 32 bits as unsigned flags.
			bits := uint32(n) & uint32(mask)
			if and {
				return bits == uint32(mask)
			}
			return bits != 0
		})
	}
	return undefined
}

// quickNormalizeDN returns the canonical form of a stored DN, avoiding a full
// parse when lower-casing alone is canonical (no escapes, quotes, multi-valued
// RDNs or spaces around separators).
func quickNormalizeDN(dn string) string {
	for i := 0; i < len(dn); i++ {
		switch dn[i] {
		case '\\', '"', '+', '#', ';':
			return slowNormalizeDN(dn)
		case ' ':
			if i == 0 || i == len(dn)-1 {
				return slowNormalizeDN(dn)
			}
			switch dn[i-1] {
			case ',', '=':
				return slowNormalizeDN(dn)
			}
			switch dn[i+1] {
			case ',', '=':
				return slowNormalizeDN(dn)
			}
		}
	}
	return lower(dn)
}

func slowNormalizeDN(dn string) string {
	n, err := NormalizeDN(dn)
	if err != nil {
		return "\x00invalid"
	}
	return n
}
