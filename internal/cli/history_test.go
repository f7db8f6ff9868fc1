package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
)

// seedHistory writes runs into a journal at dir/journal.db: an apply,
// cycles drift cycles that found nothing, one that found drift, and an
// apply that did not converge. It returns the runs, newest first.
func seedHistory(t *testing.T, dir string, cycles int) []journal.RunRecord {
	t.Helper()
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	add := func(kind operation.Kind, outcome operation.Outcome, summary string) {
		r, err := j.StartRun(ctx, operation.RunInfo{Kind: kind, Playbook: "exchange-454"})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Finish(ctx, outcome, summary); err != nil {
			t.Fatal(err)
		}
	}
	add(operation.KindApply, operation.Succeeded, "2 applied, 0 failed, 0 stale, 0 skipped, 0 not converged, 0 unverified")
	for range cycles {
		add(operation.KindWatch, operation.Succeeded, "no drift")
	}
	add(operation.KindWatch, operation.Succeeded, "2 drifted")
	add(operation.KindApply, operation.NotConverged, "10 applied, 0 failed, 0 stale, 1 skipped, 1 not converged, 0 unverified")
	runs, err := j.FindRuns(ctx, journal.RunQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// TestHistoryListsFoldedFilteredRuns checks the run list of history: a
// header, outcome words that agree with the summary, the drift cycles of
// more than one page of the journal folded into one line that does not
// push the applies out, and -kind, -since and -n.
func TestHistoryListsFoldedFilteredRuns(t *testing.T) {
	dir := t.TempDir()
	const cycles = historyPage + 100
	runs := seedHistory(t, dir, cycles)
	// lines runs history and returns its lines, each cut to its first
	// cells: run, kind and outcome.
	lines := func(t *testing.T, args ...string) []string {
		t.Helper()
		got := run(t, runOptions{}, append([]string{"history", "-state", filepath.Join(dir, "journal.db")}, args...)...)
		if got.code != exitOK {
			t.Fatalf("history %v: %s", args, got)
		}
		var out []string
		for _, line := range strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n") {
			f := strings.Fields(line)
			switch {
			case f[0] == "RUN":
				out = append(out, strings.Join([]string{f[0], f[2], f[3]}, " "))
				continue
			case len(f) < 6 || f[0] == "No":
				out = append(out, line)
				continue
			}
			// RUN, STARTED (two fields), KIND, OUTCOME ("not converged"
			// is two words).
			cells := []string{f[0], f[3], f[4]}
			if f[4] == "not" {
				cells[2] += " " + f[5]
			}
			out = append(out, strings.Join(cells, " "))
		}
		return out
	}
	newest := runs[0].ID
	folded := "2-" + runID(newest-2)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"default: the cycles are one line", nil, []string{
			"RUN KIND OUTCOME", runID(newest) + " apply not converged", runID(newest-1) + " watch succeeded", folded + " watch succeeded", "1 apply succeeded"}},
		{"-n counts lines", []string{"-n", "3"}, []string{
			"RUN KIND OUTCOME", runID(newest) + " apply not converged", runID(newest-1) + " watch succeeded", folded + " watch succeeded"}},
		{"-kind apply", []string{"-kind", "apply"}, []string{"RUN KIND OUTCOME", runID(newest) + " apply not converged", "1 apply succeeded"}},
		{"-kind watch -n 1", []string{"-kind", "watch", "-n", "1"}, []string{"RUN KIND OUTCOME", runID(newest-1) + " watch succeeded"}},
		{"-kind undo", []string{"-kind", "undo"}, []string{"No runs in the journal " + filepath.Join(dir, "journal.db") + " yet."}},
		{"-since the cycle that drifted", []string{"-since", runs[1].Started.Format(time.RFC3339Nano)}, []string{
			"RUN KIND OUTCOME", runID(newest) + " apply not converged", runID(newest-1) + " watch succeeded"}},
		{"-since a duration", []string{"-since", "1h", "-kind", "apply"}, []string{"RUN KIND OUTCOME", runID(newest) + " apply not converged", "1 apply succeeded"}},
		{"-since a date to come", []string{"-since", time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}, []string{
			"No runs in the journal " + filepath.Join(dir, "journal.db") + " yet."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lines(t, tt.args...)); diff != "" {
				t.Errorf("history %v (-want +got):\n%s", tt.args, diff)
			}
		})
	}

	// The folded line says how many cycles and what they found.
	got := run(t, runOptions{}, "history", "-state", filepath.Join(dir, "journal.db"))
	if want := runID(cycles) + " cycles, "; !strings.Contains(got.stdout, want) || !strings.Contains(got.stdout, "; no drift\n") {
		t.Errorf("history lacks %q and the cycles' summary:\n%s", want, got.stdout)
	}

	// -json is every run, unfolded; -n counts runs; the filters apply.
	js := run(t, runOptions{}, "history", "-json", "-state", filepath.Join(dir, "journal.db"), "-kind", "watch", "-n", "5")
	var listed []journal.RunRecord
	if err := json.Unmarshal([]byte(js.stdout), &listed); err != nil || len(listed) != 5 {
		t.Fatalf("history -json -kind watch -n 5: %d runs, %v\n%s", len(listed), err, js)
	}
	for _, r := range listed {
		if r.Kind != operation.KindWatch {
			t.Errorf("history -json -kind watch listed a %s run", r.Kind)
		}
	}
}

func TestHistoryRefusesBadFilters(t *testing.T) {
	dir := t.TempDir()
	seedHistory(t, dir, 1)
	state := filepath.Join(dir, "journal.db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-kind", "plan"}, "-kind plan: a plan is not journaled as a run; the kinds of runs are apply, watch, undo"},
		{[]string{"-kind", "aply"}, `-kind "aply": the kinds of runs are apply, watch, undo`},
		{[]string{"-since", "yesterday"}, `-since "yesterday" is neither a duration (24h, 90m) nor a date`},
		{[]string{"-since", "-5h"}, "-since -5h: give a positive duration"},
		{[]string{"-since", "2026-13-01"}, `-since "2026-13-01" is neither`},
		{[]string{"-n", "0"}, "-n 0: list at least one"},
		{[]string{"-kind", "apply", "1"}, "-kind and -since select runs to list; they do not go with RUN or -drift"},
		{[]string{"-since", "24h", "-drift"}, "they do not go with RUN or -drift"},
	}
	for _, tt := range tests {
		got := run(t, runOptions{}, append([]string{"history", "-state", state}, tt.args...)...)
		if got.code != exitUsage || !strings.Contains(got.stderr, tt.want) || got.stdout != "" {
			t.Errorf("history %v: %s; want exit %d and %q", tt.args, got, exitUsage, tt.want)
		}
	}
}

func runID(n int64) string { return strconv.FormatInt(n, 10) }
