package discover

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/rectifyhq/rectify/actions"
	rldap "github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/inventory"
)

// tcpAddressPrefix marks the networkAddress value that holds an Exchange
// server's FQDN.
const tcpAddressPrefix = "ncacn_ip_tcp:"

// exchangeServers reads the msExchExchangeServer objects under CN=Microsoft
// Exchange,CN=Services of the configuration partition.
func (r *Result) exchangeServers(ctx context.Context, dir actions.Directory, config string) ([]Host, error) {
	entries, err := dir.Search(ctx, actions.SearchRequest{
		Base:       "CN=Microsoft Exchange,CN=Services," + config,
		Scope:      actions.ScopeSubtree,
		Filter:     actions.Equal{Attribute: "objectClass", Value: "msExchExchangeServer"},
		Attributes: []string{"cn", "networkAddress", "msExchServerSite"},
	})
	if actions.KindOf(err) == actions.KindNotFound {
		r.NoExchange = true
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("search the Exchange servers: %w", err)
	}
	var hosts []Host
	for _, e := range entries {
		name := e.Get("cn")
		fqdn := ""
		for _, a := range e.Values("networkAddress") {
			if len(a) > len(tcpAddressPrefix) && strings.EqualFold(a[:len(tcpAddressPrefix)], tcpAddressPrefix) {
				fqdn = a[len(tcpAddressPrefix):]
				break
			}
		}
		if fqdn == "" && name != "" {
			c, found, err := rldap.FindComputer(ctx, dir, name, "")
			if err != nil {
				r.Skipped = append(r.Skipped, fmt.Sprintf("Exchange server %s: its computer account: %v", strconv.QuoteToASCII(name), err))
				continue
			}
			if found {
				fqdn = c.DNSHostName
			}
		}
		fqdn = strings.ToLower(strings.TrimSuffix(fqdn, "."))
		if !inventory.ValidFQDN(fqdn) {
			r.Skipped = append(r.Skipped, fmt.Sprintf("Exchange server %s: no usable DNS name (networkAddress ncacn_ip_tcp or the computer's dNSHostName gave %s)", strconv.QuoteToASCII(name), strconv.QuoteToASCII(fqdn)))
			continue
		}
		hosts = append(hosts, Host{
			DirectoryName: name, FQDN: fqdn, Domain: hostDomain(fqdn),
			Site: firstRDNValue(e.Get("msExchServerSite")), Groups: []string{GroupExchange},
		})
	}
	return hosts, nil
}
