package ldap

import (
	"context"
	"errors"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// Pager is a Directory that can hand over a search page by page, so that
// a caller scanning a whole forest holds one page at a time. The SPN
// helpers use it when the Directory offers it.
type Pager interface {
	SearchPages(ctx context.Context, req actions.SearchRequest, page func([]actions.Entry) error) error
}

var _ Pager = (*Directory)(nil)

// Search returns every matching entry, following paging. An empty Base
// means the domain's base DN, except for Global Catalog searches (the whole
// forest) and base-scope searches (the rootDSE). The entries it returns
// hold at most MaxResultBytes; past that the search is abandoned with a
// LimitError.
func (d *Directory) Search(ctx context.Context, req actions.SearchRequest) ([]actions.Entry, error) {
	var out []actions.Entry
	var size int64
	limit := d.cfg.maxResultBytes()
	err := d.SearchPages(ctx, req, func(page []actions.Entry) error {
		for _, e := range page {
			size += entrySize(e)
		}
		if size > limit {
			return &LimitError{Limit: "MaxResultBytes", What: "bytes of entries in one search", Max: limit, Got: size}
		}
		out = append(out, page...)
		return nil
	})
	var le *LimitError
	if errors.As(err, &le) && actions.KindOf(err) == "" {
		err = &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent,
			Host: d.endpointFor(req.GlobalCatalog).cfg.address, Op: "search", Err: err}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// entrySize is about what an entry holds in memory.
func entrySize(e actions.Entry) int64 {
	n := int64(len(e.DN))
	for name, values := range e.Attributes {
		n += int64(len(name))
		for _, v := range values {
			n += int64(len(v)) + 16
		}
	}
	return n
}

// SearchPages runs a paged search and calls page for each page received,
// at most MaxPageSize entries at a time. The whole search is one operation
// bounded by the configured timeout and by ctx, which is also checked
// between pages. Each page the server sends is bounded by
// MaxResponseBytes and by the page size asked for (servers must honour the
// paging control, as Active Directory, Samba and OpenLDAP do), the search
// by MaxEntries; past any of them the connection is closed and a
// LimitError returned. An error returned by page stops the
// search and is returned as is. When the kept connection turns out to be
// broken before the first page arrives, it is replaced and the search sent
// again, once; after a page has been delivered a broken connection is an
// error.
func (d *Directory) SearchPages(ctx context.Context, req actions.SearchRequest, page func([]actions.Entry) error) error {
	return searchPages(ctx, d, req, decodeEntry, convertEntry, page)
}

// searchPages is SearchPages for entries of any form: decode makes one of
// a SearchResultEntry message as it arrives (an error fails the
// connection, as a violation of the bounds does), fromLibrary of an entry
// the LDAP library decoded itself (the entries of a base-scope search).
func searchPages[T any](ctx context.Context, d *Directory, req actions.SearchRequest,
	decode func(message []byte) (T, error), fromLibrary func(*goldap.Entry) T, page func([]T) error) error {
	var filter = "(objectClass=*)"
	if req.Filter != nil {
		f, err := RenderFilter(req.Filter)
		if err != nil {
			return &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Op: "search", Err: err}
		}
		filter = f
	}
	base := req.Base
	if base == "" && !req.GlobalCatalog && req.Scope != actions.ScopeBase {
		b, err := d.BaseDN(ctx)
		if err != nil {
			return err
		}
		base = b
	}
	scope, err := scopeOf(req.Scope)
	if err != nil {
		return &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Op: "search", Err: err}
	}
	attrs := req.Attributes
	if len(attrs) == 0 {
		attrs = []string{"*"}
	}
	e := d.endpointFor(req.GlobalCatalog)
	delivered := 0
	maxEntries := d.cfg.maxEntries()
	tooMany := func(more int) error {
		if delivered+more <= maxEntries {
			return nil
		}
		return &LimitError{Limit: "MaxEntries", What: "entries in one search", Max: int64(maxEntries), Got: int64(delivered + more)}
	}
	var callerErr error
	retry := func() bool { return delivered == 0 }
	err = d.use(ctx, e, "search", retry, func(opCtx context.Context, s *session) error {
		sr := goldap.NewSearchRequest(base, scope, goldap.NeverDerefAliases, req.SizeLimit, 0, false, filter, attrs, nil)
		if req.Scope == actions.ScopeBase {
			res, err := s.conn.Search(sr)
			if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) || res == nil {
				return err
			}
			if err := tooMany(len(res.Entries)); err != nil {
				return err
			}
			delivered += len(res.Entries)
			if len(res.Entries) > 0 {
				callerErr = page(convertEntries(res.Entries, fromLibrary))
			}
			return nil
		}
		pageSize := d.cfg.pageSize(req.PageSize)
		paging := goldap.NewControlPaging(uint32(pageSize))
		sr.Controls = []goldap.Control{paging}
		// The page's entries are decoded as they arrive (decode), not by
		// the library, which sees the page's result alone.
		var tapped []T
		s.bounded.tapMessages(func(message []byte) error {
			e, err := decode(message)
			if err != nil {
				return err
			}
			tapped = append(tapped, e)
			return nil
		})
		defer s.bounded.tapMessages(nil)
		// A page that has a next one is handed over while the next one is
		// asked for and read, so that the caller's work on a page overlaps
		// the server's on the next; page still sees one page at a time, in
		// order, and the hand-over ends before the next page is looked at.
		var handing chan handOver
		handed := func() error {
			if handing == nil {
				return nil
			}
			h := <-handing
			handing = nil
			if h.panicked {
				panic(h.value) // where it would have been raised: contain reports it
			}
			return h.err
		}
		defer func() {
			if err := handed(); err != nil && callerErr == nil {
				callerErr = err
			}
		}()
		for {
			// Each page is one request, bounded on its own.
			s.bounded.beginResponse(pageSize)
			tapped = nil
			res, err := s.conn.Search(sr)
			if herr := handed(); herr != nil {
				callerErr = herr
				if err != nil || res == nil {
					return err
				}
				return abandonPaging(s, sr, paging, res)
			}
			sizeLimited := goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded)
			if err != nil && !sizeLimited || res == nil {
				return err
			}
			entries := append(tapped, convertEntries(res.Entries, fromLibrary)...)
			if err := tooMany(len(entries)); err != nil {
				return err
			}
			if req.SizeLimit > 0 && delivered+len(entries) >= req.SizeLimit {
				entries = entries[:req.SizeLimit-delivered]
				sizeLimited = true
			}
			delivered += len(entries)
			cookie := nextCookie(res)
			last := sizeLimited || len(cookie) == 0
			if len(entries) > 0 && last {
				if callerErr = page(entries); callerErr != nil {
					return abandonPaging(s, sr, paging, res)
				}
			}
			if sizeLimited {
				return abandonPaging(s, sr, paging, res)
			}
			if len(cookie) == 0 {
				return nil
			}
			if err := opCtx.Err(); err != nil {
				return err
			}
			if len(entries) > 0 {
				ch := make(chan handOver, 1)
				handing = ch
				go func() {
					defer func() {
						if v := recover(); v != nil {
							ch <- handOver{panicked: true, value: v}
						}
					}()
					ch <- handOver{err: page(entries)}
				}()
			}
			paging.SetCookie(cookie)
		}
	})
	if callerErr != nil {
		return callerErr
	}
	return err
}

// handOver is how the hand-over of a page to the caller ended: page's
// error, or its panic.
type handOver struct {
	err      error
	panicked bool
	value    any
}

// nextCookie returns the paging cookie of a page, or nil on the last page.
func nextCookie(res *goldap.SearchResult) []byte {
	if res == nil {
		return nil
	}
	if c, ok := goldap.FindControl(res.Controls, goldap.ControlTypePaging).(*goldap.ControlPaging); ok {
		return c.Cookie
	}
	return nil
}

// abandonPaging tells the server to drop a paged search's state (a paging
// control with size 0 and the last cookie, RFC 2696).
func abandonPaging(s *session, sr *goldap.SearchRequest, paging *goldap.ControlPaging, res *goldap.SearchResult) error {
	cookie := nextCookie(res)
	if len(cookie) == 0 {
		return nil
	}
	paging.SetCookie(cookie)
	paging.PagingSize = 0
	sr.SizeLimit = 0
	s.bounded.beginResponse(1)
	_, err := s.conn.Search(sr)
	if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
		return err
	}
	return nil
}

func scopeOf(s actions.Scope) (int, error) {
	switch s {
	case actions.ScopeBase:
		return goldap.ScopeBaseObject, nil
	case actions.ScopeOne:
		return goldap.ScopeSingleLevel, nil
	case actions.ScopeSubtree:
		return goldap.ScopeWholeSubtree, nil
	}
	return 0, errors.New("search: unknown scope")
}

func convertEntries[T any](in []*goldap.Entry, convert func(*goldap.Entry) T) []T {
	out := make([]T, len(in))
	for i, e := range in {
		out[i] = convert(e)
	}
	return out
}
