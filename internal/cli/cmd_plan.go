package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// Exit code of plan -detailed-exitcode when the plan has changes.
const exitChanges = 2

// planCommand reads every target and shows what apply would change.
type planCommand struct {
	run          runFlags
	out          string
	json         bool
	detailedExit bool
}

func (*planCommand) Synopsis() string {
	return "Read the hosts and show the changes the playbook calls for"
}

func (*planCommand) Usage() string {
	return `Usage: rectify plan -inventory FILE [options] PLAYBOOK

  Reads the live state of every host the playbook targets (one command per
  host) and shows what apply would change, why, the risk and how to undo
  it. Nothing is changed. With -out, the plan is saved for review
  (rectify show) and for apply, which makes exactly those changes.

  Exit status: 0 the plan was made (with or without changes), 1 an error
  (a host or instance that could not be read or planned, a playbook or
  inventory with errors), 2 a mistake in the command line. With
  -detailed-exitcode, as Terraform's: 0 no changes, 2 changes, 1 any
  error, a mistake in the command line included.`
}

func (c *planCommand) Flags(fs *flag.FlagSet) {
	c.run.register(fs)
	fs.StringVar(&c.out, "out", "", "save the plan to `file`")
	fs.BoolVar(&c.json, "json", false, "print the plan as JSON")
	fs.BoolVar(&c.detailedExit, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
}

func (c *planCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 1 {
		return c.usage(a, errors.New("expected one PLAYBOOK argument (a directory or a .hcl file)"))
	}
	if err := c.run.check(); err != nil {
		return c.usage(a, err)
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify plan: cannot find the working directory: %v\n", err)
		return exitError
	}
	lr := a.loadRun("plan", wd, args[0], &c.run)
	if lr == nil {
		return exitError
	}
	p, err := a.makePlan(ctx, wd, lr, &c.run, !c.json)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify plan: %v\n", err)
		return exitError
	}
	if c.out != "" {
		if err := plans.Write(resolvePath(wd, c.out), p); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify plan: %v\n", err)
			return exitError
		}
		if p.RequiredApprovals > 0 && !a.registerPlan(ctx, wd, c.out, p, &c.run) {
			return exitError
		}
	}
	if c.json {
		if err := views.PlanJSON(a.env.Stdout, p); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify plan: %v\n", err)
			return exitError
		}
	} else {
		if err := views.Plan(a.env.Stdout, p, a.style(a.env.Stdout)); err != nil {
			return exitError
		}
		a.writeInstanceDiagnostics(views.PlanDiagnostics(p, views.InputSources(lr.input.Steps)), wd, lr)
		if c.out != "" {
			fmt.Fprintf(a.env.Stdout, "\nSaved the plan to %s. Review it with \"rectify show %s\"; apply exactly it with \"rectify apply %s\".\n", c.out, c.out, c.out)
		}
	}
	errs := p.Summary().Errors
	switch {
	case errs > 0:
		return exitError
	case c.detailedExit && p.HasChanges():
		return exitChanges
	}
	return exitOK
}

// usage reports a mistake in the command line. With -detailed-exitcode it
// exits 1, as every error then does: 2 means only that the plan has
// changes.
func (c *planCommand) usage(a *app, err error) int {
	code := usageError(a.env.Stderr, "plan", err)
	if c.detailedExit {
		return exitError
	}
	return code
}

// makePlan reads the hosts and plans, with what the journal remembers of
// earlier changes (for temporary values) when there is a journal. A journal
// that exists but cannot be read fails the plan: planning without it would
// miss the reverts that are due.
func (a *app) makePlan(ctx context.Context, wd string, lr *loadedRun, f *runFlags, progress bool) (*plans.Plan, error) {
	runner := &operation.Runner{Engine: a.engine(f.parallelism), Log: a.log}
	// The plan's author is the person the journal knows, or the OS
	// account when there is no journal yet.
	author := journal.OSAccount()
	if path, err := a.journalPath(wd, f.state); err == nil {
		if _, statErr := os.Lstat(path); statErr == nil || journal.IsURL(path) {
			j, err := journal.Open(ctx, path)
			if err != nil {
				return nil, err
			}
			defer j.Close()
			runner.Journal = j
			author = j.Identity()
		}
	}
	hl := newHintLog()
	conns := hintConns{Connections: connectionsFor(lr.inv, f.parallelism, visitsOnce, a.log), log: hl}
	defer conns.Close()
	var hooks engine.Hooks
	if progress {
		p := a.progress(a.env.Stderr)
		defer p.Close()
		hooks = p
	}
	p, err := runner.Plan(ctx, lr.input, conns, hl.hooks(hooks))
	// What to do about hosts and directories that refused rectify, where
	// the fix is known, follows the plan's progress.
	writeHints(a.env.Stderr, hl.hints(lr.inv))
	if p != nil {
		p.Author = author
	}
	return p, err
}

// engine returns the engine of one command.
func (a *app) engine(parallelism int) *engine.Engine {
	return &engine.Engine{Registry: a.env.Actions, Parallelism: parallelism, Version: version(a.env.Version)}
}

// style colours output written to w when w is a terminal.
func (a *app) style(w io.Writer) views.Style {
	return views.Style{Color: a.color(w)}
}
