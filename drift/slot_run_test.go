package drift_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
)

// slotCheckingOperator stands in for the operation layer: it records the
// cycle's run, then looks in the journal, as a watcher killed right there
// would leave it, for the slot that names the run.
type slotCheckingOperator struct {
	j      *journal.Journal
	scope  string
	stop   context.CancelFunc
	run    int64
	linked int64 // the run the cycle's slot names when the run was begun
	err    error
}

func (o *slotCheckingOperator) RunCycle(ctx context.Context, c *drift.CycleRun) {
	defer o.stop()
	run, err := o.j.Begin(ctx, operation.RunInfo{Kind: operation.KindWatch, Playbook: "exchange-454"})
	if err != nil {
		o.err = err
		return
	}
	o.run = run.RunID()
	c.Started(ctx, o.run)
	cycles, err := o.j.Cycles(ctx, o.scope)
	if err != nil || len(cycles) == 0 {
		o.err = err
		return
	}
	o.linked = cycles[len(cycles)-1].RunID
	c.End(drift.Verdict{Outcome: string(operation.Succeeded), OK: true})
}

// TestElectedCycleNamesItsRunAtOnce checks that the slot of an elected
// watcher's cycle names its run as soon as the run is recorded, before
// anything is planned or changed: a watcher killed at any later point
// must not leave a finished run that no slot of the schedule names.
func TestElectedCycleNamesItsRunAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	const scope = "watch exchange-454"
	op := &slotCheckingOperator{j: j, scope: scope, stop: cancel}
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Mode: drift.Monitor, Schedule: drift.Every(time.Second), Store: j, Operator: op,
		Logger:   zerolog.Nop(),
		Prepare:  func(context.Context) (*drift.Cycle, error) { return nil, nil },
		Election: &drift.Election{Leadership: j, Scope: scope, Holder: "test@here pid 1", Lease: 3 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no cycle ran within a minute")
	}
	if op.err != nil {
		t.Fatal(op.err)
	}
	if op.run == 0 {
		t.Fatal("no cycle ran")
	}
	if op.linked != op.run {
		t.Errorf("when run %d was recorded, its slot named run %d", op.run, op.linked)
	}
}
