package directory

// Compare reports whether the entry named dn holds value in the attribute,
// under the attribute's matching rule (an LDAP Compare). An absent attribute
// is noSuchAttribute (16).
func (d *Directory) Compare(dn, attribute, value string) (bool, error) {
	ndn, err := NormalizeDN(dn)
	if err != nil || ndn == "" {
		return false, errInvalidDN()
	}
	m := compileEquality(attributeKey(attribute), value)
	d.mu.RLock()
	defer d.mu.RUnlock()
	n, ok := d.byNDN[ndn]
	if !ok {
		return false, d.noSuchObject(ndn)
	}
	if len(n.lookup(attributeKey(attribute))) == 0 {
		return false, errNoSuchAttribute(attribute)
	}
	return m(n) == isTrue, nil
}
