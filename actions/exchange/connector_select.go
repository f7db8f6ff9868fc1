package exchange

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/rectifyhq/rectify/actions"
)

// route is where the senders' connections land on the receiving server:
// one per connector and matched range, with how many senders and
// addresses it takes. A route names its senders' addresses only when it
// is a finding, or holds few: the state of one server then stays the same
// size however many servers send to it.
type route struct {
	// Connector is the identity of the connector that takes the
	// connections, "" when none does; Range is the remote range that
	// matched.
	Connector string `json:"connector,omitempty"`
	Range     string `json:"range,omitempty"`
	Senders   int    `json:"senders"`
	Addresses int    `json:"addresses"`
	// From names each address as "ex01 (10.0.0.5)", in inventory order:
	// always for a route that is a finding (no connector takes it, or a
	// connector other than the target that does not let Exchange servers
	// authenticate), else only when the route holds at most namedRoute
	// addresses.
	From []string `json:"from,omitempty"`
	// finding is set when From must name every address.
	finding bool
	// last is the index of the last sender counted.
	last int
}

// namedRoute is how many addresses a route that is no finding names.
const namedRoute = 8

// chooser places connections on one receiving server as Exchange does:
// its connectors' bindings and ranges are parsed once, for the many
// senders a server has.
type chooser struct {
	cands []candidate
}

// candidate is one enabled connector with a binding on the port.
type candidate struct {
	c connector
	// bound and specific are per family (0: IPv4, 1: IPv6): bound on the
	// port at all, bound to one of the receiver's own addresses.
	bound, specific [2]bool
	ranges          []ipRange
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}

// newChooser prepares chooseConnector's choice for the connectors conns
// of a receiver whose addresses are local, on port.
func newChooser(conns []connector, local []netip.Addr, port int) chooser {
	var ch chooser
	for _, c := range conns {
		if !c.Enabled {
			continue
		}
		cd := candidate{c: c}
		for _, text := range c.Bindings {
			b, err := parseBinding(text)
			if err != nil || b.port != port {
				continue
			}
			f := family(b.addr)
			switch {
			case b.addr.IsUnspecified():
				cd.bound[f] = true
			case containsAddr(local, b.addr):
				cd.bound[f], cd.specific[f] = true, true
			}
		}
		if !cd.bound[0] && !cd.bound[1] {
			continue
		}
		for _, text := range c.RemoteIPRanges {
			if r, err := parseIPRange(text); err == nil {
				cd.ranges = append(cd.ranges, r)
			}
		}
		ch.cands = append(ch.cands, cd)
	}
	return ch
}

// choose returns the connector that takes a connection from from, and the
// range of it that matched.
func (ch chooser) choose(from netip.Addr) (connector, string, bool) {
	from = from.Unmap()
	f := family(from)
	var best *candidate
	var bestRange ipRange
	for i := range ch.cands {
		cd := &ch.cands[i]
		if !cd.bound[f] {
			continue
		}
		var r ipRange
		matched := false
		for _, x := range cd.ranges {
			if x.contains(from) && (!matched || x.narrower(r)) {
				r, matched = x, true
			}
		}
		if !matched {
			continue
		}
		if best == nil || before(cd.specific[f], r, cd.c, best.specific[f], bestRange, best.c) {
			best, bestRange = cd, r
		}
	}
	if best == nil {
		return connector{}, "", false
	}
	return best.c, bestRange.text, true
}

// before orders two connectors holding a connection as Exchange prefers
// them: bound to a specific address first, then the narrower range; a tie
// is broken by name.
func before(aSpecific bool, a ipRange, ac connector, bSpecific bool, b ipRange, bc connector) bool {
	switch {
	case aSpecific != bSpecific:
		return aSpecific
	case a.narrower(b) || b.narrower(a):
		return a.narrower(b)
	}
	return strings.ToLower(ac.Name) < strings.ToLower(bc.Name)
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
	return newChooser(conns, local, port).choose(from)
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x.Unmap() == a.Unmap() {
			return true
		}
	}
	return false
}

// placeSenders places every sender's addresses on st's connectors
// (their permission groups read) for the target connector targetID:
// st.Routes, st.Unreadable, and the Holds of the custom connectors. each
// holds the senders' host.addresses reads by host name.
func placeSenders(inst actions.Instance, st *connectorState, local []netip.Addr, targetID string, each map[string]actions.Result) {
	ch := newChooser(st.Connectors, local, portOf(inst))
	// held[i][k] is set once connector i's k-th range holds an address.
	type custom struct {
		ranges []ipRange
		texts  []string
		held   []bool
	}
	customs := make([]*custom, len(st.Connectors))
	for i, c := range st.Connectors {
		if setupConnector(c.Name, st.Server) {
			continue
		}
		cu := &custom{}
		for _, text := range c.RemoteIPRanges {
			if r, err := parseIPRange(text); err == nil {
				cu.ranges, cu.texts = append(cu.ranges, r), append(cu.texts, text)
			}
		}
		cu.held = make([]bool, len(cu.ranges))
		customs[i] = cu
	}
	type key struct{ connector, rng string }
	index := map[key]int{}
	st.Routes = []route{}
	for i, name := range senderNames(inst) {
		if name == inst.Host.Name {
			continue
		}
		h, _ := inst.Topology.Host(name)
		addrs, err := addressesOf(each[name])
		if a, perr := netip.ParseAddr(h.Address); perr == nil && !containsAddr(addrs, a) {
			addrs = append(addrs, a)
		}
		if err != nil && len(addrs) == 0 {
			st.Unreadable = append(st.Unreadable, name)
			continue
		}
		for _, a := range addrs {
			for _, cu := range customs {
				if cu == nil {
					continue
				}
				for k, r := range cu.ranges {
					cu.held[k] = cu.held[k] || r.contains(a)
				}
			}
			c, matched, ok := ch.choose(a)
			j, seen := index[key{c.Identity, matched}]
			if !seen {
				j = len(st.Routes)
				index[key{c.Identity, matched}] = j
				st.Routes = append(st.Routes, route{Connector: c.Identity, Range: matched, last: -1,
					finding: !ok || (!strings.EqualFold(c.Identity, targetID) && !accepts(c))})
			}
			rt := &st.Routes[j]
			rt.Addresses++
			if rt.last != i {
				rt.Senders, rt.last = rt.Senders+1, i
			}
			if rt.finding || len(rt.From) <= namedRoute {
				rt.From = append(rt.From, name+" ("+a.String()+")")
			}
		}
	}
	for i := range st.Routes {
		if rt := &st.Routes[i]; !rt.finding && len(rt.From) > namedRoute {
			rt.From = nil
		}
	}
	sort.Slice(st.Routes, func(i, j int) bool {
		a, b := st.Routes[i], st.Routes[j]
		switch {
		case (a.Connector == "") != (b.Connector == ""):
			return b.Connector == ""
		case !strings.EqualFold(a.Connector, b.Connector):
			return strings.ToLower(a.Connector) < strings.ToLower(b.Connector)
		}
		return a.Range < b.Range
	})
	for i, cu := range customs {
		if cu == nil {
			continue
		}
		for k, held := range cu.held {
			if held {
				st.Connectors[i].Holds = append(st.Connectors[i].Holds, cu.texts[k])
			}
		}
	}
}
