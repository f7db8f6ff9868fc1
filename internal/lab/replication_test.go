package lab

import (
	"strings"
	"testing"
	"time"
)

// TestReplicationHoldsBackOnlyOnFailingLinks checks how SPN writes reach
// the other DCs: at once over a healthy link, only through a forced sync
// over the failing one, and not even then while RPC stays blocked.
func TestReplicationHoldsBackOnlyOnFailingLinks(t *testing.T) {
	o, _, err := seedOrg(KB979174(), map[string]string{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	dc01, _ := o.Host("dc01")
	dc02, _ := o.Host("dc02")
	domain := func(nc string) bool { return strings.EqualFold(nc, o.domainDN()) }

	o.NoteSPNWrite("dc02") // dc01 <- dc02 is healthy
	if p := o.PendingReplication("dc01"); len(p) != 0 {
		t.Errorf("a write on dc02 waits for %v on dc01 over a healthy link", p)
	}
	o.NoteSPNWrite("dc01") // dc02 <- dc01 fails with 1722
	if p := o.PendingReplication("dc02"); len(p) != 1 || p[0] != "dc01" {
		t.Fatalf("dc02 pending %v, want dc01's write held back by the failing link", p)
	}

	dc02.Block("dc01", 135, "tcp")
	res := o.syncAll(dc01, true, true, domain, time.Now())
	if res.OK || len(res.Errors) != 1 || res.Errors[0].Failures != 6 {
		t.Errorf("forced sync with RPC blocked: %+v", res)
	}
	if p := o.PendingReplication("dc02"); len(p) != 1 {
		t.Errorf("a failed sync delivered the write: pending %v", p)
	}
	dc02.Unblock("dc01", 135, "tcp")
	if res := o.syncAll(dc01, true, true, domain, time.Now()); !res.OK || len(res.Synced) != 1 {
		t.Errorf("forced sync: %+v", res)
	}
	if p := o.PendingReplication("dc02"); len(p) != 0 {
		t.Errorf("after the forced sync dc02 still waits for %v", p)
	}
	// The repaired link now carries later writes by itself.
	o.NoteSPNWrite("dc01")
	if p := o.PendingReplication("dc02"); len(p) != 0 {
		t.Errorf("a write after the repair waits for %v", p)
	}
	if got := dc01.LastSync(); !got.OK {
		t.Errorf("dc01's last forced sync: %+v", got)
	}
}
