package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/views"
)

// historyCommand lists runs from the journal, or shows one.
type historyCommand struct {
	json     bool
	state    string
	limit    int
	drift    bool
	playbook string
	open     bool
}

func (*historyCommand) Synopsis() string { return "List past runs and their changes from the journal" }

func (*historyCommand) Usage() string {
	return `Usage: rectify history [-json] [-state PATH] [RUN]
       rectify history -drift [-playbook NAME] [-open] [-json] [-state PATH]

  Lists the most recent runs (who, when, which playbook, the outcome), or
  with RUN every change of that run: host, step, status, error, and the
  data that undoes it. A run whose process was killed shows as unfinished,
  and its changes that were in flight as in-flight: they may or may not
  have been made; plan again to see what remains.

  With -drift, lists what drifted over time (from rectify watch): each
  instance that planned a change, from when it was first seen until it
  settled, the corrections made, and whether it was marked flapping.`
}

func (c *historyCommand) Flags(fs *flag.FlagSet) {
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
	runs, err := j.Runs(ctx, c.limit)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	return c.show(a, c.view(a).Runs(runs, j.Path()))
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
