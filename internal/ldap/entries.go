package ldap

import (
	"fmt"

	"github.com/rectifyhq/rectify/actions"
)

// Search result entries are decoded here, straight from a message's bytes
// into an actions.Entry: the LDAP library would build a tree of packets
// for each one (an object per element, each with its own copy of the
// bytes) and then an Entry of its own, which made a forest-wide scan
// several times slower than ldapsearch. The decoder reads exactly the
// shape RFC 4511 section 4.5.2 gives an entry, by its lengths, and refuses
// anything else; the framer has already checked that every length fits
// the message and the bounds.

// BER identifiers of the elements of a search result entry.
const (
	idSequence     = 0x30 // LDAPMessage, PartialAttributeList, PartialAttribute
	idSet          = 0x31 // vals
	idInteger      = 0x02 // messageID
	idOctetString  = 0x04 // objectName, type, a value
	idSearchEntry  = 0x64 // [APPLICATION 4] SearchResultEntry
	maxLengthBytes = 4    // no message is near 4 GB: the framer bounds it
)

// berNext splits the first element off b: its identifier octet, its
// content, and the bytes after it. Only low tag numbers are read: every
// element of a message the decoder handles has one.
func berNext(b []byte) (id byte, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, &MalformedError{Reason: "an element cut short"}
	}
	id = b[0]
	if id&0x1f == 0x1f {
		return 0, nil, nil, &MalformedError{Reason: fmt.Sprintf("a high tag number (identifier 0x%02x) where an entry has none", id)}
	}
	n, i := int(b[1]), 2
	if n&0x80 != 0 {
		octets := n & 0x7f
		if octets == 0 || octets > maxLengthBytes {
			return 0, nil, nil, &MalformedError{Reason: fmt.Sprintf("a length of %d octets in an entry", octets)}
		}
		if len(b) < 2+octets {
			return 0, nil, nil, &MalformedError{Reason: "a length cut short"}
		}
		n = 0
		for _, o := range b[2 : 2+octets] {
			n = n<<8 | int(o)
		}
		i += octets
	}
	if n > len(b)-i {
		return 0, nil, nil, &MalformedError{Reason: fmt.Sprintf("an element of %d bytes with %d bytes left", n, len(b)-i)}
	}
	return id, b[i : i+n], b[i+n:], nil
}

// expect splits off the next element and checks its identifier.
func expect(b []byte, id byte, what string) (content, rest []byte, err error) {
	got, content, rest, err := berNext(b)
	if err != nil {
		return nil, nil, err
	}
	if got != id {
		return nil, nil, &MalformedError{Reason: fmt.Sprintf("%s with identifier 0x%02x, not 0x%02x", what, got, id)}
	}
	return content, rest, nil
}

// isSearchEntry reports whether message (one whole LDAPMessage) is a
// SearchResultEntry. It looks no further than the protocol operation's
// identifier; a message it cannot read that far is not one.
func isSearchEntry(message []byte) bool {
	body, _, err := expect(message, idSequence, "a message")
	if err != nil {
		return false
	}
	_, op, err := expect(body, idInteger, "a message id")
	if err != nil || len(op) == 0 {
		return false
	}
	return op[0] == idSearchEntry
}

// decodeEntry decodes one whole LDAPMessage holding a SearchResultEntry:
// its objectName and its attributes, values of one type given twice kept
// together, as convertEntry does with the library's entries. Controls of
// the message are ignored, as the library ignores them.
func decodeEntry(message []byte) (actions.Entry, error) {
	attrs := make(map[string][]string)
	dn, err := walkEntry(message, func(name, vals []byte) {
		key := string(name)
		values := attrs[key]
		eachValue(vals, func(v []byte) { values = append(values, string(v)) })
		attrs[key] = values
	})
	if err != nil {
		return actions.Entry{}, err
	}
	return actions.Entry{DN: string(dn), Attributes: attrs}, nil
}

// walkEntry checks one whole LDAPMessage holding a SearchResultEntry,
// down to every value (checkEntry), and returns its objectName. Once the
// message is known good it calls attr for each attribute (eachAttribute).
func walkEntry(message []byte, attr func(name, vals []byte)) (dn []byte, err error) {
	dn, list, err := checkEntry(message)
	if err != nil {
		return nil, err
	}
	eachAttribute(list, attr)
	return dn, nil
}

// checkEntry checks one whole LDAPMessage holding a SearchResultEntry,
// down to every value, and returns its objectName and the content of its
// attribute list, for eachAttribute.
func checkEntry(message []byte) (dn, list []byte, err error) {
	dn, list, err = entryParts(message)
	if err != nil {
		return nil, nil, err
	}
	for l := list; len(l) > 0; {
		var a []byte
		if a, l, err = expect(l, idSequence, "an attribute"); err != nil {
			return nil, nil, err
		}
		_, a, err := expect(a, idOctetString, "an attribute's type")
		if err != nil {
			return nil, nil, err
		}
		vals, a, err := expect(a, idSet, "an attribute's values")
		if err != nil {
			return nil, nil, err
		}
		if len(a) != 0 {
			return nil, nil, &MalformedError{Reason: "bytes after an attribute's values"}
		}
		for len(vals) > 0 {
			if _, vals, err = expect(vals, idOctetString, "a value"); err != nil {
				return nil, nil, err
			}
		}
	}
	return dn, list, nil
}

// entryParts splits a SearchResultEntry message into its objectName and
// the content of its attribute list, checking the elements around them
// but not the list.
func entryParts(message []byte) (dn, list []byte, err error) {
	body, rest, err := expect(message, idSequence, "a message")
	if err != nil {
		return nil, nil, err
	}
	if len(rest) != 0 {
		return nil, nil, &MalformedError{Reason: "bytes after a message"}
	}
	if _, body, err = expect(body, idInteger, "a message id"); err != nil {
		return nil, nil, err
	}
	op, _, err := expect(body, idSearchEntry, "a search result entry")
	if err != nil {
		return nil, nil, err
	}
	dn, op, err = expect(op, idOctetString, "an entry's name")
	if err != nil {
		return nil, nil, err
	}
	list, op, err = expect(op, idSequence, "an entry's attributes")
	if err != nil {
		return nil, nil, err
	}
	if len(op) != 0 {
		return nil, nil, &MalformedError{Reason: "bytes after an entry's attributes"}
	}
	return dn, list, nil
}

// eachAttribute calls attr for each attribute of a list checkEntry has
// checked, in the order sent, with its type and the content of its set of
// values (for eachValue); nothing is copied, so what attr is given lasts
// as long as the message.
func eachAttribute(list []byte, attr func(name, vals []byte)) {
	for len(list) > 0 {
		a, rest, err := expect(list, idSequence, "an attribute")
		if err != nil {
			return
		}
		name, a, err := expect(a, idOctetString, "an attribute's type")
		if err != nil {
			return
		}
		vals, _, err := expect(a, idSet, "an attribute's values")
		if err != nil {
			return
		}
		attr(name, vals)
		list = rest
	}
}

// eachValue calls fn with each value of a set of values checkEntry has
// checked.
func eachValue(vals []byte, fn func(v []byte)) {
	for len(vals) > 0 {
		v, rest, err := expect(vals, idOctetString, "a value")
		if err != nil {
			return
		}
		fn(v)
		vals = rest
	}
}
