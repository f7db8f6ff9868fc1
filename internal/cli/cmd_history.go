package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/plans"
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
	fs.StringVar(&c.state, "state", "", "journal `path` (default: the user's state directory)")
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
	if c.json {
		return writeJSON(a, runs)
	}
	if len(runs) == 0 {
		fmt.Fprintf(a.env.Stdout, "No runs in the journal %s yet.\n", j.Path())
		return exitOK
	}
	for _, r := range runs {
		fmt.Fprintf(a.env.Stdout, "%5d  %s  %-6s %-10s %-22s %s@%s", r.ID, r.Started.Local().Format("2006-01-02 15:04:05"), r.Kind, outcome(r), r.Playbook, r.User, r.Machine)
		if r.WindowOverride != "" {
			fmt.Fprintf(a.env.Stdout, "  window override: %q", r.WindowOverride)
		}
		if r.PlanAgeOverride != "" {
			fmt.Fprintf(a.env.Stdout, "  plan age override: %q", r.PlanAgeOverride)
		}
		fmt.Fprintln(a.env.Stdout)
	}
	return exitOK
}

func outcome(r journal.RunRecord) string {
	if r.Unfinished {
		return "unfinished"
	}
	return r.Outcome
}

func (c *historyCommand) showRun(ctx context.Context, a *app, j *journal.Journal, id int64) int {
	r, changes, err := j.Run(ctx, id)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	if c.json {
		return writeJSON(a, struct {
			Run     journal.RunRecord      `json:"run"`
			Changes []journal.ChangeRecord `json:"changes"`
		}{r, changes})
	}
	w := a.env.Stdout
	fmt.Fprintf(w, "Run %d: %s of %s, %s\n", r.ID, r.Kind, r.Playbook, outcome(r))
	fmt.Fprintf(w, "  by %s on %s (pid %d), %s", r.User, r.Machine, r.PID, r.Started.Local().Format(time.RFC3339))
	if !r.Finished.IsZero() {
		fmt.Fprintf(w, " to %s", r.Finished.Local().Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  playbook %s, inventory %s (%s), plan %s\n", plans.ShortDigest(r.PlaybookDigest), r.Inventory, plans.ShortDigest(r.InventoryDigest), plans.ShortDigest(r.PlanDigest))
	if r.WindowOverride != "" {
		fmt.Fprintf(w, "  change window overridden: %q\n", r.WindowOverride)
	}
	if r.PlanAgeOverride != "" {
		fmt.Fprintf(w, "  plan age limit overridden: %q\n", r.PlanAgeOverride)
	}
	if r.Summary != "" {
		fmt.Fprintf(w, "  %s\n", r.Summary)
	}
	if r.Unfinished {
		fmt.Fprintln(w, "  The process ended without finishing this run (killed?). In-flight changes may or may not have been made: plan again to see what remains.")
	}
	fmt.Fprintln(w)
	for _, ch := range changes {
		fmt.Fprintf(w, "  %-9s %s (%s) %s\n", ch.Status, ch.Address, ch.Action, ch.Object)
		if ch.Error != "" {
			fmt.Fprintf(w, "            %s\n", ch.Error)
		}
		for _, m := range ch.Messages {
			fmt.Fprintf(w, "            %s\n", m)
		}
		if len(ch.Undo) > 0 {
			fmt.Fprintf(w, "            undo data: %s\n", ch.Undo)
		}
	}
	return exitOK
}

func writeJSON(a *app, v any) int {
	enc := json.NewEncoder(a.env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify: %v\n", err)
		return exitError
	}
	return exitOK
}

// showDrift lists drift episodes, newest first.
func (c *historyCommand) showDrift(ctx context.Context, a *app, j *journal.Journal) int {
	recs, err := j.DriftHistory(ctx, journal.DriftQuery{Playbook: c.playbook, Open: c.open, Limit: c.limit})
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify history: %v\n", err)
		return exitError
	}
	if c.json {
		return writeJSON(a, recs)
	}
	if len(recs) == 0 {
		fmt.Fprintln(a.env.Stdout, "No drift recorded.")
		return exitOK
	}
	w := a.env.Stdout
	for _, r := range recs {
		state := "settled " + r.Resolved.Local().Format("2006-01-02 15:04:05")
		if r.Open() {
			state = "still drifting"
		}
		if r.Flapping {
			state += ", FLAPPING since " + r.FlappingSince.Local().Format("2006-01-02 15:04:05") + " (not corrected until cleared: rectify watch -clear-flapping " + r.Address + ")"
		}
		fmt.Fprintf(w, "%s (%s) %s: %s\n", r.Address, r.Action, r.Object, state)
		fmt.Fprintf(w, "    first seen %s, last seen %s (run %d), %d correction(s)\n",
			r.FirstSeen.Local().Format("2006-01-02 15:04:05"), r.LastSeen.Local().Format("2006-01-02 15:04:05"), r.LastRunID, len(r.Corrections))
	}
	return exitOK
}
