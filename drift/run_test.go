package drift_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(30 * time.Second):
		t.Fatalf("gave up waiting: %s", what)
	}
}

// TestSlowCycleSkipsLaterTicks drives Run with a fake clock: the first
// cycle starts at once, before the clock moves; a cycle that runs past
// four later start times makes them skip with a log line and a
// metric, /healthz follows the schedule, and cancelling stops Run.
func TestSlowCycleSkipsLaterTicks(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	entered, leave := make(chan struct{}, 10), make(chan struct{})
	var once sync.Once
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Schedule: drift.Every(10 * time.Second), Mode: drift.Monitor,
		Operator: e.operator(), Store: e.journal, Metrics: e.metrics, Logger: zerolog.New(e.logs), Clock: e.clock,
		Prepare: func(ctx context.Context) (*drift.Cycle, error) {
			entered <- struct{}{}
			once.Do(func() { <-leave })
			return e.prepare(nil)(ctx)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.metrics.Handler())
	defer srv.Close()
	healthz := func() int {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()

	// The first cycle starts at once, without waiting for the clock.
	waitFor(t, entered, "the first cycle, at start")
	if code := healthz(); code != http.StatusOK {
		t.Errorf("/healthz during the first cycle = %d", code)
	}
	e.clock.Add(45 * time.Second) // the cycle is slow: four ticks pass
	if code := healthz(); code != http.StatusOK {
		t.Errorf("/healthz within the grace = %d", code)
	}
	close(leave)
	waitFor(t, e.clock.waiting, "the wait after the slow cycle")
	if logs := e.logs.String(); !strings.Contains(logs, "the cycle ran past 4 later start time(s); they were skipped") {
		t.Errorf("no log line for the skipped ticks:\n%s", logs)
	}
	e.clock.Add(10 * time.Second)
	waitFor(t, entered, "the second cycle")
	waitFor(t, e.clock.waiting, "the wait after the second cycle")
	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop")
	}
	runs, err := e.journal.Runs(context.Background(), 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
	for _, r := range runs {
		if r.Kind != operation.KindWatch || r.Outcome != operation.Succeeded {
			t.Errorf("run %+v", r)
		}
	}
	if code := healthz(); code != http.StatusOK {
		t.Errorf("/healthz after the cycles = %d", code)
	}
	e.clock.Add(10 * time.Minute) // the watcher is gone: no cycle comes
	if code := healthz(); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz with no cycle for 10 minutes = %d", code)
	}
}

// TestRunOnTheRealClock runs the watcher on a one-second schedule until
// it has finished two cycles, then stops it.
func TestRunOnTheRealClock(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Schedule: drift.Every(time.Second), Mode: drift.Monitor,
		Operator: e.operator(), Store: e.journal, Metrics: e.metrics, Logger: zerolog.New(e.logs), Prepare: e.prepare(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		runs, err := e.journal.Runs(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		finished := 0
		for _, r := range runs {
			if r.Outcome != operation.Running {
				finished++
			}
		}
		if finished >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than two cycles finished: %+v", runs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Errorf("Run: %v", err)
	}
	runs, _ := e.journal.Runs(context.Background(), 10)
	for _, r := range runs {
		if r.Outcome == operation.Running || r.Unfinished {
			t.Errorf("run %d left %s after the stop", r.ID, r.Outcome)
		}
	}
}

// stopOnFirstChange cancels the cycle as soon as its first change is
// done, as SIGTERM arriving mid-cycle does.
type stopOnFirstChange struct {
	engine.NoHooks
	once   sync.Once
	cancel context.CancelFunc
}

func (s *stopOnFirstChange) ChangeDone(plans.Instance, plans.ChangeResult) { s.once.Do(s.cancel) }

// TestStopMidCycle: a stop during the corrections starts no further
// change, journals the run as interrupted and
// releases the lock; the next cycle finishes the job.
func TestStopMidCycle(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	ctx, cancel := context.WithCancel(context.Background())
	hooks := &stopOnFirstChange{cancel: cancel}
	eng := *e.h.Engine
	eng.Hooks = hooks
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Mode: drift.Correct, Operator: &operation.Runner{Journal: e.journal, Engine: &eng}, Store: e.journal, Metrics: e.metrics,
		Logger: zerolog.New(e.logs), Clock: e.clock, Prepare: e.prepare(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != string(operation.Interrupted) || !strings.HasPrefix(rep.Summary, "interrupted: ") {
		t.Errorf("outcome %s, summary %q", rep.Outcome, rep.Summary)
	}
	results := map[string]plans.Status{}
	for _, it := range rep.Items {
		results[it.Address] = it.Result
	}
	if results["step.kerberos_log[ex01]"] != plans.Applied || results["step.kerberos_log[ex02]"] != plans.Interrupted {
		t.Errorf("results after the stop: %v", results)
	}
	run, changes, err := e.journal.Run(context.Background(), rep.RunID)
	if err != nil || run.Outcome != operation.Interrupted || len(changes) != 1 || changes[0].Status != "applied" {
		t.Errorf("interrupted run in the journal: %+v %+v %v", run, changes, err)
	}
	if _, exists := e.logLevel(t, "ex02"); exists {
		t.Error("a change started after the stop")
	}
	// The lock was released: the next cycle runs and finishes the job.
	e.clock.Add(time.Minute)
	rep = e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{}))
	want := []string{"step.kerberos_errors[ex01] run corrected", "step.kerberos_errors[ex02] run corrected", "step.kerberos_log[ex02] create corrected"}
	if diff := cmp.Diff(want, items(rep)); diff != "" || rep.Outcome != string(operation.Succeeded) {
		t.Errorf("next cycle: %s (-want +got):\n%s", rep.Outcome, diff)
	}
}
