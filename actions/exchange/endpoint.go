package exchange

import (
	"fmt"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// endpointOf is Exchange's management endpoint on the host: its cmdlets
// run there, in Exchange's own process, which reaches Active Directory as
// the Exchange server (see docs/exchange.md).
func endpointOf(h actions.Host) ops.ExchangeEndpoint {
	fqdn := h.FQDN
	if fqdn == "" {
		fqdn = h.Name
	}
	return ops.EndpointFor(fqdn)
}

// writePath says, for the plan, how a change reaches Exchange's cmdlets on
// the host.
func writePath(h actions.Host) string {
	how := "logged on with the inventory's WinRM account as an explicit credential"
	if h.Session.Delegation {
		how = "logged on with the WinRM session's delegated Kerberos credentials"
	}
	return fmt.Sprintf("Exchange's management endpoint %s (configuration Microsoft.Exchange, Kerberos), %s; no snap-in, no second hop", endpointOf(h).ConnectionURI, how)
}

// noPath says why Exchange's cmdlets cannot run on the host, or "" when
// they can: the endpoint needs an explicit credential or a session with
// delegated credentials, and a network logon alone has neither.
func noPath(h actions.Host) string {
	if h.Session.Credential || h.Session.Delegation {
		return ""
	}
	return fmt.Sprintf("Exchange's cmdlets run through its management endpoint (%s), which needs an explicit credential or delegated Kerberos credentials; the inventory's WinRM authentication of %s provides neither (a network logon has no credentials for a second hop)",
		endpointOf(h).ConnectionURI, h.Name)
}
