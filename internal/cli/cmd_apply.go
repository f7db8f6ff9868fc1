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

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// applyCommand makes a plan's changes.
type applyCommand struct {
	run            runFlags
	autoApprove    bool
	windowOverride string
}

func (*applyCommand) Synopsis() string {
	return "Make the planned changes, in the change window, and verify them"
}

func (*applyCommand) Usage() string {
	return `Usage: rectify apply [options] PLAN
       rectify apply -inventory FILE [options] PLAYBOOK

  With a saved PLAN (rectify plan -out), makes exactly its changes; the
  playbook is not read again, and a plan whose playbook or inventory
  changed since is refused. With a PLAYBOOK, plans, shows the plan and asks
  for "yes" (unless -auto-approve) before changing anything.

  Before each change the target is read again: a target that moved since
  the plan is left alone as stale. Changes run step by step in the
  playbook's rollout batches, each batch verified by planning it again.
  Outside the playbook's change windows apply refuses unless given
  -window-override with a reason, which is journaled. Every change is
  journaled before and after it is made; see rectify history.

  Interrupting (Ctrl-C, SIGTERM, or a dropped session: SIGHUP, a closed
  output) starts no new change, lets running ones finish, records
  everything and exits 1.`
}

func (c *applyCommand) Flags(fs *flag.FlagSet) {
	c.run.register(fs)
	fs.BoolVar(&c.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.StringVar(&c.windowOverride, "window-override", "", "apply outside the change windows, for this `reason` (journaled)")
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
	var (
		p        *plans.Plan
		inv      *inventory.Inventory
		hosts    []actions.Host
		pbDigest string
	)
	if path := resolvePath(wd, args[0]); isPlanFile(path) {
		if p, err = plans.Read(path); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %s: %v\n", args[0], err)
			return exitError
		}
		invPath := p.Inventory.Path
		if c.run.inventory != "" {
			invPath = resolvePath(wd, c.run.inventory)
		}
		loaded, idiags := inventory.Load(invPath, a.env.LookupEnv)
		if idiags.HasErrors() || loaded == nil {
			_ = a.writeDiagnostics(a.env.Stderr, idiags, wd, sources{})
			fmt.Fprintf(a.env.Stderr, "\nrectify apply: the inventory %s cannot be loaded; nothing was changed.\n", invPath)
			return exitError
		}
		inv, hosts = loaded, loaded.Hosts()
		if pbDigest, err = playbooks.Digest(p.Playbook.Path); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: the playbook the plan was made from cannot be read: %v; make a new plan\n", err)
			return exitError
		}
	} else {
		lr := a.loadRun("apply", wd, args[0], &c.run)
		if lr == nil {
			return exitError
		}
		if p, err = a.makePlan(ctx, wd, lr, &c.run, true); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %v\n", err)
			return exitError
		}
		if err := views.Plan(a.env.Stdout, p, a.style(a.env.Stdout)); err != nil {
			return exitError
		}
		if !p.HasChanges() {
			return exitOK
		}
		if !c.autoApprove && !a.confirm() {
			fmt.Fprintln(a.env.Stdout, "\nApply cancelled; nothing was changed.")
			return exitError
		}
		inv, hosts, pbDigest = lr.inv, lr.hosts, lr.resolved.Playbook.Digest
	}
	return a.applyPlan(ctx, wd, p, inv, hosts, pbDigest, c.windowOverride, &c.run)
}

// isPlanFile reports whether path names a saved plan rather than a
// playbook: a regular file that is not a .hcl file.
func isPlanFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && !strings.EqualFold(filepath.Ext(path), ".hcl")
}

// confirm asks the operator to type yes; without a terminal it refuses.
func (a *app) confirm() bool {
	w, ok := a.env.Stdin.(io.Writer)
	if !ok || !a.env.IsTerminal(w) {
		fmt.Fprintln(a.env.Stderr, "\nrectify apply: not asking for confirmation without a terminal; review the plan and run again with -auto-approve")
		return false
	}
	fmt.Fprint(a.env.Stdout, "\nDo you want to make these changes?\n  Only 'yes' will be accepted: ")
	line, _ := bufio.NewReader(a.env.Stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// applyPlan journals and runs an apply of p.
func (a *app) applyPlan(ctx context.Context, wd string, p *plans.Plan, inv *inventory.Inventory, hosts []actions.Host, pbDigest, override string, f *runFlags) int {
	j := a.openJournal(ctx, "apply", wd, f.state)
	if j == nil {
		return exitError
	}
	defer j.Close()
	planDigest, err := plans.Digest(p)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify apply: %v\n", err)
		return exitError
	}
	run, err := j.StartRun(ctx, journal.RunInfo{
		Kind: journal.KindApply, Playbook: p.Playbook.Name, PlaybookDigest: pbDigest,
		Inventory: inv.Path(), InventoryDigest: inv.Digest(), PlanDigest: planDigest, WindowOverride: override,
	})
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify apply: nothing was changed: %v\n", err)
		return exitError
	}
	finish := func(outcome, summary string) {
		if err := run.Finish(context.WithoutCancel(ctx), outcome, summary); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %v\n", err)
		}
	}
	lease, err := j.LockHosts(ctx, run, changedHosts(p, hosts))
	if err != nil {
		finish(journal.OutcomeRefused, err.Error())
		fmt.Fprintf(a.env.Stderr, "rectify apply: nothing was changed: %v\n", err)
		return exitError
	}
	defer func() {
		if err := lease.Release(ctx); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify apply: %v\n", err)
		}
	}()
	applyCtx, stopApply := journal.WithLease(ctx, lease)
	defer stopApply()
	if override != "" {
		a.log.Info().Str("reason", override).Int64("run", run.ID).Msg("change window override")
		fmt.Fprintf(a.env.Stdout, "\nThe change windows are overridden: %q (journaled with run %d).\n", override, run.ID)
	}

	conns := connectionsFor(inv, a.log)
	defer conns.Close()
	e := a.engine(f.parallelism)
	e.Hooks = views.NewProgress(a.env.Stdout, a.style(a.env.Stdout), a.env.IsTerminal(a.env.Stdout))
	fmt.Fprintf(a.env.Stdout, "\nApplying (run %d)...\n", run.ID)
	res, err := e.Apply(applyCtx, p, conns, engine.ApplyOptions{
		Hosts: hosts, PlaybookDigest: pbDigest, InventoryDigest: inv.Digest(),
		WindowOverride: override, Journal: run,
	})
	if err != nil {
		finish(journal.OutcomeRefused, err.Error())
		fmt.Fprintf(a.env.Stderr, "rectify apply: nothing was changed: %v\n", err)
		return exitError
	}
	views.ApplySummary(a.env.Stdout, res, a.style(a.env.Stdout))
	summary := fmt.Sprintf("%d applied, %d failed, %d stale, %d skipped, %d not converged, %d unverified",
		res.Count(plans.Applied), res.Count(plans.Failed), res.Count(plans.Stale), res.Count(plans.Skipped), len(res.NotConverged), len(res.Unverified))
	switch {
	case ctx.Err() != nil:
		finish(journal.OutcomeInterrupted, summary)
		fmt.Fprintf(a.env.Stdout, "Interrupted; the journal (run %d) records every change made and in flight.\n", run.ID)
		return exitError
	case applyCtx.Err() != nil:
		finish(journal.OutcomeInterrupted, summary)
		fmt.Fprintf(a.env.Stdout, "Stopped: %v; the journal (run %d) records every change made and in flight.\n", context.Cause(applyCtx), run.ID)
		return exitError
	case res.OK():
		finish(journal.OutcomeSucceeded, summary)
		return exitOK
	default:
		finish(journal.OutcomeFailed, summary)
		return exitError
	}
}
