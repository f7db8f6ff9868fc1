package ldapd

import (
	"errors"
	"sort"

	ber "github.com/go-asn1-ber/asn1-ber"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// writeAllowed checks that the connection is bound with a writing account.
func (c *conn) writeAllowed() (result, bool) {
	if c.account == "" {
		return result{code: 1, message: errBindRequired}, false
	}
	if c.srv.users.readOnly[c.account] {
		return result{code: 50, message: errAccessDenied}, false
	}
	return result{}, true
}

// decodeAttribute reads a PartialAttribute: SEQUENCE { type, SET OF value }.
func decodeAttribute(p *ber.Packet) (string, []string, error) {
	if p.TagType != ber.TypeConstructed || len(p.Children) != 2 || p.Children[1].TagType != ber.TypeConstructed {
		return "", nil, malformed("bad attribute")
	}
	name, err := str(p.Children[0])
	if err != nil {
		return "", nil, err
	}
	var values []string
	for _, v := range p.Children[1].Children {
		s, err := str(v)
		if err != nil {
			return "", nil, err
		}
		values = append(values, s)
	}
	return name, values, nil
}

// decodeModify reads a ModifyRequest. Increment (RFC 4525) decodes but is
// reported as unsupported, AD having no such operation.
func decodeModify(p *ber.Packet) (string, []directory.Change, error) {
	if p.TagType != ber.TypeConstructed || len(p.Children) != 2 || p.Children[1].TagType != ber.TypeConstructed {
		return "", nil, malformed("bad modify request")
	}
	dn, err := str(p.Children[0])
	if err != nil {
		return "", nil, err
	}
	var changes []directory.Change
	for _, cp := range p.Children[1].Children {
		if cp.TagType != ber.TypeConstructed || len(cp.Children) != 2 {
			return "", nil, malformed("bad change")
		}
		op, err := integer(cp.Children[0])
		if err != nil || op < 0 || op > 3 {
			return "", nil, malformed("bad change operation")
		}
		name, values, err := decodeAttribute(cp.Children[1])
		if err != nil {
			return "", nil, err
		}
		if op == 3 {
			return "", nil, errIncrement
		}
		changes = append(changes, directory.Change{Op: directory.ChangeOp(op), Attribute: name, Values: values})
	}
	return dn, changes, nil
}

var errIncrement = errors.New("increment is not supported")

// modify handles a ModifyRequest with the directory's answers.
func (c *conn) modify(m *message) result {
	dn, changes, err := decodeModify(m.op)
	switch {
	case errors.Is(err, errIncrement):
		return unwillingToPerform()
	case err != nil:
		return result{code: 2, message: errDecoding}
	}
	if r, ok := c.writeAllowed(); !ok {
		return r
	}
	if err := c.srv.dir.Modify(dn, changes); err != nil {
		return fromDirectory(err)
	}
	attrs := make([]string, 0, len(changes))
	for _, ch := range changes {
		attrs = append(attrs, ch.Attribute)
	}
	c.srv.wrote(Write{Op: "modify", DN: dn, Attributes: attrs})
	return result{}
}

// decodeAdd reads an AddRequest.
func decodeAdd(p *ber.Packet) (directory.Entry, error) {
	if p.TagType != ber.TypeConstructed || len(p.Children) != 2 || p.Children[1].TagType != ber.TypeConstructed {
		return directory.Entry{}, malformed("bad add request")
	}
	dn, err := str(p.Children[0])
	if err != nil {
		return directory.Entry{}, err
	}
	e := directory.Entry{DN: dn, Attributes: map[string][]string{}}
	for _, ap := range p.Children[1].Children {
		name, values, err := decodeAttribute(ap)
		if err != nil {
			return directory.Entry{}, err
		}
		e.Attributes[name] = append(e.Attributes[name], values...)
	}
	return e, nil
}

// add handles an AddRequest as an originating write.
func (c *conn) add(m *message) result {
	e, err := decodeAdd(m.op)
	if err != nil {
		return result{code: 2, message: errDecoding}
	}
	if r, ok := c.writeAllowed(); !ok {
		return r
	}
	if err := c.srv.dir.Add(e); err != nil {
		return fromDirectory(err)
	}
	attrs := make([]string, 0, len(e.Attributes))
	for name := range e.Attributes {
		attrs = append(attrs, name)
	}
	sort.Strings(attrs)
	c.srv.wrote(Write{Op: "add", DN: e.DN, Attributes: attrs})
	return result{}
}

// del handles a DelRequest.
func (c *conn) del(m *message) result {
	dn, err := str(m.op)
	if err != nil {
		return result{code: 2, message: errDecoding}
	}
	if r, ok := c.writeAllowed(); !ok {
		return r
	}
	if err := c.srv.dir.Delete(dn); err != nil {
		return fromDirectory(err)
	}
	c.srv.wrote(Write{Op: "delete", DN: dn})
	return result{}
}

// wrote hands an applied write to the OnWrite hook.
func (s *Server) wrote(w Write) {
	if s.opts.OnWrite != nil {
		s.opts.OnWrite(w)
	}
}
