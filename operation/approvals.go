package operation

import (
	"context"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/plans"
)

// Approvals is the optional capability of a journal that records who
// approved which plan: a playbook that requires approvals is applied only
// through a journal that has it.
type Approvals interface {
	// CheckApprovals returns the approvers of the plan digest who did not
	// make it, or an *ApprovalError when they are fewer than required.
	CheckApprovals(ctx context.Context, req ApprovalRequest) ([]string, error)
}

// ApprovalRecorder is the optional capability of a run that records who
// approved the plan it applies.
type ApprovalRecorder interface {
	SetApprovers(ctx context.Context, approvers []string) error
}

// checkApprovals refuses a plan without the approvals it requires, and
// records those it has in run.
func checkApprovals(ctx context.Context, j Journal, run Run, p *plans.Plan, digest string) error {
	if p.RequiredApprovals <= 0 {
		return nil
	}
	ap, ok := j.(Approvals)
	if !ok {
		return &ApprovalError{Required: p.RequiredApprovals, NoJournal: true}
	}
	approvers, err := ap.CheckApprovals(ctx, ApprovalRequest{PlanDigest: digest, Author: p.Author, Required: p.RequiredApprovals})
	if err != nil {
		return err
	}
	if rec, ok := run.(ApprovalRecorder); ok {
		return rec.SetApprovers(ctx, approvers)
	}
	return nil
}

// ApprovalRequest asks whether a plan has the approvals its playbook
// requires.
type ApprovalRequest struct {
	PlanDigest string
	// Author is who made the plan, as the plan records it.
	Author   string
	Required int
}

// ApprovalError refuses a plan without enough approvals from people other
// than its author.
type ApprovalError struct {
	Required int
	// Approvers are the approvals that count.
	Approvers []string
	Author    string
	// SelfApproved is set when the author's own approval was found and
	// not counted.
	SelfApproved bool
	// NoJournal is set when the journal cannot record approvals.
	NoJournal bool
}

func (e *ApprovalError) Error() string {
	if e.NoJournal {
		return fmt.Sprintf("the playbook requires %d approval(s) and this journal does not record approvals", e.Required)
	}
	have := "none"
	if len(e.Approvers) > 0 {
		have = strings.Join(e.Approvers, ", ")
	}
	s := fmt.Sprintf("the plan needs %d approval(s) from people other than its author %s, and has %d (%s)", e.Required, e.Author, len(e.Approvers), have)
	if e.SelfApproved {
		s += "; the author's own approval does not count"
	}
	return s + "; another person approves exactly this plan with: rectify approve PLANFILE (an approval of an earlier version of the plan does not count)"
}

// SelfApprovalError refuses an approval by the plan's author.
type SelfApprovalError struct{ Who string }

func (e *SelfApprovalError) Error() string {
	return fmt.Sprintf("%s made this plan and cannot approve it: an approval is another person's", e.Who)
}
