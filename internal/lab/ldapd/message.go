package ldapd

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// The protocol operation tags of RFC 4511 (APPLICATION class).
const (
	opBindRequest      ber.Tag = 0
	opBindResponse     ber.Tag = 1
	opUnbindRequest    ber.Tag = 2
	opSearchRequest    ber.Tag = 3
	opSearchEntry      ber.Tag = 4
	opSearchDone       ber.Tag = 5
	opModifyRequest    ber.Tag = 6
	opModifyResponse   ber.Tag = 7
	opAddRequest       ber.Tag = 8
	opAddResponse      ber.Tag = 9
	opDelRequest       ber.Tag = 10
	opDelResponse      ber.Tag = 11
	opModDNRequest     ber.Tag = 12
	opModDNResponse    ber.Tag = 13
	opCompareRequest   ber.Tag = 14
	opCompareResponse  ber.Tag = 15
	opAbandonRequest   ber.Tag = 16
	opExtendedRequest  ber.Tag = 23
	opExtendedResponse ber.Tag = 24
)

// errMalformed marks a request that is valid BER but not a valid LDAP
// message.
var errMalformed = errors.New("malformed ldap message")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// message is one decoded LDAPMessage.
type message struct {
	id       int64
	op       *ber.Packet
	controls []control
}

// control is one request control.
type control struct {
	oid      string
	critical bool
	value    []byte
	hasValue bool
}

// readFrame reads one BER element (tag, definite length, contents) without
// decoding it, refusing lengths over max: a peer cannot make the server
// allocate more than that for one message.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	tag, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	if tag != 0x30 {
		return nil, malformed("message is not a SEQUENCE (tag 0x%02x)", tag)
	}
	first, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	header := []byte{tag, first}
	length := int(first)
	if first&0x80 != 0 {
		n := int(first & 0x7f)
		if n == 0 || n > 4 {
			return nil, malformed("unsupported length form 0x%02x", first)
		}
		length = 0
		for range n {
			b, err := r.ReadByte()
			if err != nil {
				return nil, err
			}
			header = append(header, b)
			length = length<<8 | int(b)
		}
	}
	if length > max {
		return nil, malformed("message of %d bytes exceeds %d", length, max)
	}
	buf := make([]byte, len(header)+length)
	copy(buf, header)
	if _, err := io.ReadFull(r, buf[len(header):]); err != nil {
		return nil, err
	}
	return buf, nil
}

// decodeMessage decodes one framed LDAPMessage.
func decodeMessage(frame []byte) (*message, error) {
	p, err := ber.DecodePacketErr(frame)
	if err != nil {
		return nil, malformed("%v", err)
	}
	if p.ClassType != ber.ClassUniversal || p.Tag != ber.TagSequence || len(p.Children) < 2 || len(p.Children) > 3 {
		return nil, malformed("not an LDAPMessage")
	}
	id, err := integer(p.Children[0])
	if err != nil || id < 0 || id > 1<<31-1 {
		return nil, malformed("bad message id")
	}
	m := &message{id: id, op: p.Children[1]}
	if m.op.ClassType != ber.ClassApplication {
		return nil, malformed("protocol op is not an APPLICATION tag")
	}
	if len(p.Children) == 3 {
		c := p.Children[2]
		if c.ClassType != ber.ClassContext || c.Tag != 0 || c.TagType != ber.TypeConstructed {
			return nil, malformed("bad controls")
		}
		for _, cp := range c.Children {
			ctl, err := decodeControl(cp)
			if err != nil {
				return nil, err
			}
			m.controls = append(m.controls, ctl)
		}
	}
	return m, nil
}

func decodeControl(p *ber.Packet) (control, error) {
	if p.Tag != ber.TagSequence || len(p.Children) < 1 || len(p.Children) > 3 {
		return control{}, malformed("bad control")
	}
	oid, err := octets(p.Children[0])
	if err != nil {
		return control{}, err
	}
	c := control{oid: string(oid)}
	for _, f := range p.Children[1:] {
		switch {
		case f.ClassType == ber.ClassUniversal && f.Tag == ber.TagBoolean:
			b, err := boolean(f)
			if err != nil {
				return control{}, err
			}
			c.critical = b
		case f.ClassType == ber.ClassUniversal && f.Tag == ber.TagOctetString:
			c.value = f.Data.Bytes()
			c.hasValue = true
		default:
			return control{}, malformed("bad control field")
		}
	}
	return c, nil
}

// integer reads an INTEGER or ENUMERATED.
func integer(p *ber.Packet) (int64, error) {
	if p.ClassType != ber.ClassUniversal || (p.Tag != ber.TagInteger && p.Tag != ber.TagEnumerated) || p.TagType != ber.TypePrimitive {
		return 0, malformed("expected an integer")
	}
	b := p.Data.Bytes()
	if len(b) == 0 || len(b) > 8 {
		return 0, malformed("bad integer length")
	}
	return ber.ParseInt64(b)
}

func boolean(p *ber.Packet) (bool, error) {
	if p.ClassType != ber.ClassUniversal || p.Tag != ber.TagBoolean || p.TagType != ber.TypePrimitive || p.Data.Len() != 1 {
		return false, malformed("expected a boolean")
	}
	return p.Data.Bytes()[0] != 0, nil
}

// octets reads a primitive OCTET STRING (or an implicitly tagged one, when
// the caller has checked the tag).
func octets(p *ber.Packet) ([]byte, error) {
	if p.TagType != ber.TypePrimitive {
		return nil, malformed("expected a primitive string")
	}
	if p.ClassType == ber.ClassUniversal && p.Tag != ber.TagOctetString {
		return nil, malformed("expected an OCTET STRING")
	}
	return p.Data.Bytes(), nil
}

func str(p *ber.Packet) (string, error) {
	b, err := octets(p)
	return string(b), err
}

// Encoding helpers.

func newOctets(s string) *ber.Packet {
	return ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, s, "")
}

func newEnum(v int64) *ber.Packet {
	return ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, v, "")
}

// envelope wraps a response op into an LDAPMessage with optional response
// controls.
func envelope(id int64, op *ber.Packet, controls ...*ber.Packet) *ber.Packet {
	m := ber.NewSequence("LDAPMessage")
	m.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, ""))
	m.AppendChild(op)
	if len(controls) > 0 {
		c := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
		for _, ctl := range controls {
			c.AppendChild(ctl)
		}
		m.AppendChild(c)
	}
	return m
}

// result is an LDAPResult in the given response op.
type result struct {
	code      int
	matchedDN string
	message   string
}

func (r result) packet(tag ber.Tag, extra ...*ber.Packet) *ber.Packet {
	p := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "")
	p.AppendChild(newEnum(int64(r.code)))
	p.AppendChild(newOctets(r.matchedDN))
	p.AppendChild(newOctets(r.message))
	for _, e := range extra {
		p.AppendChild(e)
	}
	return p
}

// responseTag returns the response op for a request op.
func responseTag(req ber.Tag) (ber.Tag, bool) {
	switch req {
	case opBindRequest:
		return opBindResponse, true
	case opSearchRequest:
		return opSearchDone, true
	case opModifyRequest:
		return opModifyResponse, true
	case opAddRequest:
		return opAddResponse, true
	case opDelRequest:
		return opDelResponse, true
	case opModDNRequest:
		return opModDNResponse, true
	case opCompareRequest:
		return opCompareResponse, true
	case opExtendedRequest:
		return opExtendedResponse, true
	}
	return 0, false
}

// encodeControl builds a response control.
func encodeControl(oid string, value []byte) *ber.Packet {
	c := ber.NewSequence("Control")
	c.AppendChild(newOctets(oid))
	c.AppendChild(newOctets(string(value)))
	return c
}
