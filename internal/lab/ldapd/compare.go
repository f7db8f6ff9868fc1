package ldapd

import ber "github.com/go-asn1-ber/asn1-ber"

// decodeCompare reads a CompareRequest.
func decodeCompare(p *ber.Packet) (dn, attr, value string, err error) {
	if p.TagType != ber.TypeConstructed || len(p.Children) != 2 || p.Children[1].TagType != ber.TypeConstructed ||
		len(p.Children[1].Children) != 2 {
		return "", "", "", malformed("bad compare request")
	}
	if dn, err = str(p.Children[0]); err != nil {
		return "", "", "", err
	}
	if attr, err = str(p.Children[1].Children[0]); err != nil {
		return "", "", "", err
	}
	if value, err = str(p.Children[1].Children[1]); err != nil {
		return "", "", "", err
	}
	return dn, attr, value, nil
}

// compare handles a CompareRequest: compareTrue (6) or compareFalse (5).
func (c *conn) compare(m *message) result {
	dn, attr, value, err := decodeCompare(m.op)
	if err != nil {
		return result{code: 2, message: errDecoding}
	}
	if c.account == "" {
		return result{code: 1, message: errBindRequired}
	}
	ok, err := c.srv.dir.Compare(dn, attr, value)
	switch {
	case err != nil:
		return fromDirectory(err)
	case ok:
		return result{code: 6}
	}
	return result{code: 5}
}
