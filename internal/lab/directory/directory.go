package directory

import (
	"fmt"
	"sort"
	"strconv"
	"sync"
)

// Scope is an LDAP search scope.
type Scope int

// The search scopes of RFC 4511.
const (
	ScopeBase Scope = iota
	ScopeOne
	ScopeSubtree
)

// indexed lists the attributes whose values are indexed (lower-cased) for
// equality lookups: those rectify looks computers up by.
var indexed = []string{"serviceprincipalname", "samaccountname", "dnshostname"}

// Directory is one Active Directory forest with a single domain, held in
// memory. It is safe for concurrent use.
type Directory struct {
	mu sync.RWMutex

	root      string // forest root DN as given to New
	rootNDN   string
	configDN  string
	schemaDN  string
	byNDN     map[string]*node
	order     []*node // live and deleted nodes in creation (USN) order
	deleted   int     // deleted nodes still in order
	usn       uint64  // highest committed update sequence number
	index     map[string]map[string][]*node
	names     map[string]string // interned lower-case attribute names
	valueSeen map[string]string // interned common values (objectClass, objectCategory)
}

// node is the stored form of an entry.
type node struct {
	dn         string
	ndn        string
	parent     *node
	nc         *node // head of the naming context holding the node
	children   map[*node]struct{}
	attrs      []attr
	usnCreated uint64 // also the node's position in Directory.order
	usnChanged uint64
	deleted    bool
}

// attr is one stored attribute; key is the interned lower-case name.
type attr struct {
	name   string
	key    string
	values []string
}

// lookup returns the values of the attribute with lower-case name key,
// including the attributes AD computes (distinguishedName, uSNCreated,
// uSNChanged).
func (n *node) lookup(key string) []string {
	for i := range n.attrs {
		if n.attrs[i].key == key {
			return n.attrs[i].values
		}
	}
	switch key {
	case "distinguishedname":
		return []string{n.dn}
	case "usnchanged":
		return []string{strconv.FormatUint(n.usnChanged, 10)}
	case "usncreated":
		return []string{strconv.FormatUint(n.usnCreated, 10)}
	}
	return nil
}

var _ valueSource = (*node)(nil)

// computedAttributes are the names of the attributes the directory
// computes; writes to them are ignored on Add and refused on Modify.
var computedAttributes = map[string]string{
	"distinguishedname": "distinguishedName",
	"usnchanged":        "uSNChanged",
	"usncreated":        "uSNCreated",
}

// New returns a forest whose root domain is forestRoot (such as
// DC=corp,DC=example,DC=com), holding the naming contexts and the standard
// containers a fresh domain has: CN=Users, CN=Computers,
// OU=Domain Controllers, CN=Configuration with CN=Sites and CN=Services, and
// CN=Schema,CN=Configuration.
func New(forestRoot string) (*Directory, error) {
	ndn, err := NormalizeDN(forestRoot)
	if err != nil || ndn == "" {
		return nil, fmt.Errorf("forest root %q is not a distinguished name", forestRoot)
	}
	d := &Directory{
		root:      forestRoot,
		rootNDN:   ndn,
		configDN:  "CN=Configuration," + forestRoot,
		schemaDN:  "CN=Schema,CN=Configuration," + forestRoot,
		byNDN:     make(map[string]*node),
		index:     make(map[string]map[string][]*node),
		names:     make(map[string]string),
		valueSeen: make(map[string]string),
	}
	for _, k := range indexed {
		d.index[k] = make(map[string][]*node)
	}
	if err := d.addSkeleton(); err != nil {
		return nil, err
	}
	return d, nil
}

// Root returns the forest root DN (the domain naming context).
func (d *Directory) Root() string { return d.root }

// ConfigurationDN returns CN=Configuration,<forest root>.
func (d *Directory) ConfigurationDN() string { return d.configDN }

// SchemaDN returns CN=Schema,CN=Configuration,<forest root>.
func (d *Directory) SchemaDN() string { return d.schemaDN }

// DNSName returns the DNS name of the forest root domain (corp.example.com).
func (d *Directory) DNSName() string { return DomainDNSName(d.root) }

// Count returns the number of entries in the forest.
func (d *Directory) Count() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byNDN)
}

// Version returns the highest committed update sequence number: it grows by
// one with every write, so a lab that remembers it can tell whether anything
// changed since.
func (d *Directory) Version() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.usn
}

// Get returns the entry named dn with all its attributes.
func (d *Directory) Get(dn string) (Entry, error) {
	ndn, err := NormalizeDN(dn)
	if err != nil {
		return Entry{}, errInvalidDN()
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	n, ok := d.byNDN[ndn]
	if !ok {
		return Entry{}, d.noSuchObject(ndn)
	}
	return n.entry(selectAll), nil
}

// ChangedSince returns the entries written after update sequence number usn
// (see Version), in the order they were created.
func (d *Directory) ChangedSince(usn uint64) []Entry {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []Entry
	for _, n := range d.order {
		if !n.deleted && n.usnChanged > usn {
			out = append(out, n.entry(selectAll))
		}
	}
	return out
}

// noSuchObject builds AD's noSuchObject answer naming the deepest existing
// ancestor of ndn. The caller holds the lock.
func (d *Directory) noSuchObject(ndn string) *Error {
	for p := parentNDN(ndn); p != ""; p = parentNDN(p) {
		if n, ok := d.byNDN[p]; ok {
			return errNoSuchObject(n.dn)
		}
	}
	return errNoSuchObject("")
}

// intern returns the shared copy of a lower-case attribute name.
func (d *Directory) intern(key string) string {
	if s, ok := d.names[key]; ok {
		return s
	}
	d.names[key] = key
	return key
}

// internValue shares the storage of values many entries repeat (object
// classes and categories), so 100,000 computers hold one copy of each.
func (d *Directory) internValue(v string) string {
	if s, ok := d.valueSeen[v]; ok {
		return s
	}
	if len(d.valueSeen) < 4096 {
		d.valueSeen[v] = v
	}
	return v
}

// indexAdd and indexRemove keep the equality index of n's values current.
// The caller holds the write lock.
func (d *Directory) indexAdd(n *node) {
	for _, a := range n.attrs {
		idx, ok := d.index[a.key]
		if !ok {
			continue
		}
		for _, v := range a.values {
			k := lower(v)
			idx[k] = append(idx[k], n)
		}
	}
}

func (d *Directory) indexRemove(n *node) {
	for _, a := range n.attrs {
		idx, ok := d.index[a.key]
		if !ok {
			continue
		}
		for _, v := range a.values {
			k := lower(v)
			holders := idx[k]
			for i, h := range holders {
				if h == n {
					holders = append(holders[:i:i], holders[i+1:]...)
					break
				}
			}
			if len(holders) == 0 {
				delete(idx, k)
			} else {
				idx[k] = holders
			}
		}
	}
}

// compact drops deleted nodes from order once they are half of it. The
// caller holds the write lock.
func (d *Directory) compact() {
	if d.deleted < 1024 || d.deleted*2 < len(d.order) {
		return
	}
	live := make([]*node, 0, len(d.order)-d.deleted)
	for _, n := range d.order {
		if !n.deleted {
			live = append(live, n)
		}
	}
	d.order = live
	d.deleted = 0
}

// position returns the index in order of the first node created after usn.
func (d *Directory) position(usn uint64) int {
	return sort.Search(len(d.order), func(i int) bool { return d.order[i].usnCreated > usn })
}
