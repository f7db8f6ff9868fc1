package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// approveCommand records a person's approval of a saved plan.
type approveCommand struct {
	state string
}

func (*approveCommand) Synopsis() string {
	return "Approve a saved plan, for a playbook that requires approvals"
}

func (*approveCommand) Usage() string {
	return `Usage: rectify approve [options] PLANFILE

  Records in the journal that you approve exactly this plan: its digest,
  who you are and when. A playbook with an approvals block
  (approvals { required = 1 }) is applied only from a plan that enough
  people other than its author approved; a plan made again or edited has
  another digest, and approvals of the earlier one do not count. You
  cannot approve a plan you made.

  Who you are is the OS account for a journal file, and the role the
  database authenticated for a shared journal (-state postgres://...).

  Exit status: 0 approved, 1 error, 5 refused (you made the plan).`
}

func (c *approveCommand) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.state, "state", "", "journal: a `path` or a postgres:// URL (default: the user's state directory)")
}

func (c *approveCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 1 {
		return usageError(a.env.Stderr, "approve", errors.New("expected one PLANFILE argument (a plan saved with plan -out)"))
	}
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify approve: cannot find the working directory: %v\n", err)
		return exitError
	}
	p, err := plans.Read(resolvePath(wd, args[0]))
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify approve: %v\n", err)
		return exitError
	}
	digest, err := plans.Digest(p)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify approve: %v\n", err)
		return exitError
	}
	j := a.openJournal(ctx, "approve", wd, c.state)
	if j == nil {
		return exitError
	}
	defer j.Close()
	info := journal.PlanInfo{Digest: digest, Playbook: p.Playbook.Name, Author: p.Author, Required: p.RequiredApprovals}
	ap, err := j.Approve(ctx, info)
	var self *operation.SelfApprovalError
	if errors.As(err, &self) {
		fmt.Fprintf(a.env.Stderr, "rectify approve: refused: %v\n", err)
		return exitFor(operation.StatusRefused)
	}
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify approve: %v\n", err)
		return exitError
	}
	fmt.Fprintf(a.env.Stdout, "Approved plan %s of playbook %s (made by %s) as %s.\n", plans.ShortDigest(digest), p.Playbook.Name, p.Author, ap.Approver)
	if p.RequiredApprovals == 0 {
		fmt.Fprintln(a.env.Stdout, "The playbook does not require approvals; the approval is recorded all the same.")
		return exitOK
	}
	approvers, err := j.CheckApprovals(ctx, operation.ApprovalRequest{PlanDigest: digest, Author: p.Author, Required: p.RequiredApprovals})
	var short *operation.ApprovalError
	switch {
	case errors.As(err, &short):
		fmt.Fprintf(a.env.Stdout, "It has %d of the %d approvals it needs.\n", len(short.Approvers), p.RequiredApprovals)
	case err != nil:
		fmt.Fprintf(a.env.Stderr, "rectify approve: %v\n", err)
		return exitError
	default:
		fmt.Fprintf(a.env.Stdout, "It has the approvals it needs (%d of %d): it may be applied.\n", len(approvers), p.RequiredApprovals)
	}
	return exitOK
}

// registerPlan records in the journal who made a saved plan that needs
// approvals, so that its author cannot approve it under another claim.
func (a *app) registerPlan(ctx context.Context, wd, out string, p *plans.Plan, f *runFlags) bool {
	digest, err := plans.Digest(p)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify plan: %v\n", err)
		return false
	}
	j := a.openJournal(ctx, "plan", wd, f.state)
	if j == nil {
		return false
	}
	defer j.Close()
	if err := j.RegisterPlan(ctx, journal.PlanInfo{Digest: digest, Playbook: p.Playbook.Name, Author: p.Author, Required: p.RequiredApprovals}); err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify plan: %v\n", err)
		return false
	}
	fmt.Fprintf(a.env.Stderr, "The playbook requires %d approval(s) of this plan (%s) by people other than %s: rectify approve %s\n",
		p.RequiredApprovals, plans.ShortDigest(digest), p.Author, out)
	return true
}
