package lab

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a lab clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// twoSites is a forest with two DCs in HQ (dc01 the PDC emulator) and two
// in BRANCH, where ex03 authenticates against dc03.
func twoSites() Scenario {
	return Scenario{
		Name: "two-sites", Domain: "corp.example.com", NetBIOS: "CORP",
		Hosts: []HostSpec{
			{Name: "dc01", Role: RoleDC, Site: "HQ", PDC: true},
			{Name: "dc02", Role: RoleDC, Site: "HQ"},
			{Name: "dc03", Role: RoleDC, Site: "BRANCH"},
			{Name: "dc04", Role: RoleDC, Site: "BRANCH"},
			{Name: "ex01", Role: RoleExchange, Site: "HQ", DC: "dc02", Peers: []string{"ex03"}},
			{Name: "ex03", Role: RoleExchange, Site: "BRANCH", DC: "dc03", Peers: []string{"ex01"}},
		},
	}
}

func seedWithClock(t *testing.T, sc Scenario, c *fakeClock) *Org {
	t.Helper()
	o, _, err := seedOrg(sc, map[string]string{}, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func pending(o *Org, dc string) []string { return o.PendingReplication(dc) }

// TestReplicationWithinASiteFollowsChangeNotification checks that a write
// reaches an intra-site partner 15 seconds later (KB 214678), not at once,
// and a failing link holds it back until a forced pull repairs the link.
func TestReplicationWithinASiteFollowsChangeNotification(t *testing.T) {
	clock := newFakeClock()
	o := seedWithClock(t, KB979174(), clock)
	dc01, _ := o.Host("dc01")
	dc02, _ := o.Host("dc02")
	domain := o.domainDN()

	o.NoteSPNWrite("dc02") // dc01 <- dc02 is healthy
	if p := pending(o, "dc01"); !cmp.Equal(p, []string{"dc02"}) {
		t.Errorf("right after the write dc01 waits for %v, want dc02's write", p)
	}
	clock.Advance(NotifyDelay - time.Second)
	if p := pending(o, "dc01"); len(p) != 1 {
		t.Errorf("before the notification delay dc01 already has the write: pending %v", p)
	}
	clock.Advance(time.Second)
	if p := pending(o, "dc01"); len(p) != 0 {
		t.Errorf("after the notification delay dc01 still waits for %v", p)
	}

	o.NoteSPNWrite("dc01") // dc02 <- dc01 fails with 1722
	clock.Advance(24 * time.Hour)
	if p := pending(o, "dc02"); !cmp.Equal(p, []string{"dc01"}) {
		t.Fatalf("dc02 pending %v a day later, want dc01's write held back by the failing link", p)
	}

	dc02.Block("dc01", 135, "tcp")
	if _, status := o.replicate(dc02, dc01, domain); status != ReplRPCUnavailable {
		t.Errorf("forced pull with RPC blocked: status %d, want 1722", status)
	}
	if p := pending(o, "dc02"); len(p) != 1 {
		t.Errorf("a failed pull delivered the write: pending %v", p)
	}
	dc02.Unblock("dc01", 135, "tcp")
	if _, status := o.replicate(dc02, dc01, "CN=Configuration,"+domain); status != ReplOK {
		t.Errorf("forced pull of the configuration: status %d", status)
	}
	if p := pending(o, "dc02"); len(p) != 1 {
		t.Errorf("a pull of another partition delivered the SPN write: pending %v", p)
	}
	if l, status := o.replicate(dc02, dc01, domain); status != ReplOK || l.Failures != 0 {
		t.Errorf("forced pull: status %d, link %+v", status, l)
	}
	if p := pending(o, "dc02"); len(p) != 0 {
		t.Errorf("after the forced pull dc02 still waits for %v", p)
	}
	// The repaired link now carries later writes by itself.
	o.NoteSPNWrite("dc01")
	clock.Advance(NotifyDelay)
	if p := pending(o, "dc02"); len(p) != 0 {
		t.Errorf("a write after the repair waits for %v", p)
	}
	// A DC pulls only from its own partners.
	if _, status := o.replicate(dc02, dc02, domain); status != ReplNotFromSource {
		t.Errorf("pull from itself: status %d, want 8452", status)
	}
}

// TestReplicationBetweenSitesFollowsTheSchedule checks that a write in HQ
// reaches BRANCH only at the site link's next poll (180 minutes by
// default), unless a forced pull brings it at once.
func TestReplicationBetweenSitesFollowsTheSchedule(t *testing.T) {
	clock := newFakeClock()
	o := seedWithClock(t, twoSites(), clock)
	dc01, _ := o.Host("dc01")
	dc03, _ := o.Host("dc03")

	// The links were last polled 7 minutes before the seed: the next poll
	// of BRANCH <- HQ is 173 minutes after it.
	o.NoteSPNWrite("dc01")
	clock.Advance(NotifyDelay + NotifyStagger)
	if p := pending(o, "dc02"); len(p) != 0 {
		t.Errorf("dc02, in the writer's site, still waits for %v", p)
	}
	clock.Advance(2 * time.Hour)
	for _, dc := range []string{"dc03", "dc04"} {
		if p := pending(o, dc); !cmp.Equal(p, []string{"dc01"}) {
			t.Errorf("%s after two hours: pending %v, want dc01's write waiting for the schedule", dc, p)
		}
	}
	// ex03 holds the ticket it was issued at the seed, which its Transport
	// service would go on using: purged, its next request asks dc03.
	mustOrgHost(t, o, "ex03").PurgeTickets(transportLogon)
	if causes := o.Causes(mustOrgHost(t, o, "ex03"), mustOrgHost(t, o, "ex01")); !hasCause(causes, CauseNotReplicated) {
		t.Errorf("ex03 -> ex01 causes %+v, want the SPN write not yet on dc03", causes)
	}
	clock.Advance(173*time.Minute - 2*time.Hour)
	for _, dc := range []string{"dc03", "dc04"} {
		if p := pending(o, dc); len(p) != 0 {
			t.Errorf("%s after the scheduled poll: pending %v", dc, p)
		}
	}

	// A forced pull across the sites delivers at once.
	o.NoteSPNWrite("dc01")
	clock.Advance(time.Minute)
	if p := pending(o, "dc03"); len(p) != 1 {
		t.Fatalf("dc03 pending %v a minute after a second write, want it waiting", p)
	}
	if _, status := o.replicate(dc03, dc01, o.domainDN()); status != ReplOK {
		t.Fatalf("forced pull: %d", status)
	}
	if p := pending(o, "dc03"); len(p) != 0 {
		t.Errorf("dc03 still waits for %v after its forced pull", p)
	}
	// dc04 gets it from dc03 by change notification within BRANCH.
	clock.Advance(NotifyDelay)
	if p := pending(o, "dc04"); len(p) != 0 {
		t.Errorf("dc04 still waits for %v after dc03's notification", p)
	}
}

// TestSiteLinkIntervalFromTheScenario checks that a scenario's interval
// replaces the default.
func TestSiteLinkIntervalFromTheScenario(t *testing.T) {
	clock := newFakeClock()
	sc := twoSites()
	sc.SiteLinkInterval = 15 * time.Minute
	o := seedWithClock(t, sc, clock)
	o.NoteSPNWrite("dc01")
	clock.Advance(7 * time.Minute)
	if p := pending(o, "dc03"); len(p) != 1 {
		t.Errorf("dc03 pending %v before the 15-minute poll", p)
	}
	clock.Advance(2 * time.Minute)
	if p := pending(o, "dc03"); len(p) != 0 {
		t.Errorf("dc03 pending %v after the 15-minute poll", p)
	}
	if _, _, err := seedOrg(Scenario{Name: "x", Domain: "a.b", NetBIOS: "A", SiteLinkInterval: -time.Minute, Hosts: []HostSpec{{Name: "dc01", Role: RoleDC, PDC: true}}}, nil, clock.Now); err == nil || !strings.Contains(err.Error(), "interval") {
		t.Errorf("negative interval: %v", err)
	}
}

func mustOrgHost(t *testing.T, o *Org, name string) *Host {
	t.Helper()
	h, ok := o.Host(name)
	if !ok {
		t.Fatalf("no host %s", name)
	}
	return h
}

func hasCause(causes []Cause, kind string) bool {
	for _, c := range causes {
		if c.Kind == kind {
			return true
		}
	}
	return false
}
