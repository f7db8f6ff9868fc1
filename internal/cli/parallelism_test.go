package cli

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// TestPlanAtHighParallelismOpensOneConnectionAHost plans more hosts than
// the pool's default bound on open shells, with a parallelism above it:
// every host must still get one connection and one command. With the
// default bound, shells handed out but not yet used were closed to make
// room for others, and their hosts were connected to twice.
func TestPlanAtHighParallelismOpensOneConnectionAHost(t *testing.T) {
	f := startLab(t, lab.Generate(80))
	hosts := append(f.lab.Exchange(), f.lab.DCs()...)
	if len(hosts) <= connect.DefaultMaxShells {
		t.Fatalf("the lab has %d hosts, not more than the %d shells a pool keeps by default", len(hosts), connect.DefaultMaxShells)
	}
	got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-parallelism", "200", "exchange-454")
	if got.code != exitChanges && got.code != exitOK {
		t.Fatalf("plan: %s", got)
	}
	for _, h := range hosts {
		c := f.lab.WinRMCounts(h)
		if c.Command != 1 || c.Connections != 1 {
			t.Errorf("%s: %d commands over %d connections, want 1 over 1", h, c.Command, c.Connections)
		}
	}
}

// TestApplyConnectsToEachHostOnce applies a plan over more hosts than the
// pool keeps shells for by default: apply comes back to its hosts (a read
// before each change, the change, a verification after, step after step),
// and must connect to each of them once, not once a step.
func TestApplyConnectsToEachHostOnce(t *testing.T) {
	f := startLab(t, lab.Generate(64))
	hosts := append(f.lab.Exchange(), f.lab.DCs()...)
	if len(hosts) <= connect.DefaultMaxShells {
		t.Fatalf("the lab has %d hosts, not more than the %d shells a pool keeps by default", len(hosts), connect.DefaultMaxShells)
	}
	// Batches of 25 rather than the example's one server at a time: each
	// step still goes over every host, and the run takes a few batches.
	f.setSerial(t, 25)
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-detailed-exitcode", "-out", "kb.plan", "exchange-454"); got.code != exitChanges {
		t.Fatalf("plan: %s", got)
	}
	before := map[string]wsman.Counts{}
	for _, h := range hosts {
		before[h] = f.lab.WinRMCounts(h)
	}
	got := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "connection test", "kb.plan")
	if got.code == exitError || got.code == exitRefused {
		t.Fatalf("apply: %s", got)
	}
	revisited := 0
	for _, h := range hosts {
		c := f.lab.WinRMCounts(h)
		if n := c.Connections - before[h].Connections; n > 1 {
			t.Errorf("%s: %d connections during the apply, want 1", h, n)
		}
		if c.Command-before[h].Command > 1 {
			revisited++
		}
	}
	// The test means something only if apply came back to more hosts
	// than the pool's default bound.
	if revisited <= connect.DefaultMaxShells {
		t.Fatalf("apply ran more than one command on %d hosts, want more than %d", revisited, connect.DefaultMaxShells)
	}
}

// setSerial rewrites the example's rollout batch size.
func (f *labFixture) setSerial(t *testing.T, n int) {
	t.Helper()
	f.editPlaybook(t, "rollout serial", regexp.MustCompile(`(?m)^    serial   = 1$`), fmt.Sprintf("    serial   = %d", n))
}
