package faults

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/actiontest"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// fullDisk is the journal of a run whose disk fills up: from the write
// named by at on, every write fails with ENOSPC, as SQLite's would.
type fullDisk struct {
	run *journal.Run
	// at is the first write that fails: "start <address>" or
	// "finish <address>".
	at string

	mu   sync.Mutex
	full bool
}

var _ engine.Journal = (*fullDisk)(nil)

func (d *fullDisk) fails(write string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.full = d.full || write == d.at
	return d.full
}

func errNoSpace(path string) error {
	return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
}

func (d *fullDisk) ChangeStarting(ctx context.Context, in plans.Instance) (int64, error) {
	if d.fails("start " + in.Address) {
		return 0, errNoSpace("journal.db-wal")
	}
	return d.run.ChangeStarting(ctx, in)
}

func (d *fullDisk) ChangeFinished(ctx context.Context, id int64, res plans.ChangeResult) error {
	if d.fails("finish " + res.Address) {
		return errNoSpace("journal.db-wal")
	}
	return d.run.ChangeFinished(ctx, id, res)
}

// TestJournalDiskFull applies the example playbook while the journal's
// disk fills up, once before a change is recorded as starting and once
// before its outcome is recorded.
func TestJournalDiskFull(t *testing.T) {
	tests := []struct {
		name string
		at   string
		// journaled are the run's changes the journal holds afterwards.
		journaled map[string]string
		// landed says whether ex01's Kerberos log level was set.
		landed    bool
		stop      string
		remaining []string
	}{
		{
			// The change is never made: rectify makes no change it could
			// not record first.
			name:      "before a change starts",
			at:        "start step.kerberos_log[ex01]",
			journaled: map[string]string{"step.clocks[ex01]": "applied", "step.smtp[ex01]": "applied", "step.replication[dc02]": "applied"},
			stop:      "more than max_fail = 0",
			remaining: sorted("step.kerberos_log[ex01]", "step.kerberos_log[ex02]", "step.connector[ex02]", "step.queues[ex01]", "step.queues[ex02]", "step.tickets[ex01]", "step.kerberos_errors[ex01]", "step.kerberos_errors[ex02]"),
		},
		{
			// The change was made but its outcome cannot be written: the
			// journal keeps it in flight, and the run starts nothing more.
			name:      "before an outcome is recorded",
			at:        "finish step.kerberos_log[ex01]",
			journaled: map[string]string{"step.clocks[ex01]": "applied", "step.smtp[ex01]": "applied", "step.replication[dc02]": "applied", "step.kerberos_log[ex01]": journal.InFlight},
			landed:    true,
			stop:      "the journal could not record a change's outcome",
			remaining: sorted("step.kerberos_log[ex02]", "step.connector[ex02]", "step.queues[ex01]", "step.queues[ex02]", "step.tickets[ex01]", "step.kerberos_errors[ex01]", "step.kerberos_errors[ex02]"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := actiontest.Start(t, lab.KB979174())
			dir := t.TempDir()
			pb := filepath.Join(dir, "exchange-454")
			if err := examples.WriteExchange454(pb); err != nil {
				t.Fatal(err)
			}
			var input engine.Input
			plan := func() *plans.Plan {
				r, diags := playbooks.Load(pb, h.Registry, playbooks.EvalInput{Hosts: h.Hosts(), Groups: []string{"exchange", "dc"}})
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				in, err := engine.NewInput(r, pb, h.Hosts(), plans.InventoryRef{Path: "lab", Digest: "sha256:lab"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				input = in
				p, err := h.Engine.Plan(ctx, in, h.Conns)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			p := plan()
			if got := changing(p); !equal(got, planned) {
				t.Fatalf("the plan changes %v, want %v", got, planned)
			}

			j, err := journal.Open(ctx, filepath.Join(dir, "journal.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: p.Playbook.Name})
			if err != nil {
				t.Fatal(err)
			}
			conns := h.NewConnections()
			defer conns.Close()
			res, err := h.Engine.Apply(ctx, p, conns, engine.ApplyOptions{
				Input: input, WindowOverride: "fault suite", Journal: &fullDisk{run: run, at: tc.at},
			})
			if err != nil {
				t.Fatal(err)
			}

			// What the run reports.
			if !res.Stopped || !strings.Contains(res.StopReason, tc.stop) {
				t.Errorf("the run stopped %v (%q), want a stop for %q", res.Stopped, res.StopReason, tc.stop)
			}
			for _, c := range res.Changes {
				if c.Address == "step.kerberos_log[ex01]" && !strings.Contains(c.Error, "the journal could not record") {
					t.Errorf("%s reports %s %q, which does not say the journal failed", c.Address, c.Status, c.Error)
				}
				if c.Address == "step.kerberos_log[ex02]" && c.Status != plans.Skipped {
					t.Errorf("%s is %s after the journal failed, want skipped", c.Address, c.Status)
				}
			}

			// What the journal holds, read as rectify history -json does.
			f := &fixture{lab: h.Lab, dir: dir, state: filepath.Join(dir, "journal.db")}
			rec, changes := f.history(t, "1")
			got := map[string]string{}
			for _, c := range changes {
				got[c.Address] = c.Status
			}
			if diff := cmp.Diff(tc.journaled, got); diff != "" {
				t.Errorf("journaled changes (-want +got):\n%s", diff)
			}
			if rec.Outcome != operation.Running {
				t.Errorf("the run is journaled as %q, although its end could not be written either", rec.Outcome)
			}

			// The lab: ex01's change landed only when its start was
			// recorded, and ex02 was not touched.
			_, _, exists := mustHost(t, f, "ex01").RegistryValue(kerberosKey, "LogLevel")
			if exists != tc.landed {
				t.Errorf("ex01's LogLevel exists = %v, want %v", exists, tc.landed)
			}
			if n := f.received("ex02", ops.RegistrySet); n != 0 {
				t.Errorf("ex02 received %d registry.set after the journal failed", n)
			}
			f.checkNoRepeats(t)
			if diff := cmp.Diff(tc.remaining, changing(plan())); diff != "" {
				t.Errorf("a new plan's changes (-want +got):\n%s", diff)
			}
		})
	}
}
