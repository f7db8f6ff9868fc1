package views

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
)

// RunRow is one line of the run list: a run, or consecutive drift cycles
// of one playbook that ended alike, folded into one line so that a
// watcher's cycles do not push the applies out of the list.
type RunRow struct {
	// Runs are the run or the folded cycles, newest first.
	Runs []journal.RunRecord
}

// Newest is the row's most recent run.
func (r RunRow) Newest() journal.RunRecord { return r.Runs[0] }

// Oldest is the row's first run.
func (r RunRow) Oldest() journal.RunRecord { return r.Runs[len(r.Runs)-1] }

// Folded reports whether the row stands for more than one run.
func (r RunRow) Folded() bool { return len(r.Runs) > 1 }

// FoldRuns folds runs (newest first) into rows: consecutive drift cycles
// of the same playbook with the same outcome and summary become one row;
// every other run is a row of its own.
func FoldRuns(runs []journal.RunRecord) []RunRow {
	var rows []RunRow
	for _, r := range runs {
		if n := len(rows); n > 0 && foldable(rows[n-1].Newest(), r) {
			rows[n-1].Runs = append(rows[n-1].Runs, r)
			continue
		}
		rows = append(rows, RunRow{Runs: []journal.RunRecord{r}})
	}
	return rows
}

// foldable reports whether run b goes on the line of run a: both finished
// drift cycles of one playbook that ended with the same outcome and the
// same summary. Cycles that overrode a window, or are unfinished, stand
// alone, as does everything that is not a drift cycle.
func foldable(a, b journal.RunRecord) bool {
	cycle := func(r journal.RunRecord) bool {
		return r.Kind == operation.KindWatch && !r.Unfinished && r.Outcome != operation.Running && r.WindowOverride == ""
	}
	return cycle(a) && cycle(b) && a.Playbook == b.Playbook && a.Outcome == b.Outcome && a.Summary == b.Summary
}

// runColumn is one column of the run list: its header and its value for a
// row. A column is added to the list by adding it to runColumns.
type runColumn struct {
	header string
	value  func(RunRow) string
}

// timeLayout is how the run list writes times, in the local zone.
const timeLayout = "2006-01-02 15:04:05"

// runColumns are the columns of the run list, in order. The last one is
// free text and is not padded.
var runColumns = []runColumn{
	{"RUN", func(r RunRow) string {
		if r.Folded() {
			return fmt.Sprintf("%d-%d", r.Oldest().ID, r.Newest().ID)
		}
		return fmt.Sprint(r.Newest().ID)
	}},
	{"STARTED", func(r RunRow) string { return r.Oldest().Started.Local().Format(timeLayout) }},
	{"KIND", func(r RunRow) string { return string(r.Newest().Kind) }},
	{"OUTCOME", func(r RunRow) string { return runOutcome(r.Newest()) }},
	{"PLAYBOOK", func(r RunRow) string { return r.Newest().Playbook }},
	{"BY", func(r RunRow) string { return r.Newest().User + "@" + r.Newest().Machine }},
	{"SUMMARY", runSummary},
}

// runSummary is the last column: what the run did, or for folded cycles
// how many there were and until when, the overrides given, and who
// planned, approved and applied it.
func runSummary(r RunRow) string {
	n := r.Newest()
	var parts []string
	if r.Folded() {
		parts = append(parts, fmt.Sprintf("%d cycles, %s to %s", len(r.Runs),
			r.Oldest().Started.Local().Format(timeLayout), n.Started.Local().Format(timeLayout)))
	}
	if n.Summary != "" {
		parts = append(parts, n.Summary)
	}
	if n.WindowOverride != "" {
		parts = append(parts, fmt.Sprintf("window override: %q", n.WindowOverride))
	}
	if n.PlanAgeOverride != "" {
		parts = append(parts, fmt.Sprintf("plan age override: %q", n.PlanAgeOverride))
	}
	if who := whoLine(n); who != "" {
		parts = append(parts, who)
	}
	return strings.Join(parts, "; ")
}

// writeRunRows writes rows under a header, one line each, in aligned
// columns, with no spaces at the ends of lines.
func writeRunRows(w io.Writer, rows []RunRow) error {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	cells := make([]string, len(runColumns))
	for i, c := range runColumns {
		cells[i] = c.header
	}
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
	for _, r := range rows {
		for i, c := range runColumns {
			cells[i] = c.value(r)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(b.String()) {
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " \n")); err != nil {
			return err
		}
	}
	return nil
}

// runOutcome is a run's outcome in the words history uses: a run whose
// process is gone without finishing it is unfinished, and one whose every
// change was made but did not all converge is "not converged", as its
// summary says.
func runOutcome(r journal.RunRecord) string {
	switch {
	case r.Unfinished:
		return "unfinished"
	case r.Outcome == operation.NotConverged:
		return "not converged"
	}
	return string(r.Outcome)
}
