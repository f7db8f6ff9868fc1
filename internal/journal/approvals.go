package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/operation"
)

// PlanInfo is a saved plan as the journal registers it for approval.
type PlanInfo struct {
	Digest   string
	Playbook string
	// Author is the author the plan file records (the OS account that made
	// it).
	Author string
	// Required is the number of approvals the playbook requires.
	Required int
}

// Approval is one person's approval of one plan digest.
type Approval struct {
	PlanDigest string    `json:"plan_digest"`
	Playbook   string    `json:"playbook"`
	Approver   string    `json:"approver"`
	OSUser     string    `json:"os_user"`
	Machine    string    `json:"machine"`
	Time       time.Time `json:"time"`
}

// RegisterPlan records that the journal's identity made the plan: the
// first registration of a digest stands, so the author of a plan is who
// saved it first.
func (j *Journal) RegisterPlan(ctx context.Context, p PlanInfo) error {
	osu, machine := whoAmI()
	_, err := j.exec(ctx, `INSERT INTO plans(digest, playbook, author, os_user, machine, created, required) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(digest) DO NOTHING`,
		p.Digest, p.Playbook, j.who, osu, machine, stamp(time.Now()), p.Required)
	if err != nil {
		return fmt.Errorf("journal: register the plan: %w", err)
	}
	return nil
}

// planAuthors returns who made the plan: the author its file records and,
// when the plan was registered, the identity that registered it.
func (j *Journal) planAuthors(ctx context.Context, p PlanInfo) ([]string, error) {
	authors := []string{p.Author}
	var reg string
	err := j.queryRow(ctx, `SELECT author FROM plans WHERE digest = ?`, p.Digest).Scan(&reg)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("journal: read the plan's author: %w", err)
	default:
		authors = append(authors, reg)
	}
	return authors, nil
}

// Approve records the journal's identity's approval of the plan. It
// returns a *operation.SelfApprovalError when that identity made the
// plan: an approval is a second person's.
func (j *Journal) Approve(ctx context.Context, p PlanInfo) (Approval, error) {
	authors, err := j.planAuthors(ctx, p)
	if err != nil {
		return Approval{}, err
	}
	if slices.Contains(authors, j.who) {
		return Approval{}, &operation.SelfApprovalError{Who: j.who}
	}
	osu, machine := whoAmI()
	a := Approval{PlanDigest: p.Digest, Playbook: p.Playbook, Approver: j.who, OSUser: osu, Machine: machine, Time: time.Now().UTC()}
	// Approving twice keeps the first approval.
	if _, err := j.exec(ctx, `INSERT INTO approvals(plan_digest, playbook, approver, os_user, machine, time) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(plan_digest, approver) DO NOTHING`,
		a.PlanDigest, a.Playbook, a.Approver, a.OSUser, a.Machine, stamp(a.Time)); err != nil {
		return Approval{}, fmt.Errorf("journal: record the approval: %w", err)
	}
	return a, nil
}

// Approvals lists the approvals of a plan digest in the order they were
// given.
func (j *Journal) Approvals(ctx context.Context, digest string) ([]Approval, error) {
	rows, err := j.query(ctx, `SELECT plan_digest, playbook, approver, os_user, machine, time FROM approvals WHERE plan_digest = ? ORDER BY id`, digest)
	if err != nil {
		return nil, fmt.Errorf("journal: read the approvals: %w", err)
	}
	defer rows.Close()
	var out []Approval
	for rows.Next() {
		var a Approval
		var at sql.NullString
		if err := rows.Scan(&a.PlanDigest, &a.Playbook, &a.Approver, &a.OSUser, &a.Machine, &at); err != nil {
			return nil, fmt.Errorf("journal: read the approvals: %w", err)
		}
		a.Time = parseStamp(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// CheckApprovals implements operation.Approvals: it returns the approvers
// of the plan who did not make it, or a *operation.ApprovalError when
// they are fewer than required. Approvals of another digest (the plan
// before an edit) are another plan's and do not count.
func (j *Journal) CheckApprovals(ctx context.Context, req operation.ApprovalRequest) ([]string, error) {
	authors, err := j.planAuthors(ctx, PlanInfo{Digest: req.PlanDigest, Author: req.Author})
	if err != nil {
		return nil, err
	}
	all, err := j.Approvals(ctx, req.PlanDigest)
	if err != nil {
		return nil, err
	}
	var counted []string
	self := false
	for _, a := range all {
		if slices.Contains(authors, a.Approver) {
			self = true
			continue
		}
		if !slices.Contains(counted, a.Approver) {
			counted = append(counted, a.Approver)
		}
	}
	if len(counted) < req.Required {
		return counted, &operation.ApprovalError{Required: req.Required, Approvers: counted, Author: authors[len(authors)-1], SelfApproved: self}
	}
	return counted, nil
}

var _ operation.Approvals = (*Journal)(nil)

var _ operation.ApprovalRecorder = (*Run)(nil)

// SetApprovers records who approved the plan the run applies.
func (r *Run) SetApprovers(ctx context.Context, approvers []string) error {
	if _, err := r.j.exec(ctx, `UPDATE runs SET approved_by = ? WHERE id = ?`, strings.Join(approvers, ", "), r.ID); err != nil {
		return fmt.Errorf("journal: record the approvers of run %d: %w", r.ID, err)
	}
	return nil
}
