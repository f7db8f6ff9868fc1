package exchange

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

var _ actions.UndoPlanner = ConnectorAuth{}

// PlanUndo implements actions.UndoPlanner: the mechanisms and groups the
// change added are taken out again (and those it took out put back),
// only while the connector's sets are still those the change left.
func (ConnectorAuth) PlanUndo(inst actions.Instance, done actions.Done, current actions.State) (plans.Change, error) {
	st, ok := current.(connectorState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	ch := plans.Change{Object: done.Change.Object, KBStep: done.Change.KBStep}
	blocked := func(format string, args ...any) (plans.Change, error) {
		ch.Action, ch.Reason = plans.Blocked, "cannot be undone: "+fmt.Sprintf(format, args...)
		return ch, nil
	}
	var u ops.ConnectorAddAuthArgs
	if err := json.Unmarshal(done.Undo, &u); err != nil || u.Identity == "" {
		return blocked("the journal's undo data is unreadable; change the connector back by hand")
	}
	ch.Object = "receive connector " + u.Identity
	target, found := byIdentity(st.Connectors, u.Identity)
	if !found {
		return blocked("no receive connector %s among %s's connector objects now", u.Identity, st.Server)
	}
	if target.PermissionGroups == nil {
		return blocked("the connector's permission groups could not be read (%s)", noPath(inst.Host))
	}
	auth, groups := foldSet(target.AuthMechanism), foldSet(target.PermissionGroups)
	undone := func() bool {
		return !auth.hasAny(u.RemoveAuthMechanism) && !groups.hasAny(u.RemovePermissionGroups) &&
			len(auth.missing(u.AddAuthMechanism)) == 0 && len(groups.missing(u.AddPermissionGroups)) == 0
	}
	if undone() {
		ch.Action = plans.NoOp
		ch.Findings = []string{fmt.Sprintf("already as it was before run %d's change", done.Run)}
		return ch, nil
	}
	var left ops.Connector
	if err := json.Unmarshal(done.After, &left); err != nil || left.Identity == "" {
		return blocked("the journal does not record the sets run %d's change left, so rectify cannot tell whether someone changed them since", done.Run)
	}
	if !sameFold(target.AuthMechanism, left.AuthMechanism) || !sameFold(target.PermissionGroups, left.PermissionGroups) {
		return blocked("the connector changed since run %d's change (it left AuthMechanism %s and PermissionGroups %s; they are now %s and %s); undoing would overwrite that change",
			done.Run, strings.Join(left.AuthMechanism, ", "), strings.Join(left.PermissionGroups, ", "), strings.Join(target.AuthMechanism, ", "), strings.Join(target.PermissionGroups, ", "))
	}
	ch.Action = plans.Update
	ch.Reason = fmt.Sprintf("undo run %d's change: the connector's authentication as it was before", done.Run)
	ch.Risk = "Set-ReceiveConnector replaces whole sets; rectify refuses if the connector changed since this plan"
	ch.Undo = "apply the change again (undo this run)"
	newAuth := applyFold(target.AuthMechanism, u.AddAuthMechanism, u.RemoveAuthMechanism)
	newGroups := applyFold(target.PermissionGroups, u.AddPermissionGroups, u.RemovePermissionGroups)
	if !sameFold(newAuth, target.AuthMechanism) {
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "AuthMechanism", Before: target.AuthMechanism, After: newAuth})
	}
	if !sameFold(newGroups, target.PermissionGroups) {
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "PermissionGroups", Before: target.PermissionGroups, After: newGroups})
	}
	p, err := json.Marshal(connectorPayload{Identity: target.Identity,
		AddAuthMechanism: auth.missing(u.AddAuthMechanism), AddPermissionGroups: groups.missing(u.AddPermissionGroups),
		RemoveAuthMechanism: u.RemoveAuthMechanism, RemovePermissionGroups: u.RemovePermissionGroups,
		Expect: ops.Connector{Identity: target.Identity, AuthMechanism: target.AuthMechanism, PermissionGroups: target.PermissionGroups}})
	if err != nil {
		return plans.Change{}, err
	}
	ch.Payload = p
	return ch, nil
}

// hasAny reports whether s holds any of vs.
func (s foldSet) hasAny(vs []string) bool {
	for _, v := range vs {
		if s.has(v) {
			return true
		}
	}
	return false
}

// sameFold compares two sets of names, ignoring case and order.
func sameFold(a, b []string) bool {
	return len(foldSet(a).missing(b)) == 0 && len(foldSet(b).missing(a)) == 0
}

// applyFold is current plus add minus remove, in current's order, as
// Set-ReceiveConnector's whole new set (see the add_auth script).
func applyFold(current, add, remove []string) []string {
	var out []string
	for _, v := range append(append([]string(nil), current...), add...) {
		if !strings.EqualFold(v, "None") && !foldSet(remove).has(v) && !foldSet(out).has(v) {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		out = []string{"None"}
	}
	return out
}
