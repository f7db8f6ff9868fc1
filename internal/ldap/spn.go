package ldap

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rectifyhq/rectify/actions"
)

// DefaultSPNServices are the service classes KB 979174 requires on an
// Exchange server's computer account.
var DefaultSPNServices = []string{"SMTP", "SMTPSVC"}

// maxFilterBytes bounds the rendered text of one batched SPN filter, well
// under the request size limits of AD (MaxReceiveBuffer, 10 MB) and Samba
// (256 KB for a search request).
const maxFilterBytes = 16 << 10

// Attributes read for accounts holding SPNs.
const (
	attrSPN      = "servicePrincipalName"
	attrSAM      = "sAMAccountName"
	attrDNSHost  = "dNSHostName"
	attrUAC      = "userAccountControl"
	attrCategory = "objectCategory"
)

// KBSPNs returns the SPNs an Exchange server's computer account must hold:
// for each service, service/HOST and service/fqdn (SMTP/EX01,
// SMTP/ex01.corp.example.com, SMTPSVC/EX01, SMTPSVC/ex01.corp.example.com).
// host is the sAMAccountName without "$"; it is upper-cased and fqdn
// lower-cased, as Windows writes them. nil services means
// DefaultSPNServices. An empty host or fqdn yields no SPN of that form.
func KBSPNs(host, fqdn string, services []string) []string {
	if services == nil {
		services = DefaultSPNServices
	}
	host = strings.ToUpper(strings.TrimSuffix(host, "$"))
	fqdn = strings.ToLower(strings.TrimSuffix(fqdn, "."))
	var out []string
	for _, svc := range services {
		if host != "" {
			out = append(out, svc+"/"+host)
		}
		if fqdn != "" {
			out = append(out, svc+"/"+fqdn)
		}
	}
	return out
}

// Holder is an account that holds an SPN.
type Holder struct {
	DN             string `json:"dn"`
	SAMAccountName string `json:"sam_account_name"`
	DNSHostName    string `json:"dns_host_name,omitempty"`
	// SPN is the value as the account stores it (its case may differ from
	// the one asked for: SPNs compare case-insensitively).
	SPN string `json:"spn"`
}

// foldSPN is the comparison key of an SPN: AD compares them
// case-insensitively.
func foldSPN(spn string) string { return strings.ToLower(spn) }

// Holders finds, forest-wide through the Global Catalog, every account
// holding any of spns. The result maps each asked SPN (as given) that has
// holders to them, sorted by DN. It sends as few searches as the filter
// size limit allows: one OR of equality terms per batch.
func Holders(ctx context.Context, dir actions.Directory, spns []string) (map[string][]Holder, error) {
	asked := make(map[string]string) // folded -> as given
	var unique []string
	for _, spn := range spns {
		if spn == "" {
			return nil, errors.New("holders: empty spn")
		}
		k := foldSPN(spn)
		if _, ok := asked[k]; !ok {
			asked[k] = spn
			unique = append(unique, spn)
		}
	}
	out := make(map[string][]Holder)
	for _, batch := range batchEqual(attrSPN, unique, maxFilterBytes) {
		entries, err := dir.Search(ctx, actions.SearchRequest{
			GlobalCatalog: true,
			Scope:         actions.ScopeSubtree,
			Filter:        batch,
			Attributes:    []string{attrSAM, attrDNSHost, attrSPN},
		})
		if err != nil {
			return nil, fmt.Errorf("holders: %w", err)
		}
		for _, e := range entries {
			for _, v := range e.Values(attrSPN) {
				spn, ok := asked[foldSPN(v)]
				if !ok {
					continue
				}
				out[spn] = appendHolder(out[spn], holderOf(e, v))
			}
		}
	}
	for _, hs := range out {
		sortHolders(hs)
	}
	return out, nil
}

// batchEqual splits values into OR filters of attr=value whose rendered
// text stays under limit bytes (a single term may exceed it alone).
func batchEqual(attr string, values []string, limit int) []actions.Filter {
	var out []actions.Filter
	var cur actions.Or
	size := 3 // "(|" and ")"
	for _, v := range values {
		term := actions.Equal{Attribute: attr, Value: v}
		n := termSize(term)
		if len(cur) > 0 && size+n > limit {
			out = append(out, cur)
			cur, size = nil, 3
		}
		cur = append(cur, term)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func termSize(f actions.Filter) int {
	s, err := RenderFilter(f)
	if err != nil {
		return 0
	}
	return len(s)
}

func holderOf(e actions.Entry, spn string) Holder {
	return Holder{DN: e.DN, SAMAccountName: e.Get(attrSAM), DNSHostName: e.Get(attrDNSHost), SPN: spn}
}

// appendHolder adds h unless the same account already holds it (an entry
// seen twice across batches, or one account holding two case variants).
func appendHolder(hs []Holder, h Holder) []Holder {
	for _, x := range hs {
		if strings.EqualFold(x.DN, h.DN) {
			return hs
		}
	}
	return append(hs, h)
}

func sortHolders(hs []Holder) {
	sort.Slice(hs, func(i, j int) bool { return strings.ToLower(hs[i].DN) < strings.ToLower(hs[j].DN) })
}

// Duplicate is an SPN held by more than one account.
type Duplicate struct {
	// SPN is the value as the first holder (by DN) stores it.
	SPN     string   `json:"spn"`
	Holders []Holder `json:"holders"`
}

// DuplicateScan does what setspn -X -F does, over LDAP: a paged
// (servicePrincipalName=*) search of the Global Catalog, grouping values
// case-insensitively, then one call of found per SPN held by two or more
// accounts, in SPN order. With a Pager it holds one page at a time plus
// one short record per SPN; a Directory of this package hands the pages
// over undecoded, and only the three attributes read are looked at.
// pageSize 0 lets the Directory choose.
func DuplicateScan(ctx context.Context, dir actions.Directory, pageSize int, found func(Duplicate)) error {
	// Every SPN of the forest passes here: an entry's names are read
	// once, and the SPNs are kept where the collector need not scan them.
	g := newSPNGroups()
	req := actions.SearchRequest{
		GlobalCatalog: true,
		Scope:         actions.ScopeSubtree,
		Filter:        actions.Present{Attribute: attrSPN},
		Attributes:    []string{attrSAM, attrDNSHost, attrSPN},
		PageSize:      pageSize,
	}
	var err error
	if p, ok := dir.(messagePager); ok {
		err = p.searchMessages(ctx, req, func(messages [][]byte) error {
			if err := g.addMessages(messages); err != nil {
				return err
			}
			return ctx.Err()
		})
	} else if p, ok := dir.(Pager); ok {
		err = p.SearchPages(ctx, req, func(page []actions.Entry) error {
			if err := g.addEntries(page); err != nil {
				return err
			}
			return ctx.Err()
		})
	} else {
		var entries []actions.Entry
		if entries, err = dir.Search(ctx, req); err == nil {
			err = g.addEntries(entries)
		}
	}
	if err != nil {
		return fmt.Errorf("duplicate scan: %w", err)
	}
	g.duplicates(found)
	return nil
}

// Computer is a computer account as the SPN step needs it.
type Computer struct {
	DN                   string   `json:"dn"`
	SAMAccountName       string   `json:"sam_account_name"`
	DNSHostName          string   `json:"dns_host_name"`
	ServicePrincipalName []string `json:"service_principal_name"`
	UserAccountControl   string   `json:"user_account_control"`
}

// ErrAmbiguous is returned by FindComputer when the name and the FQDN
// select different accounts.
var ErrAmbiguous = errors.New("more than one computer account matches")

// FindComputer finds a computer account in the domain by sAMAccountName
// (samOrHost, with or without the trailing "$") or dNSHostName (fqdn);
// either may be empty. found is false when no account matches. When both
// select accounts and they differ, the sAMAccountName match wins only if
// it is the single one; otherwise the error wraps ErrAmbiguous.
func FindComputer(ctx context.Context, dir actions.Directory, samOrHost, fqdn string) (c Computer, found bool, err error) {
	var either actions.Or
	sam := ""
	if samOrHost != "" {
		sam = strings.TrimSuffix(samOrHost, "$") + "$"
		either = append(either, actions.Equal{Attribute: attrSAM, Value: sam})
	}
	if fqdn != "" {
		either = append(either, actions.Equal{Attribute: attrDNSHost, Value: strings.TrimSuffix(fqdn, ".")})
	}
	if len(either) == 0 {
		return Computer{}, false, errors.New("find computer: no name given")
	}
	entries, err := dir.Search(ctx, actions.SearchRequest{
		Scope:      actions.ScopeSubtree,
		Filter:     actions.And{actions.Equal{Attribute: attrCategory, Value: "computer"}, either},
		Attributes: []string{attrSAM, attrDNSHost, attrSPN, attrUAC},
	})
	if err != nil {
		return Computer{}, false, fmt.Errorf("find computer: %w", err)
	}
	if len(entries) == 0 {
		return Computer{}, false, nil
	}
	if len(entries) > 1 {
		var bySAM []actions.Entry
		for _, e := range entries {
			if sam != "" && strings.EqualFold(e.Get(attrSAM), sam) {
				bySAM = append(bySAM, e)
			}
		}
		if len(bySAM) != 1 {
			return Computer{}, false, fmt.Errorf("find computer %q/%q: %w (%d)", samOrHost, fqdn, ErrAmbiguous, len(entries))
		}
		entries = bySAM
	}
	e := entries[0]
	return Computer{
		DN:                   e.DN,
		SAMAccountName:       e.Get(attrSAM),
		DNSHostName:          e.Get(attrDNSHost),
		ServicePrincipalName: e.Values(attrSPN),
		UserAccountControl:   e.Get(attrUAC),
	}, true, nil
}
