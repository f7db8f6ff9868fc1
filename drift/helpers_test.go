package drift_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/actiontest"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// examplePlaybook is the KB 979174 playbook; its change window opens on
// Saturdays at 22:00 in Berlin for four hours.
const examplePlaybook = "../examples/exchange-454"

var (
	// inWindow is Saturday 28 November 2026, 22:30 in Berlin.
	inWindow = time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	// outOfWindow is the Friday before, at noon.
	outOfWindow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
)

// fakeClock is a clock the test moves; After fires when the clock passes
// the deadline.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	waiting chan struct{} // receives when a waiter is added
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newClock(t time.Time) *fakeClock {
	return &fakeClock{now: t, waiting: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := c.now.Add(d)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: at, ch: ch})
	select {
	case c.waiting <- struct{}{}:
	default:
	}
	return ch
}

// Set moves the clock to t and fires the waiters that are due.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	var keep []waiter
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

// Add moves the clock forward by d.
func (c *fakeClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// syncBuffer collects log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a lab with a journal, metrics and a clock for watchers.
type env struct {
	h       *actiontest.Harness
	journal *journal.Journal
	metrics *metrics.Metrics
	clock   *fakeClock
	logs    *syncBuffer
	dir     string
}

func newEnv(t testing.TB, sc lab.Scenario, now time.Time) *env {
	t.Helper()
	e := &env{h: actiontest.Start(t, sc), clock: newClock(now), logs: &syncBuffer{}, dir: t.TempDir()}
	j, err := journal.Open(context.Background(), filepath.Join(e.dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	e.journal = j
	e.metrics = metrics.New(metrics.Options{Now: e.clock.Now})
	return e
}

// prepare loads the example playbook against the lab afresh, as the
// command line does for every cycle.
func (e *env) prepare(vars map[string]string) func(context.Context) (*drift.Cycle, error) {
	return func(ctx context.Context) (*drift.Cycle, error) {
		r, diags := playbooks.Load(examplePlaybook, e.h.Registry, playbooks.EvalInput{Hosts: e.h.Hosts(), Vars: vars})
		if diags.HasErrors() {
			return nil, diags
		}
		in, err := engine.NewInput(r, examplePlaybook, e.h.Hosts(), plans.InventoryRef{Path: "/lab/inventory.hcl", Digest: "sha256:lab"}, nil)
		if err != nil {
			return nil, err
		}
		return &drift.Cycle{Input: in, Conns: e.h.NewConnections()}, nil
	}
}

func (e *env) watcher(t testing.TB, mode drift.Mode, policy drift.FlapPolicy) *drift.Watcher {
	t.Helper()
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Schedule: drift.Every(2 * time.Second), Mode: mode,
		Prepare: e.prepare(nil), Operator: e.operator(), Store: e.journal, Metrics: e.metrics,
		Logger: zerolog.New(e.logs), Clock: e.clock, Flapping: policy,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (e *env) once(t testing.TB, w *drift.Watcher) drift.CycleReport {
	t.Helper()
	rep, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// items lists a report's items as "address action held-or-result".
func items(rep drift.CycleReport) []string {
	var out []string
	for _, it := range rep.Items {
		s := it.Address + " " + string(it.Action)
		switch {
		case it.Corrected():
			s += " corrected"
		case it.Result != "":
			s += " " + string(it.Result)
		case it.Held != "":
			s += " held"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }

// operator runs the watchers' cycles as the command line does.
func (e *env) operator() *operation.Runner {
	return &operation.Runner{Journal: e.journal, Engine: e.h.Engine}
}
