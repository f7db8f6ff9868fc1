package discover

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// The inventory groups discovered hosts are put in, as the example
// playbooks name them.
const (
	GroupExchange = "exchange"
	GroupDC       = "dc"
)

// Host is one discovered server.
type Host struct {
	// Name is the inventory name: SafeName of the FQDN's first label, made
	// unique.
	Name string
	// DirectoryName is the server's name as the directory holds it (the
	// cn of its Exchange server or computer object).
	DirectoryName string
	// FQDN is the DNS name, in lower case.
	FQDN string
	// Address is filled by Resolve; "" otherwise.
	Address string
	// Domain is the DNS domain the FQDN belongs to.
	Domain string
	// Site is the AD site, "" when the directory does not say.
	Site string
	// Groups holds GroupExchange, GroupDC or both.
	Groups []string
}

// Result is what Discover found.
type Result struct {
	// Domain is the DNS name of the domain the Directory is bound to.
	Domain string
	// Hosts are the Exchange servers, then the DCs, each sorted by FQDN; a
	// server that is both appears once, in both groups.
	Hosts []Host
	// Skipped explains each object that could not become a host (no
	// usable DNS name), quoted so that it prints safely.
	Skipped []string
	// NoExchange is set when the forest has no Exchange organisation.
	NoExchange bool
}

// Exchange returns the hosts of the exchange group.
func (r *Result) Exchange() []Host { return r.group(GroupExchange) }

// DCs returns the hosts of the dc group.
func (r *Result) DCs() []Host { return r.group(GroupDC) }

func (r *Result) group(g string) []Host {
	var out []Host
	for _, h := range r.Hosts {
		if slices.Contains(h.Groups, g) {
			out = append(out, h)
		}
	}
	return out
}

// Discover reads the Exchange servers of the forest and the domain
// controllers of the bound domain, with their sites.
func Discover(ctx context.Context, dir actions.Directory) (*Result, error) {
	root, err := dir.RootDSE(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the root DSE: %w", err)
	}
	config := root.Get("configurationNamingContext")
	naming := root.Get("defaultNamingContext")
	if config == "" || naming == "" {
		return nil, fmt.Errorf("the root DSE names no configurationNamingContext or defaultNamingContext: is this an Active Directory domain controller?")
	}
	domain, err := dnsNameOf(naming)
	if err != nil {
		return nil, fmt.Errorf("defaultNamingContext: %w", err)
	}
	r := &Result{Domain: domain}
	exchange, err := r.exchangeServers(ctx, dir, config)
	if err != nil {
		return nil, err
	}
	sites, err := serverSites(ctx, dir, config)
	if err != nil {
		return nil, err
	}
	dcs, err := r.domainControllers(ctx, dir, naming, sites)
	if err != nil {
		return nil, err
	}
	r.merge(exchange, dcs)
	return r, nil
}

// merge puts the hosts together, one per FQDN, and names them.
func (r *Result) merge(lists ...[]Host) {
	byFQDN := map[string]int{}
	for _, list := range lists {
		slices.SortFunc(list, func(a, b Host) int { return strings.Compare(a.FQDN, b.FQDN) })
		for _, h := range list {
			if i, ok := byFQDN[h.FQDN]; ok {
				prev := &r.Hosts[i]
				for _, g := range h.Groups {
					if !slices.Contains(prev.Groups, g) {
						prev.Groups = append(prev.Groups, g)
					}
				}
				if prev.Site == "" {
					prev.Site = h.Site
				}
				continue
			}
			byFQDN[h.FQDN] = len(r.Hosts)
			r.Hosts = append(r.Hosts, h)
		}
	}
	names := nameSet{}
	for i := range r.Hosts {
		first, _, _ := strings.Cut(r.Hosts[i].FQDN, ".")
		r.Hosts[i].Name = names.unique(first)
	}
}

// dnsNameOf turns a naming context (DC=corp,DC=example,DC=com) into its DNS
// name.
func dnsNameOf(dn string) (string, error) {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return "", fmt.Errorf("not a distinguished name: %w", err)
	}
	var labels []string
	for _, rdn := range parsed.RDNs {
		for _, a := range rdn.Attributes {
			if strings.EqualFold(a.Type, "DC") {
				labels = append(labels, strings.ToLower(a.Value))
			}
		}
	}
	if len(labels) == 0 {
		return "", fmt.Errorf("no DC= components")
	}
	return strings.Join(labels, "."), nil
}

// firstRDNValue returns the value of a DN's first RDN (the site name of
// CN=HQ,CN=Sites,...), "" when the DN does not parse.
func firstRDNValue(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil || len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) == 0 {
		return ""
	}
	return parsed.RDNs[0].Attributes[0].Value
}

// normalDN is the form DNs are compared in: parsed and re-rendered, lower
// case. A DN that does not parse is compared as lower-case text.
func normalDN(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(dn)
	}
	return strings.ToLower(parsed.String())
}

// hostDomain returns the DNS domain of an FQDN: everything after the first
// label.
func hostDomain(fqdn string) string {
	_, rest, _ := strings.Cut(fqdn, ".")
	return rest
}
