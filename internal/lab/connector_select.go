package lab

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// ExchangeServerPort is the port the Transport service of an Exchange 2013
// or later Mailbox server receives mail from other Exchange servers on:
// the bindings of its "Default <Server>" connector.
const ExchangeServerPort = 2525

// ConnectorFor returns the receive connector of h that takes a connection
// from the address from to port on h's own address, as Exchange chooses
// it: among the enabled connectors with a binding on that port (on h's
// address or on the unspecified one of its family) whose RemoteIPRanges
// contain from, the one bound to h's address before one bound to every
// address, then the one whose containing range is the narrowest (the most
// specific match wins; Microsoft's "Receive connectors" documentation).
// Exchange refuses two connectors with the same bindings and ranges on one
// server; for ties the lab takes the first by name (_unverified). An
// address that does not parse is taken as the unspecified address.
func (h *Host) ConnectorFor(from string, port int) (ReceiveConnector, bool) {
	remote, err := netip.ParseAddr(strings.TrimSpace(from))
	if err != nil {
		remote = netip.IPv4Unspecified()
	}
	remote = remote.Unmap()
	local, err := netip.ParseAddr(h.IP)
	if err != nil {
		local = netip.IPv4Unspecified()
	}
	type candidate struct {
		c        ReceiveConnector
		specific bool
		r        ipRange
	}
	var found []candidate
	for _, c := range h.Connectors() {
		if !c.Enabled {
			continue
		}
		bound, specific := false, false
		for _, b := range c.Bindings {
			bd, err := parseBinding(b)
			if err != nil || bd.port != port || bd.addr.Is4() != remote.Is4() {
				continue
			}
			switch {
			case bd.addr == local.Unmap():
				bound, specific = true, true
			case bd.addr.IsUnspecified():
				bound = true
			}
		}
		if !bound {
			continue
		}
		var best ipRange
		matched := false
		for _, text := range c.RemoteIPRanges {
			r, err := parseIPRange(text)
			if err != nil || !r.contains(remote) {
				continue
			}
			if !matched || r.narrower(best) {
				best, matched = r, true
			}
		}
		if matched {
			found = append(found, candidate{c: c, specific: specific, r: best})
		}
	}
	if len(found) == 0 {
		return ReceiveConnector{}, false
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.specific != b.specific {
			return a.specific
		}
		if a.r.narrower(b.r) || b.r.narrower(a.r) {
			return a.r.narrower(b.r)
		}
		return strings.ToLower(a.c.Name) < strings.ToLower(b.c.Name)
	})
	return found[0].c, true
}

// directoryConnector is a connector as its directory object stores it.
func directoryConnector(c ReceiveConnector) directory.ReceiveConnector {
	flags := 0
	for _, f := range directory.AuthMechanismFlags {
		if hasFold(c.AuthMechanism, f.Name) {
			flags |= f.Flag
		}
	}
	role := directory.RoleHubTransport
	if strings.EqualFold(c.TransportRole, RoleFrontendTransport) {
		role = directory.RoleFrontendTransport
	}
	return directory.ReceiveConnector{
		Server: c.Server, Name: c.Name, Bindings: c.Bindings, RemoteIPRanges: c.RemoteIPRanges,
		SecurityFlags: flags, Enabled: c.Enabled, TransportRole: role,
	}
}

// connectorStore keeps the directory's receive connector objects in step
// with the servers' connectors: the lab changes a connector in the
// server's model and writes the same settings to its object, as
// Set-ReceiveConnector writes the object Exchange reads its settings from.
type connectorStore interface {
	PutConnector(c ReceiveConnector) error
}

// directoryConnectors writes connectors to the lab's directory.
type directoryConnectors struct{ dir *directory.Directory }

var _ connectorStore = directoryConnectors{}

func (d directoryConnectors) PutConnector(c ReceiveConnector) error {
	_, err := d.dir.PutReceiveConnector(directoryConnector(c))
	return err
}
