package discover

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/inventory"
)

// serverTrustAccount is userAccountControl's SERVER_TRUST_ACCOUNT: the
// account of a (writable) domain controller.
const serverTrustAccount = 0x2000

// serverSites maps each server object's serverReference (a computer DN, in
// normalDN form) to its site, from CN=Servers,CN=<site>,CN=Sites of the
// configuration partition.
func serverSites(ctx context.Context, dir actions.Directory, config string) (map[string]string, error) {
	entries, err := dir.Search(ctx, actions.SearchRequest{
		Base:       "CN=Sites," + config,
		Scope:      actions.ScopeSubtree,
		Filter:     actions.And{actions.Equal{Attribute: "objectClass", Value: "server"}, actions.Present{Attribute: "serverReference"}},
		Attributes: []string{"serverReference"},
	})
	if actions.KindOf(err) == actions.KindNotFound {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("search the sites' server objects: %w", err)
	}
	sites := map[string]string{}
	for _, e := range entries {
		if site := siteOfServer(e.DN); site != "" {
			sites[normalDN(e.Get("serverReference"))] = site
		}
	}
	return sites, nil
}

// siteOfServer returns the site of a server object's DN:
// CN=DC01,CN=Servers,CN=HQ,CN=Sites,... gives HQ.
func siteOfServer(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil || len(parsed.RDNs) < 4 {
		return ""
	}
	servers, site, sitesRDN := parsed.RDNs[1], parsed.RDNs[2], parsed.RDNs[3]
	if len(servers.Attributes) == 0 || !strings.EqualFold(servers.Attributes[0].Value, "Servers") ||
		len(sitesRDN.Attributes) == 0 || !strings.EqualFold(sitesRDN.Attributes[0].Value, "Sites") ||
		len(site.Attributes) == 0 {
		return ""
	}
	return site.Attributes[0].Value
}

// domainControllers reads the computer accounts of the bound domain that
// are domain controllers.
func (r *Result) domainControllers(ctx context.Context, dir actions.Directory, naming string, sites map[string]string) ([]Host, error) {
	entries, err := dir.Search(ctx, actions.SearchRequest{
		Base:  naming,
		Scope: actions.ScopeSubtree,
		Filter: actions.And{
			actions.Equal{Attribute: "objectCategory", Value: "computer"},
			actions.BitAnd{Attribute: "userAccountControl", Mask: serverTrustAccount},
		},
		Attributes: []string{"cn", "dNSHostName", "msDS-SiteName"},
	})
	if err != nil {
		return nil, fmt.Errorf("search the domain controllers: %w", err)
	}
	var hosts []Host
	for _, e := range entries {
		name := e.Get("cn")
		fqdn := strings.ToLower(strings.TrimSuffix(e.Get("dNSHostName"), "."))
		if !inventory.ValidFQDN(fqdn) {
			r.Skipped = append(r.Skipped, fmt.Sprintf("domain controller %s: no usable dNSHostName (%s)", strconv.QuoteToASCII(name), strconv.QuoteToASCII(fqdn)))
			continue
		}
		site := e.Get("msDS-SiteName")
		if site == "" {
			site = sites[normalDN(e.DN)]
		}
		hosts = append(hosts, Host{
			DirectoryName: name, FQDN: fqdn, Domain: hostDomain(fqdn), Site: site, Groups: []string{GroupDC},
		})
	}
	return hosts, nil
}
