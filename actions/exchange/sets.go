package exchange

import (
	"sort"
	"strings"
)

// foldSet holds strings compared case-insensitively, as Exchange compares
// authentication mechanisms and permission groups.
type foldSet []string

func (s foldSet) has(v string) bool {
	for _, x := range s {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// missing returns the values of want that s lacks, in want's order.
func (s foldSet) missing(want []string) []string {
	var out []string
	for _, w := range want {
		if !s.has(w) && !foldSet(out).has(w) {
			out = append(out, w)
		}
	}
	return out
}

// union returns s followed by the values of add it lacks.
func (s foldSet) union(add []string) []string {
	out := append([]string(nil), s...)
	return append(out, s.missing(add)...)
}

// sorted returns a sorted copy, for stable state digests.
func (s foldSet) sorted() []string {
	out := append([]string{}, s...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}
