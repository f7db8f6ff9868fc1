package views

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/plans"
)

// sampleCycle is a correct-mode cycle that corrected one item, held
// another, and could not read a host.
func sampleCycle() drift.CycleReport {
	at := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	return drift.CycleReport{
		RunID: 7, Playbook: "exchange-454", Mode: drift.Correct, Started: at, Finished: at.Add(4 * time.Second),
		Outcome: "failed", Summary: "2 drifted, 1 corrected, 1 host(s) unreachable", WindowOpen: true,
		Items: []drift.Item{
			{Address: "step.kerberos_log[ex01]", Step: "kerberos_log", Host: "ex01", Action: plans.Update, Object: "LogLevel",
				FirstSeen: at.Add(-time.Hour), Result: plans.Applied, Converged: true},
			{Address: "step.internal[ex02]", Step: "internal", Host: "ex02", Action: plans.Update, Object: "Default EX02",
				Held: drift.HeldAutoCorrect},
		},
		HostErrors: []drift.HostError{{Host: "dc02", Error: "connection refused"}},
	}
}

func TestWatchCycleText(t *testing.T) {
	var b bytes.Buffer
	if err := (Watch{W: &b}).Cycle(sampleCycle()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"(run 7), correct mode: failed: 2 drifted, 1 corrected, 1 host(s) unreachable",
		"  ~ step.kerberos_log[ex01] update LogLevel, drifting since ",
		"      corrected",
		"      not applied: " + drift.HeldAutoCorrect,
		"  host dc02 could not be read: connection refused",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the cycle's text lacks %q:\n%s", want, b.String())
		}
	}
}

// TestWatchCycleJSON: each cycle is one line of JSON a log collector can
// take apart.
func TestWatchCycleJSON(t *testing.T) {
	var b bytes.Buffer
	v := Watch{W: &b, JSON: true}
	if err := v.Watching("exchange-454", drift.Correct, "every 15m0s", "/var/lib/rectify/journal.db"); err != nil {
		t.Fatal(err)
	}
	if err := v.Cycle(sampleCycle()); err != nil {
		t.Fatal(err)
	}
	if err := v.Stopped(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), b.String())
	}
	var types []string
	for _, l := range lines {
		var e struct{ Type string }
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not JSON: %s: %v", l, err)
		}
		types = append(types, e.Type)
	}
	if diff := cmp.Diff([]string{"watching", "cycle", "stopped"}, types); diff != "" {
		t.Errorf("event types (-want +got):\n%s", diff)
	}
	golden(t, "cycle.json", []byte(lines[1]+"\n"))
}
