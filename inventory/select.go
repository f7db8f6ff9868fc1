package inventory

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// SelectionError is a -limit expression that cannot be satisfied: it names
// hosts or groups the inventory does not have, or selects nothing.
type SelectionError struct {
	// Unknown lists the terms that matched no host, as written: names the
	// inventory does not have, groups without hosts, globs matching nothing.
	Unknown []string
	// Empty is set when the terms are valid but exclude every host.
	Empty bool
	// Syntax describes a malformed term; "" otherwise.
	Syntax string
}

var _ error = (*SelectionError)(nil)

func (e *SelectionError) Error() string {
	switch {
	case e.Syntax != "":
		return "limit: " + e.Syntax
	case len(e.Unknown) > 0:
		return "limit: no host matches " + strings.Join(quoteAll(e.Unknown), ", ")
	default:
		return "limit: the selection leaves no host"
	}
}

// Select returns the names of the hosts a -limit expression selects, in
// inventory order. The expression is a comma-separated list of terms: a
// host name ("ex01"), a group ("group:exchange"), either as a shell glob
// ("ex*", "group:ex*"), and any of those prefixed with "!" to exclude.
// Included hosts are gathered first (all hosts when only exclusions are
// given), then exclusions removed. An empty expression selects every host.
// A term that matches nothing and an empty result are errors
// (*SelectionError).
func (inv *Inventory) Select(limit string) ([]string, error) {
	if strings.TrimSpace(limit) == "" {
		if len(inv.hosts) == 0 {
			return nil, &SelectionError{Empty: true}
		}
		return inv.HostNames(), nil
	}
	include := map[string]bool{}
	exclude := map[string]bool{}
	anyInclude := false
	var unknown []string
	for _, raw := range strings.Split(limit, ",") {
		term := strings.TrimSpace(raw)
		negate := strings.HasPrefix(term, "!")
		term = strings.TrimSpace(strings.TrimPrefix(term, "!"))
		if term == "" || term == "group:" {
			return nil, &SelectionError{Syntax: fmt.Sprintf("empty term in %q", limit)}
		}
		hosts, err := inv.match(term)
		if err != nil {
			return nil, err
		}
		if len(hosts) == 0 {
			unknown = append(unknown, strings.TrimSpace(raw))
			continue
		}
		target := include
		if negate {
			target = exclude
		} else {
			anyInclude = true
		}
		for _, h := range hosts {
			target[h] = true
		}
	}
	if len(unknown) > 0 {
		return nil, &SelectionError{Unknown: unknown}
	}
	var out []string
	for _, h := range inv.hosts {
		name := h.facts.Name
		if (include[name] || !anyInclude) && !exclude[name] {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return nil, &SelectionError{Empty: true}
	}
	return out, nil
}

// match returns the hosts one term (without "!") names.
func (inv *Inventory) match(term string) ([]string, error) {
	pattern, isGroup := strings.CutPrefix(term, "group:")
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, &SelectionError{Syntax: fmt.Sprintf("bad pattern %q: %v", term, err)}
	}
	var out []string
	for _, h := range inv.hosts {
		if isGroup {
			if slices.ContainsFunc(h.facts.Groups, func(g string) bool { ok, _ := path.Match(pattern, g); return ok }) {
				out = append(out, h.facts.Name)
			}
			continue
		}
		if ok, _ := path.Match(pattern, h.facts.Name); ok {
			out = append(out, h.facts.Name)
		}
	}
	return out, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
