package exchange

import (
	"net/netip"
	"sort"
	"strings"
)

// route is where a connection from one sending server's address lands on
// the receiving server.
type route struct {
	Sender  string `json:"sender"`
	Address string `json:"address"`
	// Connector is the identity of the connector that takes it, "" when
	// none does; Range is the remote range that matched.
	Connector string `json:"connector,omitempty"`
	Range     string `json:"range,omitempty"`
}

// chooseConnector returns the connector Exchange hands a connection from
// from to port on one of the receiver's addresses local: among the enabled
// connectors with a binding on that port, on one of local or on the
// unspecified address of from's family, whose RemoteIPRanges hold from,
// one bound to a specific address before one bound to all, then the one
// whose holding range is narrowest: the most specific match (Microsoft's
// "Receive connectors" documentation). Exchange refuses two connectors
// with the same bindings and ranges on a server; a tie is broken by name.
func chooseConnector(conns []connector, local []netip.Addr, from netip.Addr, port int) (connector, string, bool) {
	from = from.Unmap()
	type candidate struct {
		c        connector
		specific bool
		r        ipRange
	}
	var found []candidate
	for _, c := range conns {
		if !c.Enabled {
			continue
		}
		bound, specific := false, false
		for _, text := range c.Bindings {
			b, err := parseBinding(text)
			if err != nil || b.port != port || b.addr.Is4() != from.Is4() {
				continue
			}
			switch {
			case b.addr.IsUnspecified():
				bound = true
			case containsAddr(local, b.addr):
				bound, specific = true, true
			}
		}
		if !bound {
			continue
		}
		var best ipRange
		matched := false
		for _, text := range c.RemoteIPRanges {
			r, err := parseIPRange(text)
			if err != nil || !r.contains(from) {
				continue
			}
			if !matched || r.narrower(best) {
				best, matched = r, true
			}
		}
		if matched {
			found = append(found, candidate{c, specific, best})
		}
	}
	if len(found) == 0 {
		return connector{}, "", false
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		switch {
		case a.specific != b.specific:
			return a.specific
		case a.r.narrower(b.r) || b.r.narrower(a.r):
			return a.r.narrower(b.r)
		}
		return strings.ToLower(a.c.Name) < strings.ToLower(b.c.Name)
	})
	return found[0].c, found[0].r.text, true
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x.Unmap() == a.Unmap() {
			return true
		}
	}
	return false
}

// covers lists the remote ranges of c that hold any of addrs.
func covers(c connector, addrs []netip.Addr) []string {
	var out []string
	for _, text := range c.RemoteIPRanges {
		r, err := parseIPRange(text)
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if r.contains(a) {
				out = append(out, text)
				break
			}
		}
	}
	return out
}
