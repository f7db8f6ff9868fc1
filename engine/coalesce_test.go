package engine

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/ops"
)

// TestCoalescingSharesReadsInFlight: two changes of a batch that read the
// same thing of the same host while the first read is under way get one
// answer from one command; a run that may change the host, a read of
// something else, and a read made once the first has finished each run.
func TestCoalescingSharesReadsInFlight(t *testing.T) {
	ctx := context.Background()
	fleet := newFakeFleet()
	fleet.set("dc01", "A", 1.0)
	hold := make(chan struct{})
	fleet.hold["dc01"] = hold
	c := newCoalescing(fleet, nil)
	read := func(name string) ops.ScriptRun {
		args, _ := json.Marshal(ops.RegistryGetArgs{Path: `HKLM:\SOFTWARE\Test`, Name: name})
		return ops.ScriptRun{Script: script(ops.RegistryGet), Args: args}
	}
	run := func(r ops.ScriptRun) (ops.ScriptResult, error) {
		sh, err := c.Shell(ctx, "dc01")
		if err != nil {
			return ops.ScriptResult{}, err
		}
		return sh.RunScript(ctx, r)
	}

	// The first read reaches dc01 and waits there; the second is asked
	// then, and either waits for the first or reaches dc01 too.
	var wg sync.WaitGroup
	outs := make([]string, 2)
	until := func(cond func() bool) {
		for !cond() {
			time.Sleep(time.Millisecond)
		}
	}
	commands := func() int {
		fleet.mu.Lock()
		defer fleet.mu.Unlock()
		return fleet.commands["dc01"]
	}
	waiting := func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, f := range c.inflight {
			n += f.waiters
		}
		return n
	}
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := run(read("A"))
			if err != nil {
				t.Error(err)
			}
			outs[i] = string(res.Output)
		}()
		if i == 0 {
			until(func() bool { return commands() == 1 })
		}
	}
	until(func() bool { return waiting() == 1 || commands() == 2 })
	close(hold)
	wg.Wait()
	if outs[0] == "" || outs[0] != outs[1] {
		t.Errorf("the two reads answered %q and %q, want the same answer", outs[0], outs[1])
	}
	if got := fleet.commands["dc01"]; got != 1 {
		t.Errorf("dc01 ran %d commands for two identical reads in flight, want 1", got)
	}

	// Nothing is kept: the same read again, a different read and a run
	// that may change the host each run.
	write := read("A")
	write.Mutates = true
	for _, r := range []ops.ScriptRun{read("A"), read("B"), write} {
		if _, err := run(r); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(map[string]int{"dc01": 4}, fleet.commands); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}
