package ldap

import "bytes"

// pick gathers, from the attributes eachAttribute gives one after the other,
// the values actions.Entry.Values(name) returns for the decoded entry:
// those of the attributes of exactly that type, all of them; without
// any, those of one type equal to it but for case (the first one sent,
// where a decoded entry's map would give any). It keeps the values' sets,
// not copies, and is reused from entry to entry.
type pick struct {
	name    []byte
	exact   bool
	variant []byte
	sets    [][]byte
}

func newPick(name string) *pick { return &pick{name: []byte(name)} }

// reset readies p for the next entry.
func (p *pick) reset() {
	p.exact, p.variant, p.sets = false, nil, p.sets[:0]
}

// see takes one attribute of the entry.
func (p *pick) see(name, vals []byte) {
	switch {
	case bytes.Equal(name, p.name):
		if !p.exact {
			p.exact, p.sets = true, p.sets[:0]
		}
		p.sets = append(p.sets, vals)
	case p.exact:
	case p.variant == nil && bytes.EqualFold(name, p.name):
		p.variant = name
		p.sets = append(p.sets, vals)
	case p.variant != nil && bytes.Equal(name, p.variant):
		p.sets = append(p.sets, vals)
	}
}

// each calls fn with every value picked, in order.
func (p *pick) each(fn func(v []byte)) {
	for _, s := range p.sets {
		eachValue(s, fn)
	}
}

// first returns the first value picked, as actions.Entry.Get does, or
// nil.
func (p *pick) first() []byte {
	for _, s := range p.sets {
		if v, _, err := expect(s, idOctetString, "a value"); err == nil {
			return v
		}
	}
	return nil
}

// picked reports whether a value was picked.
func (p *pick) picked() bool {
	for _, s := range p.sets {
		if len(s) > 0 {
			return true
		}
	}
	return false
}
