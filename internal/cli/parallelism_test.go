package cli

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/lab"
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
