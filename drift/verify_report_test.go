package drift_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/metrics/metricstest"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/ops"
)

// afterChange is connections to the lab that call then once, right after
// the first change a run makes on host succeeds: what happens on the
// host between the change and its verification.
type afterChange struct {
	*connect.Connections
	host string
	then func() error

	mu   sync.Mutex
	done bool
}

func (c *afterChange) Shell(ctx context.Context, host string) (ops.Shell, error) {
	sh, err := c.Connections.Shell(ctx, host)
	if err != nil || host != c.host {
		return sh, err
	}
	return &afterChangeShell{Shell: sh, c: c}, nil
}

type afterChangeShell struct {
	ops.Shell
	c *afterChange
}

func (s *afterChangeShell) RunScript(ctx context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	res, err := s.Shell.RunScript(ctx, run)
	if err == nil && res.ExitCode == 0 && run.Mutates {
		s.c.mu.Lock()
		defer s.c.mu.Unlock()
		if !s.c.done {
			s.c.done = true
			if err := s.c.then(); err != nil {
				return res, err
			}
		}
	}
	return res, err
}

// unreachableAfterChange fails every read of host once a change on it
// has been made, as a server that drops off the network does.
type unreachableAfterChange struct {
	afterChange
	down bool
}

func (c *unreachableAfterChange) Shell(ctx context.Context, host string) (ops.Shell, error) {
	c.mu.Lock()
	down := c.down && host == c.host
	c.mu.Unlock()
	if down {
		return nil, &actions.TransportError{Kind: actions.KindConnect, Class: actions.Permanent, Host: host, Op: "connect",
			Err: errors.New("dial tcp: connection refused")}
	}
	return c.afterChange.Shell(ctx, host)
}

// correctWith runs one correct-mode cycle whose connections are made by
// wrap around the lab's.
func (e *env) correctWith(t *testing.T, wrap func(*connect.Connections) drift.Conns) drift.CycleReport {
	t.Helper()
	load := e.prepare(nil)
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Schedule: drift.Every(2 * time.Second), Mode: drift.Correct,
		Prepare: func(ctx context.Context) (*drift.Cycle, error) {
			c, err := load(ctx)
			if err != nil {
				return nil, err
			}
			c.Conns = wrap(c.Conns.(*connect.Connections))
			return c, nil
		},
		Operator: e.operator(), Store: e.journal, Metrics: e.metrics,
		Logger: zerolog.New(e.logs), Clock: e.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e.once(t, w)
}

// TestCorrectionThatDoesNotHoldIsReported: something on ex01 (a group
// policy, an administrator) sets the Kerberos LogLevel back to 0 right
// after the cycle corrects it. The cycle must not count the correction:
// the item is applied but not converged, the cycle fails and says so,
// the drift stays open in the journal with the attempt recorded, and the
// metrics still show the change pending.
func TestCorrectionThatDoesNotHoldIsReported(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	scrape := e.serveMetrics(t)
	baseline(t, e)
	e.setLogLevel(t, "ex01", 0)
	e.clock.Set(inWindow.Add(10 * time.Minute))

	rep := e.correctWith(t, func(c *connect.Connections) drift.Conns {
		return &afterChange{Connections: c, host: "ex01", then: func() error {
			e.setLogLevel(t, "ex01", 0)
			return nil
		}}
	})

	// The Kerberos log is read again after the LogLevel change, on both
	// servers, as the playbook orders it: those reads are made.
	want := []string{"step.kerberos_errors[ex01] run corrected", "step.kerberos_errors[ex02] run corrected", "step.kerberos_log[ex01] update applied"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("items (-want +got):\n%s", diff)
	}
	if it := itemOf(t, rep, "step.kerberos_log[ex01]"); it.Converged || it.Corrected() {
		t.Errorf("the correction is counted as converged: %+v", it)
	}
	checkFailedCorrection(t, e, rep, scrape, failedCorrection{
		err:     "step.kerberos_log[ex01]: did not converge after its correction",
		summary: "1 drifted, 2 corrected, 1 correction(s) failed, 1 error(s)",
		pending: []string{"step.kerberos_log[ex01]"},
	})
}

// TestCorrectionThatCannotBeVerifiedIsReported: ex01 drops off the network
// right after the cycle corrects its LogLevel, so the verification cannot
// read it. The change was made, but nobody knows whether it holds: the
// cycle must say it could not be verified and why, and keep the drift
// open rather than call it corrected.
func TestCorrectionThatCannotBeVerifiedIsReported(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	scrape := e.serveMetrics(t)
	baseline(t, e)
	e.setLogLevel(t, "ex01", 0)
	e.clock.Set(inWindow.Add(10 * time.Minute))

	rep := e.correctWith(t, func(c *connect.Connections) drift.Conns {
		u := &unreachableAfterChange{afterChange: afterChange{Connections: c, host: "ex01"}}
		u.then = func() error { u.down = true; return nil } // called with u.mu held
		return u
	})

	// The Kerberos log read after the change cannot reach ex01 either, and
	// the one of ex02 waits: max_fail = 0 stops the run.
	want := []string{"step.kerberos_errors[ex01] run failed", "step.kerberos_errors[ex02] run held", "step.kerberos_log[ex01] update applied"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("items (-want +got):\n%s", diff)
	}
	if it := itemOf(t, rep, "step.kerberos_log[ex01]"); it.Converged || it.Corrected() {
		t.Errorf("a correction nobody could verify is counted as converged: %+v", it)
	}
	if it := itemOf(t, rep, "step.kerberos_errors[ex01]"); !strings.Contains(it.Error, "connection refused") {
		t.Errorf("the Kerberos log read of the unreachable ex01 failed with %q, want the connection refused", it.Error)
	}
	if v, _ := e.logLevel(t, "ex01"); v != uint32(1) {
		t.Errorf("ex01's LogLevel is %v: the correction was not made", v)
	}
	checkFailedCorrection(t, e, rep, scrape, failedCorrection{
		err:     "step.kerberos_log[ex01]: applied, but could not be verified: ",
		summary: "1 drifted, 2 correction(s) failed, 1 error(s)",
		pending: []string{"step.kerberos_log[ex01]", "step.kerberos_errors[ex01]", "step.kerberos_errors[ex02]"},
	})
	if !strings.Contains(strings.Join(rep.Errors, "\n"), "connection refused") {
		t.Errorf("the report does not say why the verification failed: %q", rep.Errors)
	}
}

// failedCorrection is what a cycle whose one correction of
// step.kerberos_log[ex01] did not end converged reports.
type failedCorrection struct {
	// err starts one of the report's errors.
	err string
	// summary is the report's summary: the LogLevel's correction counted
	// as failed, not corrected (the Kerberos log reads it triggered are
	// counted as what they became).
	summary string
	// pending are the addresses the cycle leaves to do.
	pending []string
}

// checkFailedCorrection checks what a cycle whose only correction of a
// drifted value did not end converged reports, journals and exposes.
func checkFailedCorrection(t *testing.T, e *env, rep drift.CycleReport, scrape func() metricstest.Samples, want failedCorrection) {
	t.Helper()
	if !slicesHasPrefix(rep.Errors, want.err) {
		t.Errorf("errors %q: want one starting %q", rep.Errors, want.err)
	}
	if rep.Outcome != string(operation.Failed) {
		t.Errorf("outcome %s, want %s (%s)", rep.Outcome, operation.Failed, rep.Summary)
	}
	if rep.Summary != want.summary {
		t.Errorf("summary %q, want %q: the correction counted as failed, not corrected", rep.Summary, want.summary)
	}
	if diff := cmp.Diff(want.pending, pendingAddresses(rep)); diff != "" {
		t.Errorf("pending after the cycle (-want +got):\n%s", diff)
	}
	run, _, err := e.journal.Run(context.Background(), rep.RunID)
	if err != nil || run.Outcome != operation.Failed || run.Summary != rep.Summary {
		t.Errorf("the run in the journal: %+v, %v; want failed with the report's summary %q", run, err, rep.Summary)
	}
	open := e.openDrift(t)
	r, ok := open["step.kerberos_log[ex01]"]
	if !ok {
		t.Fatalf("the drift of step.kerberos_log[ex01] was closed by a correction that did not converge; open: %v", keys(open))
	}
	if len(r.Corrections) != 1 || r.Corrections[0].Status != "applied" || r.Corrections[0].RunID != rep.RunID || !r.Resolved.IsZero() {
		t.Errorf("the attempt in the journal: %+v, resolved %v; want one applied in run %d and the episode unresolved", r.Corrections, r.Resolved, rep.RunID)
	}
	got := scrape()
	pending := series("rectify_drift_pending_changes", "step", "kerberos_log", "host", "ex01", "action", "update")
	if v := got[pending]; v != 1 {
		t.Errorf("%s = %v, want 1", pending, v)
	}
	if v := got[series("rectify_drift_last_run_outcome", "outcome", "failed")]; v != 1 {
		t.Errorf("last run outcome failed = %v, want 1", v)
	}
}

// itemOf returns the report's item of address.
func itemOf(t *testing.T, rep drift.CycleReport, address string) drift.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.Address == address {
			return it
		}
	}
	t.Fatalf("the report has no item %s: %q", address, items(rep))
	return drift.Item{}
}

func pendingAddresses(rep drift.CycleReport) []string {
	var out []string
	for _, it := range rep.Pending() {
		out = append(out, it.Address)
	}
	return out
}

func slicesHasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
