package directory

import (
	"fmt"
	"strconv"

	"github.com/rectifyhq/rectify/actions"
)

// FromAction converts rectify's structured filter into the directory's, so
// that a test can check the text a client renders (parsed with ParseFilter)
// against the filter it meant, and evaluate either against entries.
func FromAction(f actions.Filter) (Filter, error) {
	switch f := f.(type) {
	case actions.And:
		return fromActions(FilterAnd, f)
	case actions.Or:
		return fromActions(FilterOr, f)
	case actions.Not:
		inner, err := FromAction(f.Filter)
		if err != nil {
			return Filter{}, err
		}
		return Not(inner), nil
	case actions.Equal:
		return Equal(f.Attribute, f.Value), nil
	case actions.Present:
		return Present(f.Attribute), nil
	case actions.BitAnd:
		return Extensible(f.Attribute, MatchBitAnd, strconv.FormatUint(uint64(f.Mask), 10)), nil
	case actions.Substring:
		return Substrings(f.Attribute, f.Initial, f.Any, f.Final), nil
	}
	return Filter{}, fmt.Errorf("filter type %T has no LDAP form", f)
}

func fromActions(kind FilterKind, operands []actions.Filter) (Filter, error) {
	out := Filter{Kind: kind}
	for _, o := range operands {
		c, err := FromAction(o)
		if err != nil {
			return Filter{}, err
		}
		out.Children = append(out.Children, c)
	}
	return out, nil
}
