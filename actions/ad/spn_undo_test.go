package ad

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// TestSPNPlanUndo plans the undo of a change that added two SPNs to EX01$
// and took one off OLD$, against the directory as it may be found later.
func TestSPNPlanUndo(t *testing.T) {
	const self, old, other = "CN=EX01,DC=corp", "CN=OLD,DC=corp", "CN=OTHER,DC=corp"
	undo, err := json.Marshal(spnUndo{DN: self, Remove: []string{"SMTP/EX01", "SMTPSVC/EX01"}, Restore: []struct {
		DN     string   `json:"dn"`
		Remove []string `json:"remove"`
	}{{DN: old, Remove: []string{"SMTP/ex01.corp"}}}})
	if err != nil {
		t.Fatal(err)
	}
	holder := func(dn string, holds ...string) Holder { return Holder{DN: dn, Holds: holds} }
	tests := []struct {
		name   string
		state  spnState
		action plans.Action
		reason string
	}{
		{name: "as the change left it", state: spnState{Found: true, DN: self, SPNs: []string{"SMTP/EX01", "SMTPSVC/EX01"}},
			action: plans.Update},
		{name: "already as before", state: spnState{Found: true, DN: self, SPNs: []string{"HOST/EX01"}, Holders: []Holder{holder(old, "SMTP/ex01.corp")}},
			action: plans.NoOp},
		{name: "someone removed an added SPN since", state: spnState{Found: true, DN: self, SPNs: []string{"SMTP/EX01"}},
			action: plans.Blocked, reason: "cannot be undone: the SPNs changed since run 7's change (CN=EX01,DC=corp lacks SMTPSVC/EX01); undoing would overwrite that change"},
		{name: "another account took the value back", state: spnState{Found: true, DN: self, SPNs: []string{"SMTP/EX01", "SMTPSVC/EX01"}, Holders: []Holder{holder(other, "SMTP/ex01.corp")}},
			action: plans.Blocked, reason: "cannot be undone: giving back SMTP/ex01.corp to CN=OLD,DC=corp while CN=OTHER,DC=corp holds it would make a duplicate SPN, which the directory refuses (and which is what the change removed); restore it by hand only if the duplicate was intended"},
		{name: "the account is gone", state: spnState{Account: "EX01$"},
			action: plans.Blocked, reason: "cannot be undone: the change was to CN=EX01,DC=corp, and the step's account is now not found (EX01$)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := SPN{}.PlanUndo(actions.Instance{}, actions.Done{Run: 7, Undo: undo}, tt.state)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Action != tt.action || tt.reason != "" && ch.Reason != tt.reason {
				t.Errorf("PlanUndo = %s %q, want %s %q", ch.Action, ch.Reason, tt.action, tt.reason)
			}
			if ch.Action != plans.Update {
				return
			}
			var p spnPayload
			if err := json.Unmarshal(ch.Payload, &p); err != nil {
				t.Fatal(err)
			}
			want := spnPayload{DN: self, Give: []spnValues{{DN: old, Values: []string{"SMTP/ex01.corp"}}}}
			want.From = append(want.From, struct {
				DN     string   `json:"dn"`
				Remove []string `json:"remove"`
			}{DN: self, Remove: []string{"SMTP/EX01", "SMTPSVC/EX01"}})
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
		})
	}
}
