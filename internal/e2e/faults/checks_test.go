package faults

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/ops"
)

// The changes the example playbook plans on a fresh KB 979174 lab, and
// the order a healthy apply makes them in (serial = 1, plan order).
var (
	planned = []string{
		"step.clocks[ex01]", "step.connector[ex02]", "step.kerberos_errors[ex01]", "step.kerberos_errors[ex02]",
		"step.kerberos_log[ex01]", "step.kerberos_log[ex02]", "step.queues[ex01]", "step.queues[ex02]",
		"step.replication[dc02]", "step.smtp[ex01]", "step.tickets[ex01]",
	}
	// beforeEx02 are the changes made before the first one on ex02.
	beforeEx02 = map[string]string{
		"step.clocks[ex01]": "applied", "step.smtp[ex01]": "applied", "step.replication[dc02]": "applied", "step.kerberos_log[ex01]": "applied",
	}
)

// mutating are the ops that change a host; reads may repeat, these may not.
var mutating = map[string]bool{
	ops.RegistrySet: true, ops.RegistryDelete: true, ops.TimeResync: true, ops.ReplSyncAll: true,
	ops.ConnectorAddAuth: true, ops.QueueRetry: true, ops.TicketsPurge: true,
}

// outcome is what a case expects of one apply.
type outcome struct {
	// statuses are the journal's changes of the run, by address: exactly
	// these were started, each with this status.
	statuses map[string]string
	// errors are the words each failed change's error must hold, in the
	// journal and in the apply output.
	errors map[string][]string
	// remaining are the addresses a new plan still changes.
	remaining []string
}

// check asserts what the run reported, that nothing reached a host twice,
// that the journal holds every started change with an outcome (inFlight
// names those a cut-short run leaves without one), and what a new plan
// shows.
func (f *fixture) check(t *testing.T, applyOut result, run string, want outcome) {
	t.Helper()
	rec, changes := f.history(t, run)
	got := map[string]string{}
	for _, c := range changes {
		if _, dup := got[c.Address]; dup {
			t.Errorf("the journal holds %s twice", c.Address)
		}
		got[c.Address] = c.Status
		if c.Status != journal.InFlight && c.Finished.IsZero() {
			t.Errorf("%s is %s without a finishing time", c.Address, c.Status)
		}
		if c.Status == "failed" {
			if len(want.errors[c.Address]) == 0 {
				t.Errorf("%s failed with %q, which the case does not expect", c.Address, c.Error)
			}
			for _, w := range want.errors[c.Address] {
				if !strings.Contains(c.Error, w) {
					t.Errorf("the journal's error of %s lacks %q: %q", c.Address, w, c.Error)
				}
				if !strings.Contains(applyOut.stdout, c.Address+": failed") || !strings.Contains(applyOut.stdout, w) {
					t.Errorf("the apply output does not report %s failed with %q:\n%s", c.Address, w, applyOut)
				}
			}
		}
	}
	if diff := cmp.Diff(want.statuses, got); diff != "" {
		t.Errorf("journaled changes (-want +got):\n%s\napply output:\n%s", diff, applyOut)
	}
	if rec.Outcome == operation.Running && !rec.Unfinished {
		t.Errorf("run %s is still running", run)
	}
	f.checkNoRepeats(t)
	if diff := cmp.Diff(want.remaining, f.replan(t)); diff != "" {
		t.Errorf("a new plan's changes (-want +got):\n%s", diff)
	}
}

// checkNoRepeats asserts that no host received the same change twice: the
// same mutating op with the same arguments.
func (f *fixture) checkNoRepeats(t *testing.T) {
	t.Helper()
	for _, h := range append(f.lab.Exchange(), f.lab.DCs()...) {
		seen := map[string]int{}
		for _, r := range f.lab.Received(h) {
			if mutating[r.Op] {
				seen[r.Op+" "+string(r.Args)]++
			}
		}
		for k, n := range seen {
			if n > 1 {
				t.Errorf("%s received %s %d times", h, k, n)
			}
		}
	}
}

// received counts the ops of one name a host received.
func (f *fixture) received(host, op string) int {
	n := 0
	for _, r := range f.lab.Received(host) {
		if r.Op == op {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or done is closed; it reports whether
// cond held.
func waitFor(t *testing.T, done <-chan struct{}, cond func() bool) bool {
	t.Helper()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-done:
			return cond()
		case <-deadline:
			t.Fatal("the condition did not come about within a minute")
		case <-time.After(2 * time.Millisecond):
		}
	}
	return true
}

// union returns the union of maps, later ones winning.
func union(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func sorted(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
