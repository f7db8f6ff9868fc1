package directory

// ChangeOp is the kind of one modification.
type ChangeOp int

// The LDAP modify operations (RFC 4511, section 4.6).
const (
	ChangeAdd ChangeOp = iota
	ChangeDelete
	ChangeReplace
)

// Change is one modification of one attribute.
type Change struct {
	Op        ChangeOp
	Attribute string
	Values    []string
}

// Modify applies the changes to the entry named dn, all or nothing, with an
// Active Directory DC's answers: adding a value already present fails with
// attributeOrValueExists (20); deleting a value that is not there, or an
// absent attribute, fails with noSuchAttribute (16); adding or replacing in a
// servicePrincipalName that another object holds fails with
// constraintViolation (19) and AD's 000021C7 text. On any failure nothing is
// applied.
func (d *Directory) Modify(dn string, changes []Change) error {
	return d.modify(dn, changes, true)
}

// SeedAttribute adds values to an attribute of an existing entry without
// the servicePrincipalName uniqueness check and without failing on values
// already present (those are skipped), as a replicated write would land: the
// lab plants duplicate SPNs with it.
func (d *Directory) SeedAttribute(dn, attribute string, values ...string) error {
	ndn, err := NormalizeDN(dn)
	if err != nil {
		return errInvalidDN()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.byNDN[ndn]
	if !ok {
		return d.noSuchObject(ndn)
	}
	key := lower(attribute)
	var missing []string
	present := map[string]bool{}
	for _, v := range n.lookup(key) {
		present[valueKey(key, v)] = true
	}
	for _, v := range values {
		if k := valueKey(key, v); !present[k] {
			present[k] = true
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return d.applyLocked(n, []Change{{Op: ChangeAdd, Attribute: attribute, Values: missing}}, false)
}

func (d *Directory) modify(dn string, changes []Change, unique bool) error {
	ndn, err := NormalizeDN(dn)
	if err != nil || ndn == "" {
		return errInvalidDN()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.byNDN[ndn]
	if !ok {
		return d.noSuchObject(ndn)
	}
	return d.applyLocked(n, changes, unique)
}

// applyLocked computes the new attributes of n on a copy, checks them, and
// only then commits. The caller holds the write lock.
func (d *Directory) applyLocked(n *node, changes []Change, unique bool) error {
	attrs := make([]attr, len(n.attrs))
	copy(attrs, n.attrs) // values slices are replaced, never written in place
	find := func(key string) int {
		for i := range attrs {
			if attrs[i].key == key {
				return i
			}
		}
		return -1
	}
	for _, c := range changes {
		key := lower(c.Attribute)
		if _, computed := computedAttributes[key]; computed {
			return &Error{Code: UnwillingToPerform, Message: "00002035: SvcErr: DSID-03152D2C, problem 5003 (WILL_NOT_PERFORM), data 0\n"}
		}
		i := find(key)
		var current []string
		if i >= 0 {
			current = attrs[i].values
		}
		var next []string
		switch c.Op {
		case ChangeAdd:
			if len(c.Values) == 0 {
				return errSyntax(c.Attribute)
			}
			if err := checkValues(c.Attribute, c.Values, true); err != nil {
				return err
			}
			have := make(map[string]bool, len(current))
			for _, v := range current {
				have[valueKey(key, v)] = true
			}
			for _, v := range c.Values {
				if have[valueKey(key, v)] {
					if unique {
						return errValueExists(c.Attribute)
					}
				}
			}
			if unique && key == "serviceprincipalname" {
				if err := d.checkSPNs(n, c.Values); err != nil {
					return err
				}
			}
			next = append(append([]string(nil), current...), c.Values...)
			if singleValued[key] && len(next) > 1 {
				return errSingleValued(c.Attribute)
			}
		case ChangeDelete:
			if i < 0 {
				return errNoSuchAttribute(c.Attribute)
			}
			if len(c.Values) == 0 {
				next = nil
				break
			}
			drop := make(map[string]bool, len(c.Values))
			for _, v := range c.Values {
				drop[valueKey(key, v)] = true
			}
			found := make(map[string]bool, len(c.Values))
			for _, v := range current {
				k := valueKey(key, v)
				if drop[k] {
					found[k] = true
					continue
				}
				next = append(next, v)
			}
			for k := range drop {
				if !found[k] {
					return errNoSuchAttribute(c.Attribute)
				}
			}
		case ChangeReplace:
			if err := checkValues(c.Attribute, c.Values, true); err != nil {
				return err
			}
			if unique && key == "serviceprincipalname" {
				if err := d.checkSPNs(n, c.Values); err != nil {
					return err
				}
			}
			next = append([]string(nil), c.Values...)
		default:
			return &Error{Code: ProtocolError, Message: "00000057: LdapErr: DSID-0C090CE8, comment: Error decoding ldap message, data 0, v4563"}
		}
		switch {
		case len(next) == 0 && i >= 0:
			attrs = append(attrs[:i:i], attrs[i+1:]...)
		case len(next) == 0:
		case i >= 0:
			attrs[i].values = next
		default:
			attrs = append(attrs, attr{name: c.Attribute, key: d.intern(key), values: next})
		}
	}
	if len(lookupIn(attrs, "objectclass")) == 0 {
		return &Error{Code: ObjectClassViolation, Message: "00002014: objectclass_violation: DSID-0310070C, missing objectClass, data 0\n"}
	}
	d.indexRemove(n)
	n.attrs = attrs
	d.indexAdd(n)
	d.usn++
	n.usnChanged = d.usn
	return nil
}

func lookupIn(attrs []attr, key string) []string {
	for i := range attrs {
		if attrs[i].key == key {
			return attrs[i].values
		}
	}
	return nil
}

// Delete removes the leaf entry named dn; an entry with children is refused
// with notAllowedOnNonLeaf (66), as AD refuses it without the tree-delete
// control.
func (d *Directory) Delete(dn string) error {
	ndn, err := NormalizeDN(dn)
	if err != nil || ndn == "" {
		return errInvalidDN()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.byNDN[ndn]
	if !ok {
		return d.noSuchObject(ndn)
	}
	if len(n.children) > 0 {
		return errNotLeaf()
	}
	d.indexRemove(n)
	delete(d.byNDN, ndn)
	if n.parent != nil {
		delete(n.parent.children, n)
	}
	n.deleted = true
	d.deleted++
	d.usn++
	d.compact()
	return nil
}
