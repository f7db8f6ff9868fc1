package directory

// Add creates an entry as an originating write on a DC does: the parent must
// exist, the name must be free, objectClass is required, and a
// servicePrincipalName another object holds is refused with
// constraintViolation (000021C7). objectCategory defaults to the category of
// the most specific object class; distinguishedName, uSNCreated and
// uSNChanged are computed.
func (d *Directory) Add(e Entry) error {
	return d.add(e, true)
}

// Seed creates an entry like Add but without the forest-wide
// servicePrincipalName uniqueness check, as when the object arrives by
// replication: the lab plants duplicate SPNs with it.
func (d *Directory) Seed(e Entry) error {
	return d.add(e, false)
}

func (d *Directory) add(e Entry, unique bool) error {
	ndn, err := NormalizeDN(e.DN)
	if err != nil || ndn == "" {
		return errInvalidDN()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addLocked(e, ndn, unique)
}

func (d *Directory) addLocked(e Entry, ndn string, unique bool) error {
	if _, ok := d.byNDN[ndn]; ok {
		return errEntryExists()
	}
	var parent *node
	if ndn != d.rootNDN {
		p, ok := d.byNDN[parentNDN(ndn)]
		if !ok {
			return d.noSuchObject(ndn)
		}
		parent = p
	}
	// One more slot than given for a defaulted objectCategory: growing by
	// append would double the slice, and 100,000 computers feel it.
	n := &node{dn: e.DN, ndn: ndn, parent: parent, attrs: make([]attr, 0, len(e.Attributes)+1)}
	for _, name := range e.AttributeNames() {
		key := lower(name)
		if _, computed := computedAttributes[key]; computed {
			continue
		}
		values := e.Attributes[name]
		if len(values) == 0 {
			continue
		}
		if i := n.find(key); i >= 0 {
			// The same attribute spelt twice: merge.
			n.attrs[i].values = append(n.attrs[i].values, values...)
			continue
		}
		n.attrs = append(n.attrs, attr{name: name, key: d.intern(key)})
		n.attrs[len(n.attrs)-1].values = append([]string(nil), values...)
	}
	classes := n.lookup("objectclass")
	if len(classes) == 0 {
		return &Error{Code: ObjectClassViolation, Message: "00002014: objectclass_violation: DSID-0310070C, missing objectClass, data 0\n"}
	}
	if len(n.lookup("objectcategory")) == 0 {
		n.attrs = append(n.attrs, attr{
			name:   "objectCategory",
			key:    d.intern("objectcategory"),
			values: []string{CategoryDN(classes[len(classes)-1], d.root)},
		})
	}
	for i := range n.attrs {
		a := &n.attrs[i]
		if err := checkValues(a.name, a.values, unique); err != nil {
			return err
		}
		if a.key == "objectclass" || a.key == "objectcategory" {
			for j, v := range a.values {
				a.values[j] = d.internValue(v)
			}
		}
	}
	if unique {
		if err := d.checkSPNs(n, n.lookup("serviceprincipalname")); err != nil {
			return err
		}
	}
	d.usn++
	n.usnCreated, n.usnChanged = d.usn, d.usn
	switch {
	case parent == nil:
		n.nc = n
	case ndn == lower(d.configNDN()) || ndn == lower(d.schemaNDN()):
		n.nc = n
	default:
		n.nc = parent.nc
	}
	if parent != nil {
		if parent.children == nil {
			parent.children = make(map[*node]struct{})
		}
		parent.children[n] = struct{}{}
	}
	d.byNDN[ndn] = n
	d.order = append(d.order, n)
	d.indexAdd(n)
	return nil
}

func (d *Directory) configNDN() string { return "cn=configuration," + d.rootNDN }
func (d *Directory) schemaNDN() string { return "cn=schema,cn=configuration," + d.rootNDN }

// find returns the index of the attribute with lower-case name key, or -1.
func (n *node) find(key string) int {
	for i := range n.attrs {
		if n.attrs[i].key == key {
			return i
		}
	}
	return -1
}

// checkValues validates values written to one attribute: integers must
// parse, and (for originating writes) no value may repeat under the
// attribute's matching rule.
func checkValues(name string, values []string, strict bool) error {
	key := lower(name)
	if singleValued[key] && len(values) > 1 {
		return errSingleValued(name)
	}
	if syntaxOf(key) == syntaxInteger {
		for _, v := range values {
			if _, ok := parseInteger(v); !ok {
				return errSyntax(name)
			}
		}
	}
	if !strict || len(values) < 2 {
		return nil
	}
	seen := make(map[string]struct{}, len(values))
	for _, v := range values {
		k := valueKey(key, v)
		if _, dup := seen[k]; dup {
			return errValueExists(name)
		}
		seen[k] = struct{}{}
	}
	return nil
}

// valueKey is the form in which two values of an attribute are equal
// exactly when the attribute's matching rule says so.
func valueKey(key, v string) string {
	switch syntaxOf(key) {
	case syntaxOctet:
		return v
	case syntaxInteger:
		if n, ok := parseInteger(v); ok {
			return formatInt(n)
		}
		return v
	case syntaxDN:
		return quickNormalizeDN(v)
	}
	return lower(v)
}

// checkSPNs refuses servicePrincipalName values another object holds
// (AD's forest-wide uniqueness check on originating writes). The caller
// holds the lock.
func (d *Directory) checkSPNs(n *node, values []string) error {
	idx := d.index["serviceprincipalname"]
	for _, v := range values {
		for _, holder := range idx[lower(v)] {
			if holder != n {
				return errSPNNotUnique()
			}
		}
	}
	return nil
}
