package directory

import (
	"sort"
	"strings"
)

// Entry is one directory object as the lab reads and writes it: a DN and
// multi-valued attributes. Attribute names compare case-insensitively; the
// directory keeps the spelling it was first given.
type Entry struct {
	DN         string
	Attributes map[string][]string
}

// Values returns every value of the attribute (name compared
// case-insensitively), nil if the entry does not hold it.
func (e Entry) Values(name string) []string {
	if v, ok := e.Attributes[name]; ok {
		return v
	}
	for k, v := range e.Attributes {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// Get returns the first value of the attribute, "" if there is none.
func (e Entry) Get(name string) string {
	if v := e.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// AttributeNames returns the entry's attribute names, sorted
// case-insensitively.
func (e Entry) AttributeNames() []string {
	type keyed struct{ key, name string }
	ks := make([]keyed, 0, len(e.Attributes))
	for k := range e.Attributes {
		ks = append(ks, keyed{lower(k), k})
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.name
	}
	return names
}

// valueSource is what a filter evaluates against.
type valueSource interface {
	// lookup returns the values of the attribute with lower-case name key.
	lookup(key string) []string
}

// entrySource adapts an Entry to valueSource.
type entrySource struct{ e Entry }

func (s entrySource) lookup(key string) []string {
	for k, v := range s.e.Attributes {
		if lower(k) == key {
			return v
		}
	}
	if key == "distinguishedname" && s.e.DN != "" {
		return []string{s.e.DN}
	}
	return nil
}
