package views

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
)

// cycles returns n finished drift cycles of playbook, newest first, with
// ids from first+n-1 down to first, fifteen minutes apart.
func cycles(first int64, n int, playbook string, outcome operation.Outcome, summary string) []journal.RunRecord {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var out []journal.RunRecord
	for i := n - 1; i >= 0; i-- {
		id := first + int64(i)
		out = append(out, journal.RunRecord{ID: id, Kind: operation.KindWatch, Started: at.Add(time.Duration(id) * 15 * time.Minute),
			User: "svc", Machine: "mon01", Playbook: playbook, Outcome: outcome, Summary: summary})
	}
	return out
}

func apply(id int64, outcome operation.Outcome, summary string) journal.RunRecord {
	return journal.RunRecord{ID: id, Kind: operation.KindApply, Started: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(id) * 15 * time.Minute),
		User: "alice", Machine: "adm01", Playbook: "exchange-454", Outcome: outcome, Summary: summary}
}

func concat(parts ...[]journal.RunRecord) []journal.RunRecord {
	var out []journal.RunRecord
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// rowIDs is the ids of each row's runs.
func rowIDs(rows []RunRow) [][]int64 {
	var out [][]int64
	for _, r := range rows {
		var ids []int64
		for _, run := range r.Runs {
			ids = append(ids, run.ID)
		}
		out = append(out, ids)
	}
	return out
}

func TestFoldRuns(t *testing.T) {
	unfinished := cycles(20, 1, "exchange-454", operation.Running, "")
	unfinished[0].Unfinished = true
	overridden := cycles(30, 1, "exchange-454", operation.Succeeded, "no drift")
	overridden[0].WindowOverride = "CHG-1"
	tests := []struct {
		name string
		runs []journal.RunRecord
		want [][]int64
	}{
		{"no runs", nil, nil},
		{"one cycle stands alone", cycles(1, 1, "exchange-454", operation.Succeeded, "no drift"), [][]int64{{1}}},
		{"cycles that ended alike fold", cycles(1, 4, "exchange-454", operation.Succeeded, "no drift"), [][]int64{{4, 3, 2, 1}}},
		{"an apply between cycles splits them", concat(
			cycles(5, 2, "exchange-454", operation.Succeeded, "no drift"),
			[]journal.RunRecord{apply(4, operation.Succeeded, "1 applied")},
			cycles(1, 3, "exchange-454", operation.Succeeded, "no drift"),
		), [][]int64{{6, 5}, {4}, {3, 2, 1}}},
		{"applies never fold", []journal.RunRecord{apply(2, operation.Succeeded, "1 applied"), apply(1, operation.Succeeded, "1 applied")}, [][]int64{{2}, {1}}},
		{"another summary splits them", concat(
			cycles(3, 2, "exchange-454", operation.Succeeded, "2 drifted"),
			cycles(1, 2, "exchange-454", operation.Succeeded, "no drift"),
		), [][]int64{{4, 3}, {2, 1}}},
		{"another outcome splits them", concat(
			cycles(3, 2, "exchange-454", operation.Failed, "no drift, 1 host(s) unreachable"),
			cycles(1, 2, "exchange-454", operation.Succeeded, "no drift"),
		), [][]int64{{4, 3}, {2, 1}}},
		{"another playbook splits them", concat(
			cycles(3, 2, "other", operation.Succeeded, "no drift"),
			cycles(1, 2, "exchange-454", operation.Succeeded, "no drift"),
		), [][]int64{{4, 3}, {2, 1}}},
		{"an unfinished cycle stands alone", concat(
			cycles(21, 1, "exchange-454", operation.Running, ""), unfinished, cycles(18, 2, "exchange-454", operation.Running, ""),
		), [][]int64{{21}, {20}, {19}, {18}}},
		{"a cycle with an override stands alone", concat(
			cycles(31, 1, "exchange-454", operation.Succeeded, "no drift"), overridden, cycles(28, 2, "exchange-454", operation.Succeeded, "no drift"),
		), [][]int64{{31}, {30}, {29, 28}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rowIDs(FoldRuns(tt.runs))); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFoldedRowText checks the line of folded cycles: the range of runs,
// when the first started, how many and until when, and their summary.
func TestFoldedRowText(t *testing.T) {
	runs := concat([]journal.RunRecord{apply(43, operation.NotConverged, "3 applied, 0 failed, 0 stale, 0 skipped, 1 not converged, 0 unverified")},
		cycles(1, 42, "exchange-454", operation.Succeeded, "no drift"))
	var b bytes.Buffer
	if err := (History{W: &b}).Runs(runs, "journal.db"); err != nil {
		t.Fatal(err)
	}
	local := func(r journal.RunRecord) string { return r.Started.Local().Format("2006-01-02 15:04:05") }
	want := []string{
		"RUN   STARTED              KIND   OUTCOME        PLAYBOOK      BY           SUMMARY",
		"43    " + local(runs[0]) + "  apply  not converged  exchange-454  alice@adm01  3 applied, 0 failed, 0 stale, 0 skipped, 1 not converged, 0 unverified",
		"1-42  " + local(runs[42]) + "  watch  succeeded      exchange-454  svc@mon01    42 cycles, " + local(runs[42]) + " to " + local(runs[1]) + "; no drift",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

// TestOutcomeWords checks that the outcome history shows agrees with the
// run's summary: a run with nothing failed that did not converge is "not
// converged", never "failed".
func TestOutcomeWords(t *testing.T) {
	tests := []struct {
		run  journal.RunRecord
		want string
	}{
		{journal.RunRecord{Outcome: operation.Succeeded}, "succeeded"},
		{journal.RunRecord{Outcome: operation.Failed}, "failed"},
		{journal.RunRecord{Outcome: operation.NotConverged}, "not converged"},
		{journal.RunRecord{Outcome: operation.Refused}, "refused"},
		{journal.RunRecord{Outcome: operation.Interrupted}, "interrupted"},
		{journal.RunRecord{Outcome: operation.Running}, "running"},
		{journal.RunRecord{Outcome: operation.Running, Unfinished: true}, "unfinished"},
	}
	for _, tt := range tests {
		if got := runOutcome(tt.run); got != tt.want {
			t.Errorf("outcome %q (unfinished %v) shows as %q, want %q", tt.run.Outcome, tt.run.Unfinished, got, tt.want)
		}
	}
}
