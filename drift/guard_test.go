package drift_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/operation"
)

// connectorItem returns the report's item for ex02's connector.
func connectorItem(t *testing.T, rep drift.CycleReport) drift.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.Address == "step.connector[ex02]" {
			return it
		}
	}
	t.Fatalf("no drift of ex02's connector: %q", items(rep))
	return drift.Item{}
}

func addAuthOps(e *env, host string) int {
	n := 0
	for _, r := range e.h.Lab.Received(host) {
		if r.Op == "exchange.connector.add_auth" {
			n++
		}
	}
	return n
}

// TestFlappingConnectorIsLeftAlone: a fault re-breaks ex02's connector
// after every fix; after two corrections within the hour its return marks
// it flapping, it is no longer corrected, the metric shows it, and once a
// person clears it the next cycle corrects it again.
func TestFlappingConnectorIsLeftAlone(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	scrape := e.serveMetrics(t)
	baseline(t, e)
	w := e.watcher(t, drift.Correct, drift.FlapPolicy{Corrections: 2, Within: time.Hour})

	steps := []struct {
		name      string
		corrected bool
		flapping  bool
	}{
		{"first break", true, false},
		{"second break", true, false},
		{"back after two corrections", false, true},
		{"still flapping", false, true},
	}
	for i, s := range steps {
		e.breakConnector(t, "ex02")
		e.clock.Set(inWindow.Add(time.Duration(i+1) * 5 * time.Minute))
		before := addAuthOps(e, "ex02")
		rep := e.once(t, w)
		it := connectorItem(t, rep)
		if it.Corrected() != s.corrected || it.Flapping != s.flapping {
			t.Fatalf("%s: corrected %v flapping %v held %q; want corrected %v flapping %v", s.name, it.Corrected(), it.Flapping, it.Held, s.corrected, s.flapping)
		}
		fixed := slices.Contains(e.connectorAuth(t, "ex02"), "ExchangeServer")
		if fixed != s.corrected {
			t.Errorf("%s: connector accepts ExchangeServer = %v", s.name, fixed)
		}
		if s.flapping {
			if it.Held != drift.HeldFlapping || it.Result != "" {
				t.Errorf("%s: held %q result %q", s.name, it.Held, it.Result)
			}
			if n := addAuthOps(e, "ex02") - before; n != 0 {
				t.Errorf("%s: %d connector change(s) sent to a flapping item", s.name, n)
			}
			got := scrape()
			want := map[string]float64{series("rectify_drift_flapping", "step", "connector", "host", "ex02"): 1}
			if diff := cmp.Diff(want, map[string]float64(got.Family("rectify_drift_flapping"))); diff != "" {
				t.Errorf("%s: flapping metric (-want +got):\n%s", s.name, diff)
			}
			if !strings.Contains(rep.Summary, "1 flapping") {
				t.Errorf("%s: summary %q", s.name, rep.Summary)
			}
		}
	}

	// A person looks and clears it: the next cycle corrects it again.
	if err := e.journal.ClearFlapping(context.Background(), "exchange-454", "step.connector[ex02]", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(5 * time.Minute)
	rep := e.once(t, w)
	if it := connectorItem(t, rep); !it.Corrected() || it.Flapping {
		t.Errorf("after clearing: %+v", it)
	}
	if n := len(scrape().Family("rectify_drift_flapping")); n != 0 {
		t.Errorf("flapping metric after the correction: %d series", n)
	}
}

// TestCycleSkipsWhileAnApplyHoldsTheLock: a manual apply holding the lock
// of one of the cycle's hosts makes the cycle skip with a log line naming
// it; the lab is not touched.
func TestCycleSkipsWhileAnApplyHoldsTheLock(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	scrape := e.serveMetrics(t)
	apply, err := e.journal.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: "exchange-454", Inventory: "/lab/inventory.hcl"})
	if err != nil {
		t.Fatal(err)
	}
	// The apply changes ex01 only; the cycle would read and may change
	// every host, ex01 among them.
	lease, err := e.journal.LockHosts(ctx, apply, []string{"ex01.corp.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	received := len(e.h.Lab.Received("ex01"))
	rep := e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{}))
	if rep.Outcome != string(operation.Refused) || len(rep.Items) != 0 {
		t.Errorf("cycle under a held lock: outcome %s, items %q", rep.Outcome, items(rep))
	}
	if want := "apply run " + itoa(apply.ID) + " by "; !strings.Contains(rep.Skipped, want) {
		t.Errorf("skip reason %q does not name the holder (%q)", rep.Skipped, want)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "skipping the drift cycle: apply run "+itoa(apply.ID)) || !strings.Contains(logs, `"holder_run":`+itoa(apply.ID)) {
		t.Errorf("no log line naming the holder:\n%s", logs)
	}
	if n := len(e.h.Lab.Received("ex01")) - received; n != 0 {
		t.Errorf("the skipped cycle sent %d command(s) to ex01", n)
	}
	if _, exists := e.logLevel(t, "ex01"); exists {
		t.Error("the skipped cycle changed LogLevel")
	}
	run, _, err := e.journal.Run(ctx, rep.RunID)
	if err != nil || run.Outcome != operation.Refused || !strings.Contains(run.Summary, "holds the lock") {
		t.Errorf("skipped run in the journal: %+v, %v", run, err)
	}
	if v := scrape()[series("rectify_drift_cycles_skipped_total", "reason", "locked")]; v != 1 {
		t.Errorf("skipped cycles metric = %v", v)
	}

	if err := lease.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{})); rep.Outcome != string(operation.Succeeded) || rep.Count(drift.Item.Corrected) != 4 {
		t.Errorf("after the apply: %s %q", rep.Outcome, items(rep))
	}
}

// TestHostDownForACycle: a host that cannot be reached is reported, the
// other hosts are still checked and corrected, its drift stays open in
// the journal, and the next cycle carries on.
func TestHostDownForACycle(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	scrape := e.serveMetrics(t)
	if err := e.h.Lab.SetWinRMFaults("ex02", wsman.Faults{Unreachable: true}); err != nil {
		t.Fatal(err)
	}
	w := e.watcher(t, drift.Correct, drift.FlapPolicy{})
	rep := e.once(t, w)
	if rep.Outcome != string(operation.Failed) || len(rep.HostErrors) != 1 || rep.HostErrors[0].Host != "ex02" {
		t.Fatalf("cycle with ex02 down: %s %+v", rep.Outcome, rep.HostErrors)
	}
	if diff := cmp.Diff([]string{"step.kerberos_errors[ex01] run corrected", "step.kerberos_log[ex01] create corrected"}, items(rep)); diff != "" {
		t.Errorf("cycle with ex02 down (-want +got):\n%s", diff)
	}
	got := scrape()
	if got[series("rectify_drift_host_up", "host", "ex02")] != 0 || got[series("rectify_drift_host_up", "host", "ex01")] != 1 {
		t.Errorf("host_up: %v", got.Family("rectify_drift_host_up"))
	}
	if got[series("rectify_drift_last_run_outcome", "outcome", "failed")] != 1 {
		t.Errorf("last outcome: %v", got.Family("rectify_drift_last_run_outcome"))
	}

	if err := e.h.Lab.SetWinRMFaults("ex02", wsman.Faults{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	rep = e.once(t, w)
	if rep.Outcome != string(operation.Succeeded) {
		t.Fatalf("after ex02 came back: %s %v %+v", rep.Outcome, rep.Errors, rep.HostErrors)
	}
	if diff := cmp.Diff([]string{"step.kerberos_errors[ex01] run corrected", "step.kerberos_errors[ex02] run corrected", "step.kerberos_log[ex02] create corrected"}, items(rep)); diff != "" {
		t.Errorf("after ex02 came back (-want +got):\n%s", diff)
	}
}

// TestOpenDriftSurvivesAnUnreachableHost: an item that drifted stays open
// with its first sighting while its host is down, and is not closed as
// settled.
func TestOpenDriftSurvivesAnUnreachableHost(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	w := e.watcher(t, drift.Monitor, drift.FlapPolicy{})
	e.once(t, w)
	first := e.openDrift(t)["step.kerberos_log[ex02]"]
	if first.FirstSeen.IsZero() {
		t.Fatal("no drift of ex02 recorded")
	}
	if err := e.h.Lab.SetWinRMFaults("ex02", wsman.Faults{Unreachable: true}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	e.once(t, w)
	got := e.openDrift(t)["step.kerberos_log[ex02]"]
	if !got.FirstSeen.Equal(first.FirstSeen) || !got.LastSeen.Equal(first.LastSeen) || !got.Open() {
		t.Errorf("drift of an unreachable host: before %+v after %+v", first, got)
	}
}

// TestRunOnceRefusesToOverlap: a second cycle asked for while one runs is
// refused.
func TestRunOnceRefusesToOverlap(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	entered, leave := make(chan struct{}), make(chan struct{})
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Mode: drift.Monitor, Operator: e.operator(), Store: e.journal, Clock: e.clock,
		Prepare: func(ctx context.Context) (*drift.Cycle, error) {
			close(entered)
			<-leave
			return e.prepare(nil)(ctx)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan drift.CycleReport)
	go func() {
		rep, _ := w.RunOnce(context.Background())
		done <- rep
	}()
	<-entered
	if _, err := w.RunOnce(context.Background()); !errors.Is(err, drift.ErrCycleRunning) {
		t.Errorf("second RunOnce while one runs: %v", err)
	}
	close(leave)
	if rep := <-done; rep.Outcome != string(operation.Succeeded) {
		t.Errorf("first cycle: %s %v", rep.Outcome, rep.Errors)
	}
}
