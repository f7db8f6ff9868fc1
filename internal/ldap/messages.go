package ldap

import (
	"context"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// messagePager is a Directory that can hand over a search page by page as
// the SearchResultEntry messages the server sent, checked (checkEntry) but
// not decoded: a caller that reads a few attributes of every entry of a
// forest copies what it keeps and allocates nothing per entry.
type messagePager interface {
	searchMessages(ctx context.Context, req actions.SearchRequest, page func(messages [][]byte) error) error
}

var _ messagePager = (*Directory)(nil)

// messageChunk is the size of the buffers entry messages are kept in.
const messageChunk = 64 << 10

// searchMessages is SearchPages with each entry given as its message,
// checked by checkEntry, under the same bounds. A page's messages stay
// valid after page returns.
func (d *Directory) searchMessages(ctx context.Context, req actions.SearchRequest, page func(messages [][]byte) error) error {
	// The messages are copied out of the connection's buffer into chunks
	// that are only appended to: a page handed over is never written
	// again while the next one is read.
	var chunk []byte
	keep := func(message []byte) ([]byte, error) {
		if _, _, err := checkEntry(message); err != nil {
			return nil, err
		}
		if cap(chunk)-len(chunk) < len(message) {
			chunk = make([]byte, 0, max(messageChunk, len(message)))
		}
		start := len(chunk)
		chunk = append(chunk, message...)
		return chunk[start:len(chunk):len(chunk)], nil
	}
	return searchPages(ctx, d, req, keep, encodeEntry, page)
}

// encodeEntry encodes an entry the LDAP library decoded itself as the
// SearchResultEntry message it came in, message ID aside.
func encodeEntry(e *goldap.Entry) []byte {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(0), "Message ID"))
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationSearchResultEntry, nil, "Search Result Entry")
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, e.DN, "Object Name"))
	list := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	for _, a := range e.Attributes {
		attr := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attribute")
		attr.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a.Name, "Type"))
		vals := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "Values")
		for _, v := range a.Values {
			vals.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "Value"))
		}
		attr.AppendChild(vals)
		list.AppendChild(attr)
	}
	op.AppendChild(list)
	p.AppendChild(op)
	return p.Bytes()
}
