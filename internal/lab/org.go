package lab

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Org is a simulated organisation: its hosts, the directory's accounts,
// and the replication state between its domain controllers. It is safe for
// concurrent use.
type Org struct {
	// Domain is the DNS name of the domain ("corp.example.com"); NetBIOS
	// its NetBIOS name ("CORP").
	Domain  string
	NetBIOS string

	hosts    []*Host
	byName   map[string]*Host
	accounts Accounts
	// connectors keeps the directory's receive connector objects in step
	// with the servers' connectors; nil keeps none.
	connectors connectorStore
	// attemptDelay is how long a delivery attempt started by Retry-Queue
	// takes to show its outcome.
	attemptDelay time.Duration
	// account is the one account the lab's hosts accept, which is also the
	// credential Exchange's management endpoint accepts.
	account credentialCheck

	// locale is the language of the hosts' native tools and messages.
	locale Locale
	// clock is the real time the hosts' clocks are offset from; replication
	// schedules run on it.
	clock func() time.Time

	mu     sync.Mutex // guards repl and record
	repl   replState
	record map[string][]OpRecord

	// ntpServers are the NTP servers outside the domain that hosts are
	// configured to follow, with their clocks' offsets, by folded name;
	// fixed once seeded.
	ntpServers map[string]time.Duration
}

// newOrg creates an organisation over the given accounts.
func newOrg(domain, netbios string, accounts Accounts) *Org {
	return &Org{
		Domain:       strings.ToLower(domain),
		NetBIOS:      strings.ToUpper(netbios),
		byName:       map[string]*Host{},
		accounts:     accounts,
		attemptDelay: defaultAttemptDelay,
		locale:       LocaleEnglish,
		clock:        time.Now,
		repl:         newReplState(),
		record:       map[string][]OpRecord{},

		ntpServers: map[string]time.Duration{},
	}
}

// addHost registers a host under its short name, computer name, FQDN and IP.
func (o *Org) addHost(h *Host) error {
	for _, key := range []string{h.Name, h.FQDN} {
		if _, dup := o.byName[strings.ToLower(key)]; dup {
			return fmt.Errorf("host %q is defined twice", key)
		}
	}
	o.hosts = append(o.hosts, h)
	o.index(h)
	return nil
}

func (o *Org) index(h *Host) {
	for _, key := range []string{h.Name, h.NetBIOS, h.FQDN, h.IP} {
		if key != "" {
			o.byName[strings.ToLower(key)] = h
		}
	}
}

// Host finds a host by short name, computer name, FQDN or address.
func (o *Org) Host(name string) (*Host, bool) {
	h, ok := o.byName[strings.ToLower(strings.TrimSpace(name))]
	return h, ok
}

// Hosts lists the hosts in scenario order.
func (o *Org) Hosts() []*Host { return slices.Clone(o.hosts) }

// DCs lists the domain controllers, PDC emulator first.
func (o *Org) DCs() []*Host {
	var out []*Host
	for _, h := range o.hosts {
		if h.Role == RoleDC {
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b *Host) int {
		switch {
		case a.PDC && !b.PDC:
			return -1
		case b.PDC && !a.PDC:
			return 1
		}
		return 0
	})
	return out
}

// Accounts is the directory view the hosts consult.
func (o *Org) Accounts() Accounts { return o.accounts }

// timeSource returns the host a host syncs its clock from under the domain
// hierarchy: its DC for a member, the PDC emulator for a DC, nil for the
// PDC emulator itself (it follows an external source).
func (o *Org) timeSource(h *Host) *Host {
	if h.Role == RoleDC {
		if h.PDC {
			return nil
		}
		for _, dc := range o.DCs() {
			if dc.PDC {
				return dc
			}
		}
		return nil
	}
	dc, _ := o.Host(h.DC)
	return dc
}
