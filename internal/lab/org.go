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

	mu    sync.Mutex // guards links, stale and record
	links []ReplLink
	// stale holds, per DC, the DCs whose SPN writes have not reached it yet.
	stale  map[string]map[string]bool
	record map[string][]OpRecord
	// observe, when set, brings the replication state up to date with
	// writes made outside the organisation (through LDAP) before it is
	// read. It must not be called with mu held.
	observe func()
}

// newOrg creates an organisation over the given accounts.
func newOrg(domain, netbios string, accounts Accounts) *Org {
	return &Org{
		Domain:       strings.ToLower(domain),
		NetBIOS:      strings.ToUpper(netbios),
		byName:       map[string]*Host{},
		accounts:     accounts,
		attemptDelay: defaultAttemptDelay,
		stale:        map[string]map[string]bool{},
		record:       map[string][]OpRecord{},
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

// noteSPNWrite records an originating write of servicePrincipalName on a
// DC: every other DC is stale until replication reaches it, at once over
// healthy links, through a forced sync over failing ones.
func (o *Org) noteSPNWrite(dc string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	origin := strings.ToLower(dc)
	for _, d := range o.hosts {
		if d.Role != RoleDC || d.Name == origin {
			continue
		}
		if o.stale[d.Name] == nil {
			o.stale[d.Name] = map[string]bool{}
		}
		o.stale[d.Name][origin] = true
	}
}

// NoteSPNWrite tells the organisation that an SPN was written on a DC (by
// its LDAP server): the change is pending replication to the other DCs.
func (o *Org) NoteSPNWrite(dc string) { o.noteSPNWrite(dc) }

// PendingReplication lists the DCs a DC has not yet received SPN writes
// from.
func (o *Org) PendingReplication(dc string) []string {
	if o.observe != nil {
		o.observe()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replicateLocked()
	var out []string
	for origin := range o.stale[strings.ToLower(dc)] {
		out = append(out, origin)
	}
	slices.Sort(out)
	return out
}

// ReplLinks returns a copy of every replication link, ordered by
// destination, source and naming context.
func (o *Org) ReplLinks() []ReplLink {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.links)
}

// syncAll forces replication as repadmin /syncall <dc> does: with push,
// from dc to every DC reachable over links from it (across the enterprise
// when enterprise is set); without, into dc from its sources. A link fails
// while its cause remains (RPC, TCP 135, blocked between the two DCs); a
// link that succeeds resets its failures and carries the source's SPN
// writes to the destination.
func (o *Org) syncAll(dc *Host, push, enterprise bool, nc func(string) bool, now time.Time) SyncResult {
	if o.observe != nil {
		o.observe()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	result := SyncResult{Time: now, OK: true}
	visited := map[string]bool{dc.Name: true}
	frontier := []string{dc.Name}
	for len(frontier) > 0 {
		cur := frontier[0]
		frontier = frontier[1:]
		var reached []string
		for i := range o.links {
			l := &o.links[i]
			var peer string
			switch {
			case push && l.Source == cur:
				peer = l.Destination
			case !push && l.Destination == cur:
				peer = l.Source
			default:
				continue
			}
			if visited[peer] || !nc(l.NamingContext) {
				continue
			}
			if !o.linkWorks(l) {
				l.Failures++
				l.LastFailureTime = now
				l.LastStatus = ReplRPCUnavailable
				result.OK = false
				result.Errors = append(result.Errors, *l)
				continue
			}
			l.Failures = 0
			l.LastStatus = ReplOK
			l.LastSuccessTime = now
			result.Synced = append(result.Synced, *l)
			o.transfer(l.Source, l.Destination)
			if !slices.Contains(reached, peer) {
				reached = append(reached, peer)
			}
		}
		for _, p := range reached {
			visited[p] = true
		}
		if push && enterprise {
			frontier = append(frontier, reached...)
		}
	}
	dc.mu.Lock()
	dc.lastSync = result
	dc.mu.Unlock()
	return result
}

// replicateLocked lets changes flow as AD's own replication does between
// forced syncs: over every link that is healthy (its last attempt
// succeeded) and not blocked, until nothing moves. A failing link holds
// changes back until a forced sync repairs it. It is called with o.mu held.
func (o *Org) replicateLocked() {
	for moved := true; moved; {
		moved = false
		for i := range o.links {
			l := &o.links[i]
			if l.LastStatus != ReplOK || len(o.stale[l.Destination]) == 0 || !o.linkWorks(l) {
				continue
			}
			before := len(o.stale[l.Destination])
			o.transfer(l.Source, l.Destination)
			if len(o.stale[l.Destination]) != before {
				moved = true
			}
		}
	}
}

// transfer gives dest everything source has: dest stays stale only for
// origins source has not seen either. It is called with o.mu held.
func (o *Org) transfer(source, dest string) {
	st := o.stale[dest]
	for origin := range st {
		if origin == source || !o.stale[source][origin] {
			delete(st, origin)
		}
	}
}

// linkWorks reports whether the destination can reach the source's RPC
// endpoint. It is called with o.mu held (host locks are taken inside).
func (o *Org) linkWorks(l *ReplLink) bool {
	dest, ok1 := o.Host(l.Destination)
	src, ok2 := o.Host(l.Source)
	if !ok1 || !ok2 {
		return false
	}
	return !dest.Blocked(src.Name, 135, "tcp") && !src.Blocked(dest.Name, 135, "tcp")
}
