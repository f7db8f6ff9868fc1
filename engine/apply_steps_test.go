package engine

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// twoSteps is a playbook of two steps on every host: a sets A to 1, then b
// (which depends on a) sets name to 2.
func twoSteps(hs []actions.Host, name string, serial plans.Amount) Input {
	return Input{
		Playbook:  plans.PlaybookRef{Name: "t", Digest: "sha256:p"},
		Inventory: plans.InventoryRef{Digest: "sha256:i"},
		Steps: []Step{
			{Name: "a", ActionID: "test.value", Action: valueAction{}, Targets: names(hs), Config: config("A", 1)},
			{Name: "b", ActionID: "test.value", Action: valueAction{}, Targets: names(hs), Config: config(name, 2), DependsOn: []string{"a"}},
		},
		Hosts:   hs,
		Rollout: plans.Rollout{Serial: serial, MaxFail: len(hs)},
	}
}

// serialOf parses a rollout's serial; "" is none.
func serialOf(t *testing.T, serial string) plans.Amount {
	t.Helper()
	if serial == "" {
		return plans.Amount{}
	}
	a, err := plans.ParseAmount(serial)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// planThenApply plans in with e over fleet, calls between (when not nil)
// once the plan is made, and applies the plan.
func planThenApply(t *testing.T, e *Engine, in Input, fleet *fakeFleet, between func()) *ApplyResult {
	t.Helper()
	ctx := context.Background()
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	if between != nil {
		between()
	}
	res, err := e.Apply(ctx, p, fleet, applyOpts(in))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// statuses returns the status of every change of res, by address.
func statuses(res *ApplyResult) map[string]plans.Status {
	out := map[string]plans.Status{}
	for _, c := range res.Changes {
		out[c.Address] = c.Status
	}
	return out
}

// TestApplyReadsEachHostOnceBetweenSteps: the read that verifies a step's
// last batch re-reads the next step's first batch, and the review's read
// is the first batch's re-read, so that a host changed by two steps is
// read three times (the review, between the steps, after the last), not
// five (the review, then a re-read and a verification per step).
func TestApplyReadsEachHostOnceBetweenSteps(t *testing.T) {
	tests := []struct {
		serial string
		// reads is the read commands each host answers during apply.
		reads map[string]int
	}{
		// The review; a's verification with b's re-read; b's verification.
		{serial: "", reads: map[string]int{"h01": 3, "h02": 3}},
		// h01 is the first batch: the review, a's verification with
		// h02's re-read, h02's verification with b's re-read of h01,
		// b's verification with b's re-read of h02. h02: the review,
		// its re-read, its verification with b's re-read of h01, its
		// re-read, its verification.
		{serial: "1", reads: map[string]int{"h01": 4, "h02": 5}},
	}
	for _, tt := range tests {
		t.Run("serial "+tt.serial, func(t *testing.T) {
			in := twoSteps(hosts(2), "B", serialOf(t, tt.serial))
			runs := 0
			fleet := newFakeFleet()
			res := planThenApply(t, newEngine(&runs), in, fleet, func() { fleet.commands = map[string]int{} })
			if !res.OK() || res.Count(plans.Applied) != 4 {
				t.Fatalf("apply: ok=%v %v", res.OK(), statuses(res))
			}
			reads := map[string]int{}
			for h, n := range fleet.commands {
				reads[h] = n - fleet.sets[h]
			}
			if diff := cmp.Diff(tt.reads, reads); diff != "" {
				t.Errorf("read commands per host during apply (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]int{"h01": 2, "h02": 2}, fleet.sets); diff != "" {
				t.Errorf("changes per host (-want +got):\n%s", diff)
			}
		})
	}
}

// moveHooks moves a target when a change is done, as another
// administrator would between two of apply's changes.
type moveHooks struct {
	NoHooks
	after      string // the address whose change triggers the move
	fleet      *fakeFleet
	host, name string
	value      any
}

func (h moveHooks) ChangeDone(in plans.Instance, _ plans.ChangeResult) {
	if in.Address == h.after {
		h.fleet.set(h.host, h.name, h.value)
	}
}

// TestTargetMovedAfterTheReviewIsStale: a target that moves after the
// review read it, while an earlier step changes the host, is refused as
// stale by its re-read: the read that verified the step before, which is
// therefore made after that step's changes. The first step's changes, whose
// re-read is the review's, are refused as stale as well when their target
// moved between the plan and the apply.
func TestTargetMovedAfterTheReviewIsStale(t *testing.T) {
	in := twoSteps(hosts(3), "B", plans.Amount{})
	runs := 0
	e := newEngine(&runs)
	fleet := newFakeFleet()
	res := planThenApply(t, e, in, fleet, func() {
		fleet.set("h03", "A", 7.0) // moved between the plan and the apply
		// h02's B moves once a is applied there: after the review, before b.
		e.Hooks = moveHooks{after: "step.a[h02]", fleet: fleet, host: "h02", name: "B", value: 9.0}
	})
	want := map[string]plans.Status{
		"step.a[h01]": plans.Applied, "step.b[h01]": plans.Applied,
		"step.a[h02]": plans.Applied, "step.b[h02]": plans.Stale,
		"step.a[h03]": plans.Stale, "step.b[h03]": plans.Applied,
	}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if v, _ := fleet.get("h02", "B"); v != 9.0 {
		t.Errorf("h02's B moved to 9 before its change, which changed it to %v", v)
	}
	if v, _ := fleet.get("h03", "A"); v != 7.0 {
		t.Errorf("h03's A moved to 7 before apply, which changed it to %v", v)
	}
}

// TestNextStepReadsWhatTheStepBeforeChanged: b plans to create the value a
// creates; once a made it, b's re-read sees it, so b is stale instead of
// overwriting what a just wrote from a read made before a's change.
func TestNextStepReadsWhatTheStepBeforeChanged(t *testing.T) {
	for _, serial := range []string{"", "1"} {
		t.Run("serial "+serial, func(t *testing.T) {
			hs := hosts(2)
			in := twoSteps(hs, "A", serialOf(t, serial))
			runs := 0
			fleet := newFakeFleet()
			res := planThenApply(t, newEngine(&runs), in, fleet, nil)
			want := map[string]plans.Status{
				"step.a[h01]": plans.Applied, "step.a[h02]": plans.Applied,
				"step.b[h01]": plans.Stale, "step.b[h02]": plans.Stale,
			}
			if diff := cmp.Diff(want, statuses(res)); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			for _, h := range hs {
				if v, _ := fleet.get(h.Name, "A"); v != 1.0 {
					t.Errorf("%s: A = %v, want a's 1 kept", h.Name, v)
				}
			}
		})
	}
}

// TestStopBeforeTheNextStepSkipsItWithoutReadingIt: when a batch fails
// more than max_fail allows, the next step is not read ahead, and all its
// changes are skipped with the reason.
func TestStopBeforeTheNextStepSkipsItWithoutReadingIt(t *testing.T) {
	in := twoSteps(hosts(2), "B", plans.Amount{})
	in.Rollout.MaxFail = 0
	runs := 0
	e := &Engine{Registry: newEngine(&runs).Registry, Now: func() time.Time { return fixedNow }}
	fleet := newFakeFleet()
	res := planThenApply(t, e, in, fleet, func() {
		fleet.failSet["h01"] = true
		fleet.commands = map[string]int{}
	})
	want := map[string]plans.Status{
		"step.a[h01]": plans.Failed, "step.a[h02]": plans.Applied,
		"step.b[h01]": plans.Skipped, "step.b[h02]": plans.Skipped,
	}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if !res.Stopped {
		t.Errorf("the run did not stop")
	}
	// The review, a's change, a's verification of h02 (the failed h01 is
	// not verified): nothing of b.
	if diff := cmp.Diff(map[string]int{"h01": 2, "h02": 3}, fleet.commands); diff != "" {
		t.Errorf("commands per host during apply (-want +got):\n%s", diff)
	}
}
