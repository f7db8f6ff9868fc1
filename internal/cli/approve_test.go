package cli

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/pgtest"
	"github.com/rectifyhq/rectify/operation"
)

// requireApprovals adds an approvals block to the fixture's playbook.
func (f *labFixture) requireApprovals(t *testing.T, n int) {
	t.Helper()
	block := regexp.MustCompile(`playbook "exchange-454" \{\n`)
	f.editPlaybook(t, "playbook block to add approvals to", block,
		"playbook \"exchange-454\" {\n  approvals {\n    required = "+strconv.Itoa(n)+"\n  }\n")
}

// TestApprovalsBoundToThePlan runs a change board's day on a shared
// journal: alice plans, her own approval and bob's approval of another
// plan do not count, bob's approval of her plan does, and history says who
// planned, approved and applied. Each person is the role PostgreSQL
// authenticated.
func TestApprovalsBoundToThePlan(t *testing.T) {
	db := pgtest.Database(t)
	alice, bob := db.As(t, "alice"), db.As(t, "bob")
	// The journal's owner makes its tables and grants them to the team.
	if got := (&labFixture{}).rectify(t, "history", "-state", db.URL); got.code != 0 {
		t.Fatalf("make the journal: %s", got)
	}
	db.Grant(t, "alice", "bob")
	f := startLab(t, lab.KB979174())
	f.requireApprovals(t, 1)

	planned := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", alice, "-out", "fix.plan", "exchange-454")
	if planned.code != 0 || !strings.Contains(planned.stderr, "requires 1 approval(s)") {
		t.Fatalf("plan: %s", planned)
	}
	refusedCode := exitFor(operation.StatusRefused)
	apply := func(who string) result {
		return f.rectify(t, "apply", "-state", who, "-window-override", "CHG-1", "fix.plan")
	}

	// Unapproved: refused, journaled as refused, nothing changed.
	if got := apply(alice); got.code != refusedCode || !strings.Contains(got.stderr, "needs 1 approval(s) from people other than its author alice, and has 0") {
		t.Fatalf("apply of an unapproved plan: %s", got)
	}
	if f.hasSPN("EX01$", "SMTPSVC/EX01") {
		t.Fatal("an unapproved plan changed EX01$")
	}
	// Self-approved: the approval is refused.
	if got := f.rectify(t, "approve", "-state", alice, "fix.plan"); got.code != refusedCode || !strings.Contains(got.stderr, "alice made this plan and cannot approve it") {
		t.Fatalf("self-approval: %s", got)
	}
	// An approval of an edited plan (another digest) does not count.
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", alice, "-out", "edited.plan", "-var", "spn_conflicts=remove_from_other", "exchange-454"); got.code != 0 {
		t.Fatalf("plan again: %s", got)
	}
	if got := f.rectify(t, "approve", "-state", bob, "edited.plan"); got.code != 0 {
		t.Fatalf("bob approves the edited plan: %s", got)
	}
	if got := apply(alice); got.code != refusedCode || !strings.Contains(got.stderr, "has 0") {
		t.Fatalf("apply with only an approval of another plan: %s", got)
	}
	// Bob approves this plan: it is applied.
	if got := f.rectify(t, "approve", "-state", bob, "fix.plan"); got.code != 0 || !strings.Contains(got.stdout, "it may be applied") {
		t.Fatalf("bob approves: %s", got)
	}
	applied := apply(alice)
	if !strings.Contains(applied.stdout, "10 applied") || !f.hasSPN("EX01$", "SMTPSVC/EX01") {
		t.Fatalf("apply of the approved plan: %s", applied)
	}

	f.state = alice
	for _, id := range []string{"1", "2"} {
		if run, _ := f.history(t, id); run.Outcome != operation.Refused {
			t.Errorf("run %s (an apply without approval) is journaled as %q", id, run.Outcome)
		}
	}
	run, _ := f.history(t, "3")
	if run.PlannedBy != "alice" || run.ApprovedBy != "bob" || run.Identity != "alice" {
		t.Errorf("the applied run records planned by %q, approved by %q, applied by %q", run.PlannedBy, run.ApprovedBy, run.Identity)
	}
	text := f.rectify(t, "history", "-state", bob)
	if !strings.Contains(text.stdout, "planned by alice, approved by bob, applied by alice") {
		t.Errorf("history does not say who planned, approved and applied:\n%s", text)
	}
}
