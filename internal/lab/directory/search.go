package directory

import "sort"

// Query is one search: where, how deep, what, and which attributes to
// return.
type Query struct {
	Base   string
	Scope  Scope
	Filter Filter
	// Attributes selects the attributes returned: empty or "*" for all,
	// "1.1" for none, otherwise the named ones (case-insensitive).
	Attributes []string
	// GlobalCatalog gives the search the Global Catalog's reach: from the
	// empty base it spans every naming context of the forest. Without it, a
	// one-level or subtree search from the empty base finds no such object,
	// and every search stays inside its base's naming context.
	GlobalCatalog bool
}

// Cursor marks how far a paged search has read: the update sequence number
// of the last entry returned. The zero Cursor starts at the beginning.
type Cursor uint64

// Page is one page of search results.
type Page struct {
	Entries []Entry
	// Next continues the search after this page.
	Next Cursor
	// More is set when matching entries remain after Next.
	More bool
}

// Search returns every entry under base within scope that matches filter,
// with all attributes, in creation order.
func (d *Directory) Search(base string, scope Scope, filter Filter) ([]Entry, error) {
	p, err := d.SearchPage(Query{Base: base, Scope: scope, Filter: filter}, 0, 0)
	if err != nil {
		return nil, err
	}
	return p.Entries, nil
}

// SearchPage returns at most limit (0: no limit) entries matching q that
// were created after the cursor, in creation order, and where to continue.
// It holds the read lock only for the one page, so a full scan of a large
// forest streams page by page while writers interleave.
func (d *Directory) SearchPage(q Query, after Cursor, limit int) (Page, error) {
	var base string
	if q.Base != "" {
		n, err := NormalizeDN(q.Base)
		if err != nil {
			return Page{}, errInvalidDN()
		}
		base = n
	}
	m := compile(q.Filter)
	sel := newSelection(q.Attributes)

	d.mu.RLock()
	defer d.mu.RUnlock()

	var baseNode *node
	switch {
	case base != "":
		n, ok := d.byNDN[base]
		if !ok {
			return Page{}, d.noSuchObject(base)
		}
		baseNode = n
	case q.Scope == ScopeBase:
		// The root DSE is the server's, not the directory's.
		return Page{}, nil
	case !q.GlobalCatalog:
		return Page{}, errRootSubtree()
	}
	inScope := func(n *node) bool {
		switch q.Scope {
		case ScopeBase:
			return n == baseNode
		case ScopeOne:
			return n.parent == baseNode
		}
		if baseNode == nil {
			return true
		}
		return n == baseNode || n.nc == baseNode.nc && isUnder(n.ndn, baseNode.ndn)
	}

	var page Page
	take := func(n *node) bool {
		if n.deleted || !inScope(n) || m(n) != isTrue {
			return true
		}
		if limit > 0 && len(page.Entries) == limit {
			page.More = true
			return false
		}
		page.Entries = append(page.Entries, n.entry(sel))
		page.Next = Cursor(n.usnCreated)
		return true
	}
	switch candidates, ok := d.candidates(q.Filter); {
	case q.Scope == ScopeBase:
		if uint64(after) < baseNode.usnCreated {
			take(baseNode)
		}
	case ok:
		sort.Slice(candidates, func(i, j int) bool { return candidates[i].usnCreated < candidates[j].usnCreated })
		start := sort.Search(len(candidates), func(i int) bool { return candidates[i].usnCreated > uint64(after) })
		for _, n := range candidates[start:] {
			if !take(n) {
				break
			}
		}
	default:
		for _, n := range d.order[d.position(uint64(after)):] {
			if !take(n) {
				break
			}
		}
	}
	if !page.More {
		page.Next = 0
	}
	return page, nil
}

// candidates returns, when the filter allows it, a superset of the matching
// nodes drawn from the equality index (possibly with repeats removed), and
// false when a scan is needed. The caller holds the lock.
func (d *Directory) candidates(f Filter) ([]*node, bool) {
	switch f.Kind {
	case FilterEqual:
		key := attributeKey(f.Attribute)
		idx, ok := d.index[key]
		if !ok {
			return nil, false
		}
		return append([]*node(nil), idx[lower(f.Value)]...), true
	case FilterOr:
		seen := map[*node]bool{}
		var out []*node
		for _, c := range f.Children {
			ns, ok := d.candidates(c)
			if !ok {
				return nil, false
			}
			for _, n := range ns {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
		}
		return out, true
	case FilterAnd:
		best, found := []*node(nil), false
		for _, c := range f.Children {
			if ns, ok := d.candidates(c); ok && (!found || len(ns) < len(best)) {
				best, found = ns, true
			}
		}
		return best, found
	}
	return nil, false
}

// selection is a decoded attribute list.
type selection struct {
	all  bool
	keys map[string]bool
}

var selectAll = selection{all: true}

func newSelection(attrs []string) selection {
	if len(attrs) == 0 {
		return selectAll
	}
	s := selection{keys: map[string]bool{}}
	for _, a := range attrs {
		switch a {
		case "*":
			s.all = true
		case "1.1", "":
		default:
			s.keys[attributeKey(a)] = true
		}
	}
	return s
}

// entry copies the node's selected attributes, including the computed ones.
func (n *node) entry(sel selection) Entry {
	size := len(n.attrs) + len(computedAttributes)
	if !sel.all {
		size = len(sel.keys)
	}
	e := Entry{DN: n.dn, Attributes: make(map[string][]string, size)}
	for _, a := range n.attrs {
		if sel.all || sel.keys[a.key] {
			e.Attributes[a.name] = append([]string(nil), a.values...)
		}
	}
	for key, name := range computedAttributes {
		if sel.all || sel.keys[key] {
			e.Attributes[name] = n.lookup(key)
		}
	}
	return e
}

// SubordinateContexts returns the DNs of the naming contexts that hang
// directly below a search's reach without being part of it: a subtree
// search from the domain root does not descend into CN=Configuration, and a
// DC answers with a continuation reference to it instead. Global Catalog
// searches from the empty base span every context and get none.
func (d *Directory) SubordinateContexts(q Query) []string {
	if q.Scope == ScopeBase || q.Base == "" {
		return nil
	}
	base, err := NormalizeDN(q.Base)
	if err != nil {
		return nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	b, ok := d.byNDN[base]
	if !ok {
		return nil
	}
	var out []string
	for _, ndn := range []string{d.configNDN(), d.schemaNDN()} {
		head, ok := d.byNDN[ndn]
		if !ok || head.parent == nil || head.nc == b.nc {
			continue
		}
		p := head.parent
		switch {
		case q.Scope == ScopeOne && p == b:
			out = append(out, head.dn)
		case q.Scope == ScopeSubtree && p.nc == b.nc && isUnder(p.ndn, b.ndn):
			out = append(out, head.dn)
		}
	}
	return out
}
