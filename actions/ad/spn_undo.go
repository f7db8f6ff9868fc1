package ad

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

var _ actions.UndoPlanner = SPN{}

// PlanUndo implements actions.UndoPlanner: the SPNs the change added come
// off the server's account and those it removed from other accounts go
// back to them, removals first (the directory refuses a duplicate SPN),
// only while every value is still where the change left it.
func (SPN) PlanUndo(inst actions.Instance, done actions.Done, current actions.State) (plans.Change, error) {
	st, ok := current.(spnState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	ch := plans.Change{Object: "computer account " + st.Account, KBStep: done.Change.KBStep}
	blocked := func(format string, args ...any) (plans.Change, error) {
		ch.Action, ch.Reason = plans.Blocked, "cannot be undone: "+fmt.Sprintf(format, args...)
		return ch, nil
	}
	var u spnUndo
	if err := json.Unmarshal(done.Undo, &u); err != nil || u.DN == "" {
		return blocked("the journal's undo data is unreadable; change the SPNs back by hand")
	}
	if !st.Found || !strings.EqualFold(st.DN, u.DN) {
		return blocked("the change was to %s, and the step's account is now %s", u.DN, orMissing(st))
	}
	// holds says whether account dn holds v now, as far as the step reads:
	// the server's own SPNs, and the accounts holding the ones it wants.
	holds := func(dn, v string) bool {
		if strings.EqualFold(dn, st.DN) {
			return containsFold(st.SPNs, v)
		}
		for _, h := range st.Holders {
			if strings.EqualFold(h.DN, dn) && containsFold(h.Holds, v) {
				return true
			}
		}
		return false
	}
	// Where every value is before the undo (as the change left it) and
	// after (as before the change).
	type place struct {
		dn, v     string
		leftThere bool
	}
	var places []place
	for _, v := range u.Remove {
		places = append(places, place{u.DN, v, true})
	}
	for _, t := range u.Take {
		for _, v := range t.Values {
			places = append(places, place{t.DN, v, true})
		}
	}
	for _, r := range u.Restore {
		for _, v := range r.Remove {
			places = append(places, place{r.DN, v, false})
		}
	}
	asBefore, asLeft := true, true
	var moved []string
	for _, p := range places {
		now := holds(p.dn, p.v)
		asBefore = asBefore && now != p.leftThere
		if now != p.leftThere {
			asLeft = false
			moved = append(moved, fmt.Sprintf("%s %s %s", p.dn, map[bool]string{true: "lacks", false: "holds"}[p.leftThere], p.v))
		}
	}
	switch {
	case asBefore:
		ch.Action = plans.NoOp
		ch.Findings = []string{fmt.Sprintf("already as it was before run %d's change", done.Run)}
		return ch, nil
	case !asLeft:
		return blocked("the SPNs changed since run %d's change (%s); undoing would overwrite that change", done.Run, strings.Join(moved, "; "))
	}
	// The directory refuses an SPN held twice: a value the change took
	// off an account while another held it too (a duplicate, the KB's
	// cause) cannot be given back while that other account keeps it.
	var dup []string
	for _, r := range u.Restore {
		for _, v := range r.Remove {
			for _, h := range st.Holders {
				if !strings.EqualFold(h.DN, r.DN) && containsFold(h.Holds, v) {
					dup = append(dup, fmt.Sprintf("%s to %s while %s holds it", v, r.DN, h.DN))
				}
			}
			if !strings.EqualFold(r.DN, u.DN) && containsFold(st.SPNs, v) && !containsFold(u.Remove, v) {
				dup = append(dup, fmt.Sprintf("%s to %s while %s holds it", v, r.DN, u.DN))
			}
		}
	}
	if len(dup) > 0 {
		return blocked("giving back %s would make a duplicate SPN, which the directory refuses (and which is what the change removed); restore it by hand only if the duplicate was intended", strings.Join(dup, "; "))
	}
	payload := spnPayload{DN: u.DN}
	if len(u.Remove) > 0 {
		payload.From = append(payload.From, struct {
			DN     string   `json:"dn"`
			Remove []string `json:"remove"`
		}{DN: u.DN, Remove: u.Remove})
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "servicePrincipalName", Before: u.Remove})
	}
	for _, t := range u.Take {
		payload.From = append(payload.From, struct {
			DN     string   `json:"dn"`
			Remove []string `json:"remove"`
		}{DN: t.DN, Remove: t.Values})
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "servicePrincipalName of " + t.DN, Before: t.Values})
	}
	for _, r := range u.Restore {
		if strings.EqualFold(r.DN, u.DN) {
			payload.Add = append(payload.Add, r.Remove...)
			ch.Attrs = append(ch.Attrs, plans.Attr{Name: "servicePrincipalName", After: r.Remove})
			continue
		}
		payload.Give = append(payload.Give, spnValues{DN: r.DN, Values: r.Remove})
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "servicePrincipalName of " + r.DN, After: r.Remove})
	}
	ch.Action = plans.Update
	ch.Reason = fmt.Sprintf("undo run %d's change: the SPNs back where they were before", done.Run)
	ch.Risk = "whatever relies on the SPNs the change added loses them again"
	ch.Undo = "apply the change again (undo this run)"
	b, err := json.Marshal(payload)
	if err != nil {
		return plans.Change{}, err
	}
	ch.Payload = b
	return ch, nil
}

func orMissing(st spnState) string {
	if !st.Found {
		return "not found (" + st.Account + ")"
	}
	return st.DN
}
