package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// DefaultMaxPlanAge is how old a saved plan apply takes without an
// override: a change window is a day at most.
const DefaultMaxPlanAge = 24 * time.Hour

// applyCommand makes a plan's changes.
type applyCommand struct {
	run             runFlags
	autoApprove     bool
	windowOverride  string
	maxPlanAge      time.Duration
	planAgeOverride string
	json            bool
}

func (*applyCommand) Synopsis() string {
	return "Make the planned changes, in the change window, and verify them"
}

func (*applyCommand) Usage() string {
	return `Usage: rectify apply [options] PLAN
       rectify apply -inventory FILE [options] PLAYBOOK

  With a saved PLAN (rectify plan -out), makes exactly its changes and
  nothing else. The plan is the reviewed expectation, never the source of
  what runs: the playbook and inventory it names are evaluated again (with
  the variables the plan records) and refused if they differ from the
  plan's; every host is read and re-planned, and the whole plan is refused
  if any change it would make is not what the playbook calls for. A plan is
  applied once, and not when older than -max-plan-age. -var, -var-file and
  -limit do not go with a saved plan: plan again with them. A sensitive
  variable given when the plan was made is read from RECTIFY_VAR_<name>
  and must have the same value.

  With a PLAYBOOK, plans, shows the plan and asks for "yes" (unless
  -auto-approve) before changing anything.

  Before each change the target is read again and the change planned
  again: a target that moved since the plan is left alone as stale, a
  change that is no longer the planned one is left alone as differing.
  Changes run step by step in the playbook's rollout batches, each batch
  verified by planning it again.
  Outside the playbook's change windows apply refuses unless given
  -window-override with a reason, which is journaled. Every change is
  journaled before and after it is made; see rectify history.

  Interrupting (Ctrl-C, SIGTERM, or a dropped session: SIGHUP, a closed
  output) starts no new change, lets running ones finish, records
  everything and exits 3 when some change was made, 1 when none was.

  With -json, apply writes one JSON object per line and event (the plan it
  made, each host read, each change as it starts and ends, how the run
  ended) instead of text; with a PLAYBOOK it then needs -auto-approve.`
}

func (c *applyCommand) Flags(fs *flag.FlagSet) {
	c.run.register(fs)
	fs.BoolVar(&c.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.StringVar(&c.windowOverride, "window-override", "", "apply outside the change windows, for this `reason` (journaled)")
	fs.DurationVar(&c.maxPlanAge, "max-plan-age", DefaultMaxPlanAge, "refuse a saved plan made longer ago than this `duration`")
	fs.StringVar(&c.planAgeOverride, "plan-age-override", "", "apply a saved plan older than -max-plan-age, for this `reason` (journaled)")
	fs.BoolVar(&c.json, "json", false, "write the apply's events as JSON lines (with a PLAYBOOK, requires -auto-approve)")
}

func (c *applyCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 1 {
		return usageError(a.env.Stderr, "apply", errors.New("expected one PLAN or PLAYBOOK argument"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify apply: cannot find the working directory: %v\n", err)
		return exitError
	}
	if c.maxPlanAge < 0 {
		return usageError(a.env.Stderr, "apply", errors.New("-max-plan-age must not be negative"))
	}
	var (
		p  *plans.Plan
		lr *loadedRun
	)
	pol := applyPolicy{windowOverride: c.windowOverride, maxPlanAge: c.maxPlanAge, planAgeOverride: c.planAgeOverride, json: c.json}
	if path := resolvePath(wd, args[0]); isPlanFile(path) {
		if err := savedPlanFlags(&c.run); err != nil {
			return usageError(a.env.Stderr, "apply", err)
		}
		if p, err = plans.Read(path); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %s: %v\n", args[0], err)
			return exitError
		}
		if lr = a.loadSaved(wd, p, &c.run); lr == nil {
			return exitError
		}
	} else {
		if err := c.run.check(); err != nil {
			return usageError(a.env.Stderr, "apply", err)
		}
		if c.json && !c.autoApprove {
			return usageError(a.env.Stderr, "apply", errors.New("-json with a PLAYBOOK requires -auto-approve: there is no one to confirm the plan; or apply a saved plan"))
		}
		if lr = a.loadRun("apply", wd, args[0], &c.run); lr == nil {
			return exitError
		}
		if p, err = a.makePlan(ctx, wd, lr, &c.run, !c.json); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %v\n", err)
			return exitError
		}
		if c.json {
			views.NewApplyJSON(a.env.Stdout).Planned(p)
		} else {
			if err := views.Plan(a.env.Stdout, p, a.style(a.env.Stdout)); err != nil {
				return exitError
			}
			a.writeInstanceDiagnostics(views.PlanDiagnostics(p, views.InputSources(lr.input.Steps)), wd, lr)
		}
		if !p.HasChanges() {
			// Nothing to change, but an instance that could not be planned
			// (its host unreachable) is no success.
			if p.Summary().Errors > 0 {
				return exitError
			}
			return exitOK
		}
		if !c.autoApprove && !a.confirm("apply") {
			fmt.Fprintln(a.env.Stdout, "\nApply cancelled; nothing was changed.")
			return exitError
		}
	}
	return a.applyPlan(ctx, wd, p, lr, pol, &c.run)
}

// savedPlanFlags refuses the flags that would make apply do other than
// the saved plan says: a plan is applied whole, with the values it was
// made with (as Terraform refuses -var with a saved plan).
func savedPlanFlags(f *runFlags) error {
	switch {
	case f.vars.err != nil || len(f.vars.values) > 0:
		return errors.New("-var cannot be used with a saved plan: the plan was made with its variables' values; plan again with -var to change them")
	case len(f.varFiles) > 0:
		return errors.New("-var-file cannot be used with a saved plan: the plan was made with its variables' values; plan again with -var-file to change them")
	case f.limit != "":
		return errors.New("-limit cannot be used with a saved plan: a saved plan is applied whole, as reviewed; make a plan with -limit and apply that one")
	case f.parallelism < 1:
		return errors.New("-parallelism must be at least 1")
	}
	return nil
}

// loadSaved evaluates the playbook and inventory a saved plan names (the
// inventory given with -inventory, if any), with the plan's salt, limit
// and variables, for apply to check the plan against and to take every
// change from. It returns nil after reporting why it cannot.
func (a *app) loadSaved(wd string, p *plans.Plan, f *runFlags) *loadedRun {
	spec := loadSpec{inventory: p.Inventory.Path, playbook: p.Playbook.Path, limit: p.Inventory.Limit, salt: p.Salt,
		values: map[string]cty.Value{}, secretVars: map[string]string{}}
	if f.inventory != "" {
		spec.inventory = resolvePath(wd, f.inventory)
	}
	hashes := map[string]string{}
	for _, v := range p.Variables {
		if v.Hash != "" {
			env := "RECTIFY_VAR_" + v.Name
			text, ok := a.env.LookupEnv(env)
			if !ok {
				fmt.Fprintf(a.env.Stderr, "rectify apply: the plan was made with a value for the sensitive variable %q, which a plan does not keep; "+
					"set the environment variable %s to that value; nothing was read or changed\n", v.Name, env)
				return nil
			}
			spec.secretVars[v.Name], hashes[v.Name] = text, v.Hash
			continue
		}
		val, err := engine.GivenValue(v)
		if err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %v; nothing was read or changed\n", err)
			return nil
		}
		spec.values[v.Name] = val
	}
	lr := a.load("apply", wd, spec)
	if lr == nil {
		fmt.Fprintf(a.env.Stderr, "rectify apply: the playbook %s and inventory %s the plan was made from cannot be evaluated; make a new plan\n", p.Playbook.Path, spec.inventory)
		return nil
	}
	for name, want := range hashes {
		got, err := engine.VariableHash(lr.resolved.Given[name], p.Salt)
		if err != nil || got != want {
			fmt.Fprintf(a.env.Stderr, "rectify apply: RECTIFY_VAR_%s is not the value the plan was made with; nothing was read or changed\n", name)
			return nil
		}
	}
	return lr
}

// isPlanFile reports whether path names a saved plan rather than a
// playbook: a regular file that is not a .hcl file.
func isPlanFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && !strings.EqualFold(filepath.Ext(path), ".hcl")
}

// confirm asks the operator of command cmd to type yes; without a
// terminal it refuses.
func (a *app) confirm(cmd string) bool {
	w, ok := a.env.Stdin.(io.Writer)
	if !ok || !a.env.IsTerminal(w) {
		fmt.Fprintln(a.env.Stderr, "\nrectify "+cmd+": not asking for confirmation without a terminal; review the plan and run again with -auto-approve")
		return false
	}
	fmt.Fprint(a.env.Stdout, "\nDo you want to make these changes?\n  Only 'yes' will be accepted: ")
	line, _ := bufio.NewReader(a.env.Stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// applyPolicy is what the operator allows an apply, and how it is shown.
type applyPolicy struct {
	windowOverride  string
	maxPlanAge      time.Duration
	planAgeOverride string
	// json shows the apply as JSON lines.
	json bool
}

// applyPlan applies p as one operation, taking every change from lr,
// the playbook and inventory evaluated now.
func (a *app) applyPlan(ctx context.Context, wd string, p *plans.Plan, lr *loadedRun, pol applyPolicy, f *runFlags) int {
	j := a.openJournal(ctx, "apply", wd, f.state)
	if j == nil {
		return exitError
	}
	defer j.Close()
	hl := newHintLog()
	conns := hintConns{Connections: connectionsFor(lr.inv, f.parallelism, revisits, a.log), log: hl}
	defer conns.Close()
	text := views.NewApply(a.env.Stdout, a.env.Stderr, a.style(a.env.Stdout), a.env.IsTerminal(a.env.Stdout), "rectify apply")
	text.NewTicker = a.env.ProgressTicker
	defer text.Close()
	var view operation.ApplyView = text
	if pol.json {
		view = views.NewApplyJSON(a.env.Stdout)
	}
	runner := &operation.Runner{Journal: j, Engine: a.engine(f.parallelism), Log: a.log}
	req := operation.ApplyRequest{
		Plan: p, Input: lr.input, Conns: conns,
		WindowOverride: pol.windowOverride, MaxPlanAge: pol.maxPlanAge, PlanAgeOverride: pol.planAgeOverride,
		View: hintApplyView{ApplyView: view, log: hl},
	}
	if p.Undo != nil {
		// An undo plan's changes come from the journal's record of the run
		// it undoes (see rectify undo).
		req.Kind = operation.KindUndo
		if lr.input.Undo == nil {
			in, err := runner.UndoInput(ctx, operation.UndoRequest{Run: p.Undo.Run, Addresses: p.Undo.Addresses}, lr.input)
			if err != nil {
				fmt.Fprintf(a.env.Stderr, "rectify apply: %v; nothing was read or changed\n", err)
				return exitError
			}
			req.Input = in
		}
	}
	res := runner.Apply(ctx, req)
	writeHints(a.env.Stderr, hl.hints(lr.inv))
	if res.Applied != nil && !pol.json {
		// Changes that did not take point at their steps, as load errors do.
		a.writeInstanceDiagnostics(views.ApplyDiagnostics(res.Applied, views.InputSources(lr.input.Steps)), wd, lr)
	}
	return exitFor(res.Status)
}
