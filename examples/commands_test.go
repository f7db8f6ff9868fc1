package examples

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/actiontest"
	"github.com/rectifyhq/rectify/internal/lab"
)

// TestPlanRunsOneCommandPerHost plans the example over a 20-server
// organisation and counts the WinRM commands each host received: every
// read of every step for one host goes out as one batch command, the
// host's clock, which every clock comparison shares, first in it, timed by
// the batch so that the slow reads after it do not widen its uncertainty.
func TestPlanRunsOneCommandPerHost(t *testing.T) {
	h := actiontest.Start(t, lab.Generate(20))
	before := map[string]int64{}
	for _, x := range h.Hosts() {
		before[x.Name] = h.Lab.WinRMCounts(x.Name).Command
	}
	p := plan(t, h, load(t, h, nil, nil))
	if len(p.Hosts) < 20 {
		t.Fatalf("the plan covers %d hosts", len(p.Hosts))
	}
	for _, x := range h.Hosts() {
		got := h.Lab.WinRMCounts(x.Name).Command - before[x.Name]
		if got != 1 {
			t.Errorf("host %s received %d WinRM commands during plan, want exactly 1", x.Name, got)
		}
	}
	for _, ph := range p.Hosts {
		if ph.Error != "" {
			t.Errorf("host %s: %s", ph.Name, ph.Error)
		}
	}
}
