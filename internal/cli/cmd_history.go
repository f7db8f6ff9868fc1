package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/operation"
)

// historyCommand lists runs from the journal, or shows one.
type historyCommand struct {
	kind     string
	since    string
	json     bool
	state    string
	limit    int
	drift    bool
	playbook string
	open     bool
}

func (*historyCommand) Synopsis() string { return "List past runs and their changes from the journal" }

func (*historyCommand) Usage() string {
	return `Usage: rectify history [-kind KIND] [-since WHEN] [-n N] [-json] [-state PATH] [RUN]
       rectify history -drift [-playbook NAME] [-open] [-json] [-state PATH]

  Lists the most recent runs (who, when, which playbook, the outcome, what
  they did), or with RUN every change of that run: host, step, status, error, and the
  data that undoes it. A run whose process was killed shows as unfinished,
  and its changes that were in flight as in-flight: they may or may not
  have been made; plan again to see what remains.

  Consecutive drift cycles of a playbook that ended alike (the same
  outcome and summary) are listed as one line, "42 cycles, FROM to TO", so
  that a watcher does not push the applies out of the list; -n counts
  lines. -json lists every run, unfolded, and -n counts runs. -kind keeps
  the runs of one kind (apply, watch, undo); -since those started since a
  duration ago (24h, 90m) or since a date (2026-12-01, or an RFC 3339 time
  such as 2026-12-01T08:00:00+01:00; a date alone is midnight, local time).

  With -drift, lists what drifted over time (from rectify watch): each
  instance that planned a change, from when it was first seen until it
  settled, the corrections made, and whether it was marked flapping.`
}

func (c *historyCommand) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.kind, "kind", "", "list only the runs of this `kind`: "+strings.Join(historyKinds(), ", ")+"; default: every kind")
	fs.StringVar(&c.since, "since", "", "list only the runs started since `when`: a duration ago (24h) or a date (2026-12-01, RFC 3339); default: all")
	fs.BoolVar(&c.json, "json", false, "print as JSON")
	fs.StringVar(&c.state, "state", "", "journal: a `path` or a postgres:// URL (default: the user's state directory)")
	fs.IntVar(&c.limit, "n", 20, "how many runs (or drift episodes) to list")
	fs.BoolVar(&c.drift, "drift", false, "list what drifted over time instead of runs")
	fs.StringVar(&c.playbook, "playbook", "", "with -drift, only this playbook's `name`")
	fs.BoolVar(&c.open, "open", false, "with -drift, only what still drifts")
}

func (c *historyCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) > 1 {
		return usageError(a.env.Stderr, "history", errors.New("expected at most one RUN argument"))
	}
	q, err := c.query(time.Now())
	if err != nil {
		return usageError(a.env.Stderr, "history", err)
	}
	if (c.drift || len(args) == 1) && (c.kind != "" || c.since != "") {
		return usageError(a.env.Stderr, "history", errors.New("-kind and -since select runs to list; they do not go with RUN or -drift"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	j := a.openJournal(ctx, "history", wd, c.state)
	if j == nil {
		return exitError
	}
	defer j.Close()
	if c.drift {
		if len(args) != 0 {
			return usageError(a.env.Stderr, "history", errors.New("-drift takes no RUN argument"))
		}
		return c.showDrift(ctx, a, j)
	}
	if len(args) == 1 {
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return usageError(a.env.Stderr, "history", fmt.Errorf("RUN must be a run number, not %q", args[0]))
		}
		return c.showRun(ctx, a, j, id)
	}
	if c.json {
		q.Limit = c.limit
		runs, err := j.FindRuns(ctx, q)
		if err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
			return exitError
		}
		return c.show(a, c.view(a).Runs(runs, j.Path()))
	}
	rows, err := foldedRows(ctx, j, q, c.limit)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	return c.show(a, c.view(a).Rows(rows, j.Path()))
}

// historyKinds are the kinds of runs -kind takes.
func historyKinds() []string {
	return []string{string(operation.KindApply), string(operation.KindWatch), string(operation.KindUndo)}
}

// query is the runs the flags select; now is the time -since counts back
// from.
func (c *historyCommand) query(now time.Time) (journal.RunQuery, error) {
	var q journal.RunQuery
	if c.limit < 1 {
		return q, fmt.Errorf("-n %d: list at least one", c.limit)
	}
	if c.kind != "" {
		switch {
		case c.kind == "plan":
			// A plan changes nothing and takes no lock: it is no run.
			return q, fmt.Errorf("-kind plan: a plan is not journaled as a run; the kinds of runs are %s", strings.Join(historyKinds(), ", "))
		case !slices.Contains(historyKinds(), c.kind):
			return q, fmt.Errorf("-kind %q: the kinds of runs are %s", c.kind, strings.Join(historyKinds(), ", "))
		}
		q.Kind = operation.Kind(c.kind)
	}
	if c.since != "" {
		t, err := parseSince(c.since, now)
		if err != nil {
			return q, err
		}
		q.Since = t
	}
	return q, nil
}

// parseSince reads -since: a duration back from now, an RFC 3339 time, or
// a date (midnight, local time).
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("-since %s: give a positive duration, such as 24h", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("-since %q is neither a duration (24h, 90m) nor a date (2026-12-01) or RFC 3339 time (2026-12-01T08:00:00Z)", s)
}

// historyPage is how many runs foldedRows reads at a time.
const historyPage = 500

// foldedRows reads the runs q selects, newest first, and folds them into
// at most limit rows, reading on until the last row is complete: a row of
// folded cycles may span many pages.
func foldedRows(ctx context.Context, j *journal.Journal, q journal.RunQuery, limit int) ([]views.RunRow, error) {
	var runs []journal.RunRecord
	q.Limit = historyPage
	for {
		page, err := j.FindRuns(ctx, q)
		if err != nil {
			return nil, err
		}
		runs = append(runs, page...)
		// One row more than shown proves the last shown one complete.
		if rows := views.FoldRuns(runs); len(rows) > limit || len(page) < q.Limit {
			return rows[:min(limit, len(rows))], nil
		}
		q.Before = page[len(page)-1].ID
	}
}

// view is the history's view: text, or JSON with -json.
func (c *historyCommand) view(a *app) views.History {
	return views.History{W: a.env.Stdout, JSON: c.json}
}

// show reports a failure to write the history.
func (c *historyCommand) show(a *app, err error) int {
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	return exitOK
}

func (c *historyCommand) showRun(ctx context.Context, a *app, j *journal.Journal, id int64) int {
	r, changes, err := j.Run(ctx, id)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	return c.show(a, c.view(a).Run(r, changes))
}

// showDrift lists drift episodes, newest first.
func (c *historyCommand) showDrift(ctx context.Context, a *app, j *journal.Journal) int {
	recs, err := j.DriftHistory(ctx, journal.DriftQuery{Playbook: c.playbook, Open: c.open, Limit: c.limit})
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	return c.show(a, c.view(a).Drift(recs))
}
