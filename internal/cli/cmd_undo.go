package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// undoCommand plans, and applies, the reversal of an earlier run's changes.
type undoCommand struct {
	run            runFlags
	playbook       string
	out            string
	json           bool
	markdown       bool
	autoApprove    bool
	windowOverride string
}

func (*undoCommand) Synopsis() string {
	return "Undo the changes of an earlier run, planned and applied like any change"
}

func (*undoCommand) Usage() string {
	return `Usage: rectify undo -inventory FILE -playbook PLAYBOOK [options] RUN [ADDRESS...]

  Plans the reversal of the changes run RUN (see rectify history) applied,
  or only of the instances ADDRESS names ("step.smtp_spn[ex01]"), last
  change first, from the undo data the journal recorded for each. PLAYBOOK
  is the playbook RUN applied, evaluated now with the inventory: it gives
  every step its configuration, change windows and rollout.

  The undo plan is shown as any plan (-json, -markdown). A change is
  undone only while its object is as the change left it: one changed since
  (by someone else) is shown as blocked, as is a change without undo data
  or that did not complete, each saying why; one already as it was before
  is left alone. With -out the plan is saved for review (rectify show) and
  for rectify apply, which applies it once, as any saved plan, with the
  same checks: every target read again and re-planned, in the change
  window, each change journaled, the hosts locked, and verified after.
  Without -out, undo asks for "yes" (unless -auto-approve) and applies.
  The run is journaled with the kind "undo"; undoing it makes the changes
  again.`
}

func (c *undoCommand) Flags(fs *flag.FlagSet) {
	c.run.register(fs)
	fs.StringVar(&c.playbook, "playbook", "", "the `playbook` (directory or .hcl file) run RUN applied")
	fs.StringVar(&c.out, "out", "", "save the undo plan to `file` instead of applying it")
	fs.BoolVar(&c.json, "json", false, "print the undo plan as JSON (with -out, or to review it)")
	fs.BoolVar(&c.markdown, "markdown", false, "print the undo plan as Markdown for a change ticket")
	fs.BoolVar(&c.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.StringVar(&c.windowOverride, "window-override", "", "undo outside the change windows, for this `reason` (journaled)")
}

func (c *undoCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) < 1 {
		return usageError(a.env.Stderr, "undo", errors.New("expected the RUN whose changes to undo"))
	}
	run, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || run < 1 {
		return usageError(a.env.Stderr, "undo", fmt.Errorf("RUN must be a run number (see rectify history), not %q", args[0]))
	}
	for _, addr := range args[1:] {
		if !strings.HasPrefix(addr, "step.") || !strings.HasSuffix(addr, "]") || !strings.Contains(addr, "[") {
			return usageError(a.env.Stderr, "undo", fmt.Errorf("%q is not an instance address such as step.smtp_spn[ex01]", addr))
		}
	}
	switch {
	case c.playbook == "":
		return usageError(a.env.Stderr, "undo", errors.New("-playbook PLAYBOOK is required: the playbook run "+args[0]+" applied"))
	case c.json && c.markdown:
		return usageError(a.env.Stderr, "undo", errors.New("-json and -markdown exclude each other"))
	case (c.json || c.markdown) && c.out == "" && c.autoApprove:
		return usageError(a.env.Stderr, "undo", errors.New("-json and -markdown show the undo plan for review; save it with -out and apply it with rectify apply"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify undo: cannot find the working directory: %v\n", err)
		return exitError
	}
	lr := a.loadRun("undo", wd, c.playbook, &c.run)
	if lr == nil {
		return exitError
	}
	j := a.openJournal(ctx, "undo", wd, c.run.state)
	if j == nil {
		return exitError
	}
	defer j.Close()
	runner := &operation.Runner{Journal: j, Engine: a.engine(c.run.parallelism), Log: a.log}
	in, err := runner.UndoInput(ctx, operation.UndoRequest{Run: run, Addresses: args[1:]}, lr.input)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify undo: %v; nothing was read or changed\n", err)
		return exitError
	}
	lr.input = in
	conns := connectionsFor(lr.inv, c.run.parallelism, revisits, a.log)
	defer conns.Close()
	var hooks engine.Hooks
	if !c.json && !c.markdown {
		progress := a.progress(a.env.Stderr)
		defer progress.Close()
		hooks = progress
	}
	p, err := runner.Plan(ctx, in, conns, hooks)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify undo: %v\n", err)
		return exitError
	}
	if c.out != "" {
		if err := plans.Write(resolvePath(wd, c.out), p); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify undo: %v\n", err)
			return exitError
		}
	}
	switch {
	case c.json:
		err = views.PlanJSON(a.env.Stdout, p)
	case c.markdown:
		err = views.Markdown(a.env.Stdout, p)
	default:
		err = views.Plan(a.env.Stdout, p, a.style(a.env.Stdout))
		a.writeInstanceDiagnostics(views.PlanDiagnostics(p, views.InputSources(in.Steps)), wd, lr)
	}
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify undo: %v\n", err)
		return exitError
	}
	if c.out != "" || c.json || c.markdown {
		if c.out != "" && !c.json && !c.markdown {
			fmt.Fprintf(a.env.Stdout, "\nSaved the undo plan to %s. Review it with \"rectify show %s\"; apply exactly it with \"rectify apply %s\".\n", c.out, c.out, c.out)
		}
		if p.Summary().Errors > 0 {
			return exitError
		}
		return exitOK
	}
	if !p.HasChanges() {
		fmt.Fprintln(a.env.Stdout, "\nNothing to undo.")
		if p.Summary().Errors > 0 || p.Summary().Blocked > 0 {
			return exitError
		}
		return exitOK
	}
	if !c.autoApprove && !a.confirm("undo") {
		fmt.Fprintln(a.env.Stdout, "\nUndo cancelled; nothing was changed.")
		return exitError
	}
	return a.applyPlan(ctx, wd, p, lr, applyPolicy{windowOverride: c.windowOverride, maxPlanAge: DefaultMaxPlanAge}, &c.run)
}
