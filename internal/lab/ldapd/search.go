package ldapd

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// maxPagedSearches bounds the paged searches one connection keeps open.
const maxPagedSearches = 64

// searchRequest is a decoded SearchRequest.
type searchRequest struct {
	base       string
	scope      directory.Scope
	sizeLimit  int
	typesOnly  bool
	filter     directory.Filter
	attributes []string
}

// pageState is the server side of one paged search: the query it belongs
// to and how far it has read.
type pageState struct {
	key      string
	cursor   directory.Cursor
	returned int
}

// key identifies a search so a cookie cannot continue a different one.
func (r searchRequest) key() string {
	return strings.Join([]string{r.base, string(rune('0' + r.scope)), r.filter.String(), strings.Join(r.attributes, ",")}, "\x00")
}

func decodeSearch(p *ber.Packet) (searchRequest, error) {
	if p.TagType != ber.TypeConstructed || len(p.Children) != 8 {
		return searchRequest{}, malformed("search request has %d fields", len(p.Children))
	}
	var r searchRequest
	var err error
	if r.base, err = str(p.Children[0]); err != nil {
		return r, err
	}
	scope, err := integer(p.Children[1])
	if err != nil || scope < 0 || scope > 2 {
		return r, malformed("bad scope")
	}
	r.scope = directory.Scope(scope)
	if _, err := integer(p.Children[2]); err != nil {
		return r, err
	}
	size, err := integer(p.Children[3])
	if err != nil || size < 0 {
		return r, malformed("bad size limit")
	}
	if size > 1<<30 {
		size = 1 << 30
	}
	r.sizeLimit = int(size)
	if _, err := integer(p.Children[4]); err != nil {
		return r, err
	}
	if r.typesOnly, err = boolean(p.Children[5]); err != nil {
		return r, err
	}
	if r.filter, err = DecodeFilter(p.Children[6]); err != nil {
		return r, err
	}
	attrs := p.Children[7]
	if attrs.TagType != ber.TypeConstructed {
		return r, malformed("bad attribute list")
	}
	for _, a := range attrs.Children {
		s, err := str(a)
		if err != nil {
			return r, err
		}
		r.attributes = append(r.attributes, s)
	}
	return r, nil
}

// search answers a SearchRequest: the root DSE to anyone, everything else to
// bound clients, paged when the client asks.
func (c *conn) search(m *message) bool {
	req, err := decodeSearch(m.op)
	if err != nil {
		return c.protocolErrorIn(m)
	}
	var paging *control
	for i, ctl := range m.controls {
		switch {
		case ctl.oid == oidPagedResults:
			paging = &m.controls[i]
		case ctl.critical:
			return c.done(m.id, result{code: 12, message: errUnsupportedControl})
		}
	}
	if req.base == "" && req.scope == directory.ScopeBase {
		return c.searchRootDSE(m.id, req)
	}
	if c.account == "" {
		return c.done(m.id, result{code: 1, message: errBindRequired})
	}
	q := directory.Query{
		Base:          req.base,
		Scope:         req.scope,
		Filter:        req.filter,
		Attributes:    req.attributes,
		GlobalCatalog: c.kind.globalCatalog(),
	}
	if paging != nil {
		return c.searchPaged(m.id, req, q, paging)
	}
	limit := c.srv.opts.MaxPageSize
	if req.sizeLimit > 0 && req.sizeLimit < limit {
		limit = req.sizeLimit
	}
	page, err := c.srv.dir.SearchPage(q, 0, limit)
	if err != nil {
		return c.done(m.id, fromDirectory(err))
	}
	if !c.sendEntries(m.id, req, page.Entries) {
		return false
	}
	if page.More {
		return c.done(m.id, result{code: 4})
	}
	if !c.sendReferences(m.id, q) {
		return false
	}
	return c.done(m.id, result{})
}

// sendReferences sends a continuation reference for each naming context
// below the search's reach (RFC 4511, section 4.5.3), as a DC does: a client
// that wants the configuration partition must search it itself.
func (c *conn) sendReferences(id int64, q directory.Query) bool {
	if q.GlobalCatalog {
		return true
	}
	scheme := "ldap"
	if c.kind == LDAPS {
		scheme = "ldaps"
	}
	var buf []byte
	for _, dn := range c.srv.dir.SubordinateContexts(q) {
		url := scheme + "://" + c.srv.dir.DNSName() + "/" + dn
		if q.Scope == directory.ScopeOne {
			url += "??base"
		}
		msg := appendInteger(nil, id)
		msg = appendTLV(msg, berSearchReference, appendString(nil, url))
		buf = appendTLV(buf, berSequence, msg)
	}
	if len(buf) == 0 {
		return true
	}
	return c.send(buf)
}

// searchPaged serves one page of a paged search (RFC 2696). The page size
// is capped at MaxPageSize, as AD caps it.
func (c *conn) searchPaged(id int64, req searchRequest, q directory.Query, ctl *control) bool {
	size, cookie, err := decodePaging(ctl.value)
	if err != nil {
		return c.done(id, result{code: 2, message: errBadPagingCookie})
	}
	state := &pageState{key: req.key()}
	if cookie != "" {
		s, ok := c.pages[cookie]
		if !ok || s.key != state.key {
			return c.done(id, result{code: 53, message: errBadPagingCookie})
		}
		delete(c.pages, cookie)
		state = s
	}
	if size <= 0 {
		// A page size of zero abandons the search.
		return c.done(id, result{}, pagingControl(""))
	}
	if size > c.srv.opts.MaxPageSize {
		size = c.srv.opts.MaxPageSize
	}
	remaining := 0
	if req.sizeLimit > 0 {
		remaining = req.sizeLimit - state.returned
		if remaining < size {
			size = remaining
		}
	}
	page, err := c.srv.dir.SearchPage(q, state.cursor, size)
	if err != nil {
		return c.done(id, fromDirectory(err))
	}
	if !c.sendEntries(id, req, page.Entries) {
		return false
	}
	state.returned += len(page.Entries)
	if !page.More {
		if !c.sendReferences(id, q) {
			return false
		}
		return c.done(id, result{}, pagingControl(""))
	}
	if req.sizeLimit > 0 && state.returned >= req.sizeLimit {
		return c.done(id, result{code: 4}, pagingControl(""))
	}
	state.cursor = page.Next
	next := newCookie()
	if len(c.pages) >= maxPagedSearches {
		clear(c.pages)
	}
	c.pages[next] = state
	return c.done(id, result{}, pagingControl(next))
}

func newCookie() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// decodePaging reads the realSearchControlValue of RFC 2696.
func decodePaging(value []byte) (int, string, error) {
	p, err := ber.DecodePacketErr(value)
	if err != nil {
		return 0, "", malformed("%v", err)
	}
	if p.Tag != ber.TagSequence || len(p.Children) != 2 {
		return 0, "", malformed("bad paging control")
	}
	size, err := integer(p.Children[0])
	if err != nil || size < 0 {
		return 0, "", malformed("bad page size")
	}
	if size > 1<<30 {
		size = 1 << 30
	}
	cookie, err := octets(p.Children[1])
	if err != nil {
		return 0, "", err
	}
	return int(size), string(cookie), nil
}

func pagingControl(cookie string) *ber.Packet {
	v := ber.NewSequence("realSearchControlValue")
	v.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(0), "size"))
	v.AppendChild(newOctets(cookie))
	return encodeControl(oidPagedResults, v.Bytes())
}

func (c *conn) searchRootDSE(id int64, req searchRequest) bool {
	e := c.srv.rootDSE()
	if req.filter.Match(e) {
		if !c.sendEntries(id, req, []directory.Entry{selectAttributes(e, req.attributes)}) {
			return false
		}
	}
	return c.done(id, result{})
}

// selectAttributes applies an attribute list to an entry built by the
// server (the directory selects its own).
func selectAttributes(e directory.Entry, attrs []string) directory.Entry {
	all := len(attrs) == 0
	want := map[string]bool{}
	for _, a := range attrs {
		if a == "*" {
			all = true
		}
		want[strings.ToLower(a)] = true
	}
	if all {
		return e
	}
	out := directory.Entry{DN: e.DN, Attributes: map[string][]string{}}
	for k, v := range e.Attributes {
		if want[strings.ToLower(k)] {
			out.Attributes[k] = v
		}
	}
	return out
}

// sendEntries writes SearchResultEntry messages.
func (c *conn) sendEntries(id int64, req searchRequest, entries []directory.Entry) bool {
	if len(entries) == 0 {
		return true
	}
	var buf []byte
	for _, e := range entries {
		buf = appendSearchEntry(buf, id, e, req.typesOnly)
		if len(buf) > 64<<10 {
			if !c.send(buf) {
				return false
			}
			buf = buf[:0]
		}
	}
	return c.send(buf)
}

// done sends SearchResultDone.
func (c *conn) done(id int64, r result, controls ...*ber.Packet) bool {
	return c.write(id, r.packet(opSearchDone), controls...)
}

// fromDirectory turns a directory refusal into its LDAP result.
func fromDirectory(err error) result {
	var de *directory.Error
	if errors.As(err, &de) {
		return result{code: int(de.Code), matchedDN: de.MatchedDN, message: de.Message}
	}
	return result{code: 80, message: "00000000: LdapErr: DSID-0C0907C2, comment: internal error, data 0, v4563"}
}
