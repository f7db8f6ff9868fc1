package drift_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
)

// baseline makes the healthy lab match the playbook (the temporary
// LogLevel is set, and the Kerberos log read again after it) in a
// correct-mode cycle inside the window.
func baseline(t *testing.T, e *env) {
	t.Helper()
	rep := e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{}))
	want := []string{"step.kerberos_errors[ex01] run corrected", "step.kerberos_errors[ex02] run corrected", "step.kerberos_log[ex01] create corrected", "step.kerberos_log[ex02] create corrected"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("baseline cycle (-want +got):\n%s\n%s", diff, rep.Errors)
	}
}

// TestMonitorReportsDriftThenCorrectFixesIt: a LogLevel changed by hand
// and a removed SPN are journaled and exposed as metrics in monitor mode
// without any change, then corrected by one correct-mode cycle.
func TestMonitorReportsDriftThenCorrectFixesIt(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	scrape := e.serveMetrics(t)
	baseline(t, e)

	e.setLogLevel(t, "ex01", 0)
	spn := e.smtpSPN(t, "EX02$")
	if err := e.h.Lab.RemoveSPN("EX02$", spn); err != nil {
		t.Fatal(err)
	}
	seen := inWindow.Add(10 * time.Minute)
	e.clock.Set(seen)
	rep := e.once(t, e.watcher(t, drift.Monitor, drift.FlapPolicy{}))
	want := []string{
		"step.kerberos_errors[ex01] run held",
		"step.kerberos_errors[ex02] run held",
		"step.kerberos_log[ex01] update held",
		"step.replication[dc02] run held",
		"step.smtp[ex02] update held",
	}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("monitor cycle (-want +got):\n%s", diff)
	}
	if rep.Outcome != string(operation.Succeeded) {
		t.Errorf("monitor cycle outcome %s: %s %v", rep.Outcome, rep.Summary, rep.Errors)
	}
	if v, _ := e.logLevel(t, "ex01"); v != uint32(0) {
		t.Errorf("monitor mode changed LogLevel to %v", v)
	}
	if e.holdsSPN("EX02$", spn) {
		t.Errorf("monitor mode put %s back", spn)
	}
	open := e.openDrift(t)
	if diff := cmp.Diff([]string{"step.kerberos_log[ex01]", "step.smtp[ex02]"}, keys(open)); diff != "" {
		t.Fatalf("open drift in the journal (-want +got):\n%s", diff)
	}
	for addr, r := range open {
		if !r.FirstSeen.Equal(seen) || r.LastRunID != rep.RunID || len(r.Corrections) != 0 {
			t.Errorf("%s: %+v", addr, r)
		}
	}
	run, changes, err := e.journal.Run(context.Background(), rep.RunID)
	if err != nil || run.Kind != operation.KindWatch || run.Outcome != operation.Succeeded || len(changes) != 0 || run.PlanDigest == "" {
		t.Errorf("monitor run in the journal: %+v, %d change(s), %v", run, len(changes), err)
	}
	got := scrape()
	wantPending := map[string]float64{
		series("rectify_drift_pending_changes", "step", "kerberos_log", "host", "ex01", "action", "update"): 1,
		series("rectify_drift_pending_changes", "step", "smtp", "host", "ex02", "action", "update"):         1,
		series("rectify_drift_pending_changes", "step", "replication", "host", "dc02", "action", "run"):     1,
		series("rectify_drift_pending_changes", "step", "kerberos_errors", "host", "ex01", "action", "run"): 1,
		series("rectify_drift_pending_changes", "step", "kerberos_errors", "host", "ex02", "action", "run"): 1,
	}
	if diff := cmp.Diff(wantPending, map[string]float64(got.Family("rectify_drift_pending_changes"))); diff != "" {
		t.Errorf("pending changes metric (-want +got):\n%s", diff)
	}
	wantSeen := map[string]float64{
		series("rectify_drift_first_seen_timestamp_seconds", "step", "kerberos_log", "host", "ex01"): float64(seen.Unix()),
		series("rectify_drift_first_seen_timestamp_seconds", "step", "smtp", "host", "ex02"):         float64(seen.Unix()),
	}
	if diff := cmp.Diff(wantSeen, map[string]float64(got.Family("rectify_drift_first_seen_timestamp_seconds"))); diff != "" {
		t.Errorf("first seen metric (-want +got):\n%s", diff)
	}
	if v := got[series("rectify_drift_last_run_outcome", "outcome", "succeeded")]; v != 1 {
		t.Errorf("last run outcome succeeded = %v", v)
	}
	if v := got[series("rectify_drift_last_run_timestamp_seconds")]; v != float64(seen.Unix()) {
		t.Errorf("last run time = %v, want %d", v, seen.Unix())
	}

	// One correct-mode cycle fixes both.
	e.clock.Set(seen.Add(10 * time.Minute))
	rep = e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{}))
	want = []string{
		"step.kerberos_errors[ex01] run corrected",
		"step.kerberos_errors[ex02] run corrected",
		"step.kerberos_log[ex01] update corrected",
		"step.replication[dc02] run corrected",
		"step.smtp[ex02] update corrected",
	}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("correct cycle (-want +got):\n%s\n%v", diff, rep.Errors)
	}
	if v, _ := e.logLevel(t, "ex01"); v != uint32(1) {
		t.Errorf("LogLevel after correction = %v", v)
	}
	if !e.holdsSPN("EX02$", spn) {
		t.Errorf("%s not restored", spn)
	}
	if open := e.openDrift(t); len(open) != 0 {
		t.Errorf("drift still open after the correction: %v", keys(open))
	}
	hist, err := e.journal.DriftHistory(context.Background(), journal.DriftQuery{Playbook: "exchange-454", Since: seen})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range hist {
		if len(r.Corrections) != 1 || r.Corrections[0].Status != "applied" || r.Corrections[0].RunID != rep.RunID || !r.Resolved.Equal(r.Corrections[0].Time) {
			t.Errorf("%s: corrections %+v resolved %s", r.Address, r.Corrections, r.Resolved)
		}
	}
	got = scrape()
	if n := len(got.Family("rectify_drift_pending_changes")); n != 0 {
		t.Errorf("pending changes after the correction: %v", got.Family("rectify_drift_pending_changes"))
	}
	for s, n := range map[string]float64{
		// The baseline cycle set LogLevel once already.
		series("rectify_drift_corrections_total", "step", "kerberos_log", "host", "ex01", "result", "applied"): 2,
		series("rectify_drift_corrections_total", "step", "smtp", "host", "ex02", "result", "applied"):         1,
	} {
		if got[s] != n {
			t.Errorf("%s = %v, want %v", s, got[s], n)
		}
	}
	if rep := e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{})); len(rep.Items) != 0 {
		t.Errorf("drift after the correction: %q", items(rep))
	}
}

// TestCorrectOutsideWindowOnlyReports: correct mode outside the window
// reports and changes nothing; inside the next window it corrects.
func TestCorrectOutsideWindowOnlyReports(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), outOfWindow)
	spn := e.smtpSPN(t, "EX01$")
	if err := e.h.Lab.RemoveSPN("EX01$", spn); err != nil {
		t.Fatal(err)
	}
	w := e.watcher(t, drift.Correct, drift.FlapPolicy{})
	rep := e.once(t, w)
	if rep.WindowOpen || !rep.NextWindow.Equal(time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("window open %v, next %s", rep.WindowOpen, rep.NextWindow)
	}
	for _, it := range rep.Items {
		if it.Result != "" || (it.Held != drift.HeldWindow && !it.Triggered) {
			t.Errorf("%s outside the window: result %q held %q", it.Address, it.Result, it.Held)
		}
	}
	want := []string{"step.kerberos_errors[ex01] run held", "step.kerberos_errors[ex02] run held", "step.kerberos_log[ex01] create held", "step.kerberos_log[ex02] create held", "step.replication[dc02] run held", "step.smtp[ex01] update held"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("cycle outside the window (-want +got):\n%s", diff)
	}
	if e.holdsSPN("EX01$", spn) {
		t.Error("the SPN was restored outside the window")
	}
	if _, exists := e.logLevel(t, "ex01"); exists {
		t.Error("LogLevel was set outside the window")
	}
	e.clock.Set(inWindow)
	rep = e.once(t, w)
	if rep.Count(drift.Item.Corrected) != 6 || !e.holdsSPN("EX01$", spn) {
		t.Errorf("inside the window: %q %v", items(rep), rep.Errors)
	}
}

// TestExpiredTemporaryValueRevertedInMonitorMode: the diagnostic LogLevel
// is reverted by a monitor-mode cycle once it expired, but only inside a
// window.
func TestExpiredTemporaryValueRevertedInMonitorMode(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	baseline(t, e)
	w := e.watcher(t, drift.Monitor, drift.FlapPolicy{})

	e.clock.Set(outOfWindow.Add(7 * 24 * time.Hour)) // past the expiry, a Friday
	rep := e.once(t, w)
	want := []string{"step.kerberos_errors[ex01] run held", "step.kerberos_errors[ex02] run held", "step.kerberos_log[ex01] delete held", "step.kerberos_log[ex02] delete held"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("expired, outside the window (-want +got):\n%s", diff)
	}
	for _, it := range rep.Items {
		if it.Step == "kerberos_log" && (!it.Revert || it.Held != drift.HeldWindow) {
			t.Errorf("%s: revert %v held %q", it.Address, it.Revert, it.Held)
		}
	}
	if _, exists := e.logLevel(t, "ex01"); !exists {
		t.Fatal("LogLevel reverted outside the window")
	}

	e.clock.Set(inWindow.Add(7 * 24 * time.Hour)) // the next Saturday night
	rep = e.once(t, w)
	// The revert is due and made in monitor mode; the Kerberos log read it
	// triggers is not a revert, and waits as monitor mode's reports do.
	want = []string{"step.kerberos_errors[ex01] run held", "step.kerberos_errors[ex02] run held", "step.kerberos_log[ex01] delete corrected", "step.kerberos_log[ex02] delete corrected"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("expired, inside the window (-want +got):\n%s", diff)
	}
	for _, h := range []string{"ex01", "ex02"} {
		if _, exists := e.logLevel(t, h); exists {
			t.Errorf("%s: LogLevel still set after its expiry", h)
		}
	}
	if rep := e.once(t, w); len(rep.Items) != 0 {
		t.Errorf("after the revert: %q", items(rep))
	}
}
