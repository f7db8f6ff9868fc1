package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab"
)

// jsonLines decodes output of one JSON object per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var events []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("a line that is not JSON: %q: %v\n%s", l, err, out)
		}
		events = append(events, e)
	}
	return events
}

// TestApplyAndWatchJSON: apply -json and watch -json write one JSON object
// per line and event, and nothing else, for programs to follow a run.
func TestApplyAndWatchJSON(t *testing.T) {
	f := startLab(t, lab.KB979174())
	if got := f.rectify(t, "apply", "-json", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454"); got.code != exitUsage ||
		!strings.Contains(got.stderr, "-json with a PLAYBOOK requires -auto-approve") {
		t.Errorf("apply -json without -auto-approve: %s", got)
	}
	got := f.rectify(t, "apply", "-json", "-auto-approve", "-window-override", "test", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	events := jsonLines(t, got.stdout)
	counts := map[string]int{}
	var order []string
	for _, e := range events {
		typ, _ := e["type"].(string)
		if counts[typ] == 0 {
			order = append(order, typ)
		}
		counts[typ]++
	}
	if diff := cmp.Diff([]string{"planned", "apply_started", "read", "change_starting", "change_done", "batch_verified", "apply_finished"}, order); diff != "" {
		t.Errorf("event types in order of first appearance (-want +got):\n%s\n%s", diff, got)
	}
	if counts["change_starting"] != counts["change_done"] || counts["apply_finished"] != 1 || counts["read"] != 4 {
		t.Errorf("event counts %v", counts)
	}
	// The KB's faults leave a blocked port and an SPN conflict: a change
	// waits for them and the queues' retry does not converge until they
	// are fixed, as the demo shows.
	last := events[len(events)-1]
	want := map[string]any{"type": "apply_finished", "run": float64(1), "outcome": "not-converged", "status": "applied, not verified", "status_code": float64(4)}
	for k, v := range want {
		if last[k] != v {
			t.Errorf("the last event's %s is %v, want %v: %v", k, last[k], v, last)
		}
	}
	if got.code != exitUnverified || got.stderr != "" {
		t.Errorf("apply -json: exit %d, stderr %q; want 4 and nothing", got.code, got.stderr)
	}

	watch := f.rectify(t, "watch", "-once", "-json", "-mode", "monitor", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	cycles := jsonLines(t, watch.stdout)
	if len(cycles) != 1 || cycles[0]["type"] != "cycle" || cycles[0]["run"] != float64(2) || cycles[0]["mode"] != "monitor" {
		t.Errorf("watch -once -json: %v\n%s", cycles, watch)
	}
	if _, ok := cycles[0]["items"].([]any); !ok {
		t.Errorf("the cycle has no items list: %v", cycles[0])
	}
}
