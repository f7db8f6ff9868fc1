package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/plans"
)

// TestUndoInputReversesTheRun: the undo of a run plans its steps in the
// reverse of the order their changes were made, each on the hosts it
// changed, last first, with no dependencies (an undo runs in its own
// order); what was not attempted is left out, what cannot be undone is
// planned as blocked saying why, and a record naming a step or host the
// playbook and inventory no longer have is an error before anything is
// read.
func TestUndoInputReversesTheRun(t *testing.T) {
	hs := hosts(3)
	runs := 0
	in := testInput(hs, &runs)
	applied := func(step, host string) UndoRecord {
		return UndoRecord{Address: plans.Address(step, host), Step: step, Host: host, Status: plans.Applied,
			Change: plans.Change{Action: plans.Update}, Undo: []byte(`{}`)}
	}
	records := []UndoRecord{
		applied("a", "h01"), applied("a", "h02"),
		{Address: "step.a[h03]", Step: "a", Host: "h03", Status: plans.Stale},
		applied("b", "h01"),
		{Address: "step.kick[h01]", Step: "kick", Host: "h01", Status: plans.Applied, Change: plans.Change{Action: plans.Run, Undo: "none: it only runs"}},
		{Address: "step.b[h02]", Step: "b", Host: "h02", Status: plans.Failed, Error: "refused", Change: plans.Change{Action: plans.Update}},
	}
	got, err := UndoInput(in, 4, records)
	if err != nil {
		t.Fatal(err)
	}
	type stepOrder struct {
		Name    string
		Targets []string
		Deps    []string
	}
	var order []stepOrder
	for _, s := range got.Steps {
		order = append(order, stepOrder{s.Name, s.Targets, append(s.DependsOn, s.TriggeredBy...)})
	}
	want := []stepOrder{{"b", []string{"h02", "h01"}, nil}, {"kick", []string{"h01"}, nil}, {"a", []string{"h02", "h01"}, nil}}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("undo steps (-want +got):\n%s", diff)
	}
	if got.Playbook.Digest == in.Playbook.Digest || !strings.HasPrefix(got.Playbook.Digest, "sha256:") {
		t.Errorf("the undo's digest %q is the playbook's: a saved plan of the playbook would pass for an undo", got.Playbook.Digest)
	}
	again, _ := UndoInput(in, 4, records[:2])
	if again.Playbook.Digest == got.Playbook.Digest {
		t.Error("undos of different records have the same digest")
	}

	// Plan it: the test actions cannot plan an undo, the run recorded
	// none, the failed change left nothing known: all blocked, with why.
	p, err := newEngine(&runs).Plan(context.Background(), got, newFakeFleet())
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, inst := range p.Instances {
		if inst.Change.Action != plans.Blocked {
			t.Errorf("%s: %s, want blocked", inst.Address, inst.Change.Action)
		}
		reasons[inst.Address] = inst.Change.Reason
	}
	wantReasons := map[string]string{
		"step.a[h01]":    "cannot be undone: rectify cannot plan the undo of this action's changes (it says nothing of an undo)",
		"step.a[h02]":    "cannot be undone: rectify cannot plan the undo of this action's changes (it says nothing of an undo)",
		"step.b[h01]":    "cannot be undone: rectify cannot plan the undo of this action's changes (it says nothing of an undo)",
		"step.b[h02]":    "cannot be undone: the change failed (refused); rectify does not know what it left, check the host by hand",
		"step.kick[h01]": "cannot be undone: the change (run) recorded no undo data (its plan said: none: it only runs)",
	}
	if diff := cmp.Diff(wantReasons, reasons); diff != "" {
		t.Errorf("why each cannot be undone (-want +got):\n%s", diff)
	}

	for _, bad := range []UndoRecord{applied("gone", "h01"), applied("a", "h09")} {
		if _, err := UndoInput(in, 4, []UndoRecord{bad}); err == nil {
			t.Errorf("%s: no error for a record the playbook and inventory do not have", bad.Address)
		}
	}
}
