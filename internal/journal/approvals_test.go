package journal

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/pgtest"
	"github.com/rectifyhq/rectify/operation"
)

// people opens one journal as each named person: on SQLite the OS account
// (swapped for the test), on PostgreSQL the role the database
// authenticated.
type people func(t *testing.T, who string) *Journal

func eachBackendPeople(t *testing.T, test func(t *testing.T, as people)) {
	t.Run("sqlite", func(t *testing.T) {
		path := t.TempDir() + "/journal.db"
		test(t, func(t *testing.T, who string) *Journal {
			saved := osUser
			osUser = func() string { return who }
			defer func() { osUser = saved }()
			j, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { j.Close() })
			return j
		})
	})
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.Database(t)
		owner, err := Open(context.Background(), db.URL)
		if err != nil {
			t.Fatal(err)
		}
		owner.Close()
		test(t, func(t *testing.T, who string) *Journal {
			u := db.As(t, who)
			db.Grant(t, who)
			j, err := Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { j.Close() })
			return j
		})
	})
}

func TestApprovalsCountOtherPeopleOfOneDigest(t *testing.T) {
	eachBackendPeople(t, func(t *testing.T, as people) {
		ctx := context.Background()
		alice, bob, carol := as(t, "alice"), as(t, "bob"), as(t, "carol")
		plan := PlanInfo{Digest: "sha256:plan", Playbook: "exchange-454", Author: "alice", Required: 2}
		if err := alice.RegisterPlan(ctx, plan); err != nil {
			t.Fatal(err)
		}
		check := func() ([]string, error) {
			return bob.CheckApprovals(ctx, operation.ApprovalRequest{PlanDigest: plan.Digest, Author: plan.Author, Required: plan.Required})
		}
		var short *operation.ApprovalError
		if _, err := check(); !errors.As(err, &short) || len(short.Approvers) != 0 {
			t.Fatalf("unapproved plan: %v", err)
		}
		var self *operation.SelfApprovalError
		if _, err := alice.Approve(ctx, plan); !errors.As(err, &self) {
			t.Fatalf("alice approves her own plan: %v", err)
		}
		// A plan file claiming another author is still alice's: the
		// journal registered who made it.
		forged := plan
		forged.Author = "mallory"
		if _, err := alice.Approve(ctx, forged); !errors.As(err, &self) {
			t.Fatalf("alice approves her plan under another author's name: %v", err)
		}
		// Bob approves the edited plan, and twice this one; carol this one.
		edited := plan
		edited.Digest = "sha256:edited"
		for _, step := range []struct {
			j *Journal
			p PlanInfo
		}{{bob, edited}, {bob, plan}, {bob, plan}} {
			if _, err := step.j.Approve(ctx, step.p); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := check(); !errors.As(err, &short) || !cmp.Equal(got, []string{"bob"}) {
			t.Fatalf("one approval of two: %v, %v", got, err)
		}
		if _, err := carol.Approve(ctx, plan); err != nil {
			t.Fatal(err)
		}
		got, err := check()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"bob", "carol"}, got); diff != "" {
			t.Errorf("approvers (-want +got):\n%s", diff)
		}
	})
}
