package ldapd

import (
	"sort"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// The BER identifiers of search results.
const (
	berOctetString = 0x04
	berInteger     = 0x02
	berSequence    = 0x30
	berSet         = 0x31
	berSearchEntry = 0x64 // [APPLICATION 4] constructed
	// berSearchReference is [APPLICATION 19] constructed.
	berSearchReference = 0x73
)

// appendLength appends a BER definite length.
func appendLength(dst []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n <= 0xff:
		return append(dst, 0x81, byte(n))
	case n <= 0xffff:
		return append(dst, 0x82, byte(n>>8), byte(n))
	case n <= 0xffffff:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendTLV(dst []byte, tag byte, content []byte) []byte {
	dst = append(dst, tag)
	dst = appendLength(dst, len(content))
	return append(dst, content...)
}

func appendString(dst []byte, s string) []byte {
	dst = append(dst, berOctetString)
	dst = appendLength(dst, len(s))
	return append(dst, s...)
}

// appendInteger appends a non-negative INTEGER (a message id).
func appendInteger(dst []byte, v int64) []byte {
	var b [9]byte
	i := len(b)
	for {
		i--
		b[i] = byte(v)
		v >>= 8
		if v == 0 {
			break
		}
	}
	if b[i]&0x80 != 0 {
		i--
		b[i] = 0
	}
	return appendTLV(dst, berInteger, b[i:])
}

// appendSearchEntry appends one LDAPMessage holding a SearchResultEntry.
// It encodes directly rather than through ber.Packet, which copies every
// child into every ancestor: a full scan sends 100,000 of these.
func appendSearchEntry(dst []byte, id int64, e directory.Entry, typesOnly bool) []byte {
	names := make([]string, 0, len(e.Attributes))
	for k := range e.Attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	var list, attr, vals []byte
	for _, name := range names {
		vals = vals[:0]
		if !typesOnly {
			for _, v := range e.Attributes[name] {
				vals = appendString(vals, v)
			}
		}
		attr = appendString(attr[:0], name)
		attr = appendTLV(attr, berSet, vals)
		list = appendTLV(list, berSequence, attr)
	}
	op := appendString(nil, e.DN)
	op = appendTLV(op, berSequence, list)
	msg := appendInteger(nil, id)
	msg = appendTLV(msg, berSearchEntry, op)
	return appendTLV(dst, berSequence, msg)
}
