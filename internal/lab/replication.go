package lab

import (
	"slices"
	"strings"
	"time"
)

// Replication status codes (Win32 errors) as repadmin reports them.
const (
	ReplOK             = 0
	ReplRPCUnavailable = 1722
	// ReplNoEndpoints is what a DC gets from a partner whose directory
	// service is stopped: its replication endpoint is not registered.
	ReplNoEndpoints = 1753
	// ReplNotFromSource is ERROR_DS_DRA_NO_REPLICA: the destination does
	// not replicate that naming context from that source.
	ReplNotFromSource = 8452
)

// The replication timing of Windows Server 2003 and later, by default.
const (
	// DefaultSiteLinkInterval is how often DCs poll their partners in
	// other sites: the site link's "Replicate every" of 180 minutes, within
	// a schedule open at all times (Microsoft Learn, "Changing Site Link
	// Properties"). A change made in one site reaches another at the next
	// poll, unless a forced replication pulls it sooner.
	DefaultSiteLinkInterval = 180 * time.Minute
	// NotifyDelay and NotifyStagger are change notification within a site:
	// a DC notifies its first partner 15 seconds after an originating write
	// and each further partner 3 seconds later, and the partner then pulls
	// (Microsoft KB 214678, "How to modify the default intra-site domain
	// controller replication interval").
	NotifyDelay   = 15 * time.Second
	NotifyStagger = 3 * time.Second
	// intraSitePoll is the schedule of an intra-site connection: once an
	// hour, whether or not a change was notified.
	intraSitePoll = time.Hour
)

// ReplLink is one inbound replication link of a domain controller: the
// destination pulls a naming context from the source.
type ReplLink struct {
	Destination     string // DC host name, such as "dc02"
	Source          string
	NamingContext   string
	Failures        int
	LastFailureTime time.Time // zero when it never failed
	LastSuccessTime time.Time
	LastStatus      int // 0 or a Win32 error such as 1722
	// schedule is the time of one scheduled poll of the link; the others
	// follow at the link's interval.
	schedule time.Time
}

// SyncResult is the outcome of the last forced sync run on a DC.
type SyncResult struct {
	Time   time.Time
	OK     bool
	Synced []ReplLink // the links that replicated
	Errors []ReplLink // the links that failed
}

// replKey names the originating writes of one DC in one naming context.
type replKey struct{ nc, origin string }

// knowledge is how much of one origin's writes a DC holds: every write up
// to the one numbered seq, the last of them received at at.
type knowledge struct {
	seq int
	at  time.Time
}

// replState is the replication state of an organisation: its links, the
// writes made on each DC, and how far each DC has received them.
type replState struct {
	links []ReplLink
	// latest is the newest write of each origin and naming context.
	latest map[replKey]knowledge
	// known is, per DC, what it holds of each origin's writes.
	known map[string]map[replKey]knowledge
	// interval is the site link interval between sites.
	interval time.Duration
}

func newReplState() replState {
	return replState{latest: map[replKey]knowledge{}, known: map[string]map[replKey]knowledge{}, interval: DefaultSiteLinkInterval}
}

// noteWrite records an originating write in a naming context on a DC, at
// the lab's current time: the other DCs receive it through replication.
func (o *Org) noteWrite(dc, nc string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock().UTC()
	o.advanceLocked(now)
	k := replKey{nc: strings.ToLower(nc), origin: strings.ToLower(dc)}
	w := knowledge{seq: o.repl.latest[k].seq + 1, at: now}
	o.repl.latest[k] = w
	o.knownLocked(k.origin)[k] = w
}

// NoteSPNWrite tells the organisation that an SPN was written on a DC
// (through its LDAP server or setspn): the change waits for replication to
// reach the other DCs.
func (o *Org) NoteSPNWrite(dc string) { o.noteWrite(dc, o.domainDN()) }

// knownLocked returns a DC's knowledge map, creating it. It is called with
// o.mu held.
func (o *Org) knownLocked(dc string) map[replKey]knowledge {
	m := o.repl.known[dc]
	if m == nil {
		m = map[replKey]knowledge{}
		o.repl.known[dc] = m
	}
	return m
}

// PendingReplication lists the DCs whose SPN writes a DC has not received
// yet, at the lab's current time.
func (o *Org) PendingReplication(dc string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.advanceLocked(o.clock().UTC())
	name := strings.ToLower(dc)
	domain := strings.ToLower(o.domainDN())
	var out []string
	for k, w := range o.repl.latest {
		if k.nc == domain && o.repl.known[name][k].seq < w.seq {
			out = append(out, k.origin)
		}
	}
	slices.Sort(out)
	return out
}

// ReplLinks returns a copy of every replication link as of the lab's
// current time, ordered by destination, source and naming context.
func (o *Org) ReplLinks() []ReplLink {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.advanceLocked(o.clock().UTC())
	return slices.Clone(o.repl.links)
}

// inboundLocked returns the link by which dest pulls nc from source, or
// nil. It is called with o.mu held.
func (o *Org) inboundLocked(dest, source, nc string) *ReplLink {
	for i := range o.repl.links {
		l := &o.repl.links[i]
		if l.Destination == dest && l.Source == source && strings.EqualFold(l.NamingContext, nc) {
			return l
		}
	}
	return nil
}

// advanceLocked lets replication run by itself up to now, as AD does
// between forced replications: within a site a change reaches a partner by
// change notification (NotifyDelay, then NotifyStagger per further
// partner); between sites at the link's next scheduled poll. Only healthy
// links that work carry changes: a failing link holds them back until a
// forced replication repairs it. It is called with o.mu held.
func (o *Org) advanceLocked(now time.Time) {
	for changed := true; changed; {
		changed = false
		for i := range o.repl.links {
			l := &o.repl.links[i]
			if l.LastStatus != ReplOK || !o.linkWorks(l) {
				continue
			}
			src, dest := o.repl.known[l.Source], o.knownLocked(l.Destination)
			for k, have := range src {
				if !strings.EqualFold(k.nc, l.NamingContext) {
					continue
				}
				arrival := o.deliveryLocked(l, have.at)
				got := dest[k]
				if arrival.After(now) || got.seq > have.seq || (got.seq == have.seq && !got.at.After(arrival)) {
					continue
				}
				dest[k] = knowledge{seq: have.seq, at: arrival}
				if arrival.After(l.LastSuccessTime) {
					l.LastSuccessTime = arrival
				}
				changed = true
			}
		}
	}
	for i := range o.repl.links {
		l := &o.repl.links[i]
		if l.LastStatus == ReplOK && o.linkWorks(l) {
			if p := o.lastPollLocked(l, now); p.After(l.LastSuccessTime) {
				l.LastSuccessTime = p
			}
		}
	}
}

// sameSite reports whether a link stays within a site.
func (o *Org) sameSite(l *ReplLink) bool {
	d, ok1 := o.Host(l.Destination)
	s, ok2 := o.Host(l.Source)
	return ok1 && ok2 && strings.EqualFold(d.Site, s.Site)
}

// pollInterval is how often a link replicates on its schedule.
func (o *Org) pollInterval(l *ReplLink) time.Duration {
	if o.sameSite(l) {
		return intraSitePoll
	}
	return o.repl.interval
}

// lastPollLocked is the last scheduled poll of a link at or before now.
func (o *Org) lastPollLocked(l *ReplLink, now time.Time) time.Time {
	if l.schedule.IsZero() || now.Before(l.schedule) {
		return l.schedule
	}
	every := o.pollInterval(l)
	return l.schedule.Add(now.Sub(l.schedule) / every * every)
}

// deliveryLocked is when a change the source received at since reaches
// the destination over l by itself. It is called with o.mu held.
func (o *Org) deliveryLocked(l *ReplLink, since time.Time) time.Time {
	if o.sameSite(l) {
		// Notifications go out to the source's partners in turn.
		var partners []string
		for _, p := range o.repl.links {
			if p.Source == l.Source && strings.EqualFold(p.NamingContext, l.NamingContext) && o.sameSite(&p) {
				partners = append(partners, p.Destination)
			}
		}
		slices.Sort(partners)
		turn := max(slices.Index(partners, l.Destination), 0)
		return since.Add(NotifyDelay + time.Duration(turn)*NotifyStagger)
	}
	every := o.pollInterval(l)
	if l.schedule.IsZero() || since.Before(l.schedule) {
		return l.schedule
	}
	polls := (since.Sub(l.schedule) + every - 1) / every
	return l.schedule.Add(polls * every)
}

// pullLocked forces one inbound replication, as repadmin /replicate does:
// dest pulls nc from source now. It fails with ReplNotFromSource when dest
// has no such link, and with the link's cause while one remains (RPC
// blocked between the DCs, a directory service stopped); a pull that
// succeeds repairs the link and gives dest every write source holds. It
// is called with o.mu held.
func (o *Org) pullLocked(dest, source, nc string, now time.Time) (ReplLink, int) {
	l := o.inboundLocked(dest, source, nc)
	if l == nil {
		return ReplLink{Destination: dest, Source: source, NamingContext: nc, LastStatus: ReplNotFromSource}, ReplNotFromSource
	}
	if status := o.linkCause(l); status != ReplOK {
		l.Failures++
		l.LastFailureTime = now
		l.LastStatus = status
		return *l, status
	}
	l.Failures = 0
	l.LastStatus = ReplOK
	l.LastSuccessTime = now
	from, to := o.repl.known[source], o.knownLocked(dest)
	for k, have := range from {
		if strings.EqualFold(k.nc, nc) && have.seq > to[k].seq {
			to[k] = knowledge{seq: have.seq, at: now}
		}
	}
	return *l, ReplOK
}

// replicate forces dest to pull nc from source now (repadmin /replicate)
// and returns the Win32 status.
func (o *Org) replicate(dest, source *Host, nc string) (ReplLink, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock().UTC()
	o.advanceLocked(now)
	return o.pullLocked(dest.Name, source.Name, nc, now)
}

// syncAll forces replication as repadmin /syncall <dc> does: with push,
// from dc to every DC reachable over links from it (across the enterprise
// when enterprise is set); without, into dc from its sources. Each
// replication is a pull by its destination (pullLocked).
func (o *Org) syncAll(dc *Host, push, enterprise bool, nc func(string) bool) SyncResult {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock().UTC()
	o.advanceLocked(now)
	result := SyncResult{Time: now, OK: true}
	visited := map[string]bool{dc.Name: true}
	frontier := []string{dc.Name}
	for len(frontier) > 0 {
		cur := frontier[0]
		frontier = frontier[1:]
		var reached []string
		for i := range o.repl.links {
			l := o.repl.links[i]
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
			got, status := o.pullLocked(l.Destination, l.Source, l.NamingContext, now)
			if status != ReplOK {
				result.OK = false
				result.Errors = append(result.Errors, got)
				continue
			}
			result.Synced = append(result.Synced, got)
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

// linkWorks reports whether a link can carry changes now.
func (o *Org) linkWorks(l *ReplLink) bool { return o.linkCause(l) == ReplOK }

// linkCause is why a link cannot replicate now: RPC (TCP 135) blocked
// between the DCs, or the source's directory service stopped; ReplOK when
// nothing stops it. It is called with o.mu held (host locks are taken
// inside).
func (o *Org) linkCause(l *ReplLink) int {
	dest, ok1 := o.Host(l.Destination)
	src, ok2 := o.Host(l.Source)
	if !ok1 || !ok2 {
		return ReplRPCUnavailable
	}
	if dest.Blocked(src.Name, 135, "tcp") || src.Blocked(dest.Name, 135, "tcp") {
		return ReplRPCUnavailable
	}
	if !src.directoryRunning() || !dest.directoryRunning() {
		return ReplNoEndpoints
	}
	return ReplOK
}
