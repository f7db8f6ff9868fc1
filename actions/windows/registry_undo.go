package windows

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

var _ actions.UndoPlanner = RegistryValue{}

// PlanUndo implements actions.UndoPlanner: the value the change replaced
// is written back, or deleted if there was none, only while the value is
// still the one the change left.
func (RegistryValue) PlanUndo(inst actions.Instance, done actions.Done, current actions.State) (plans.Change, error) {
	st, ok := current.(registryState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	cfg := inst.Config
	object := cfg.String("path") + `\` + cfg.String("name")
	ch := plans.Change{Object: object, KBStep: done.Change.KBStep}
	blocked := func(format string, args ...any) (plans.Change, error) {
		ch.Action, ch.Reason = plans.Blocked, "cannot be undone: "+fmt.Sprintf(format, args...)
		return ch, nil
	}
	var u registryPayload
	dec := json.NewDecoder(bytes.NewReader(done.Undo))
	dec.UseNumber()
	if err := dec.Decode(&u); err != nil || u.Previous == nil {
		return blocked("the journal's undo data is unreadable (a sensitive value's is kept only as a hash); restore the value by hand")
	}
	if u.Path != cfg.String("path") || u.Name != cfg.String("name") {
		return blocked(`the change was to %s\%s, and the step now names %s`, u.Path, u.Name, object)
	}
	prev := *u.Previous
	if st.Exists == prev.Exists && (!st.Exists || st.Kind == prev.Kind && sameData(st.Data, prev.Data)) {
		ch.Action = plans.NoOp
		ch.Findings = []string{fmt.Sprintf("already as it was before run %d's change", done.Run)}
		return ch, nil
	}
	var left registryState
	dec = json.NewDecoder(bytes.NewReader(done.After))
	dec.UseNumber()
	if err := dec.Decode(&left); err != nil {
		return blocked("the journal does not record the value run %d's change left, so rectify cannot tell whether someone changed it since", done.Run)
	}
	if st.Exists != left.Exists || st.Exists && (st.Kind != left.Kind || !sameData(st.Data, left.Data)) {
		return blocked("the value changed since run %d's change (it left %s, it is now %s); undoing would overwrite that change",
			done.Run, describeValue(left), describeValue(st))
	}
	ch.Reason = fmt.Sprintf("undo run %d's %s: restore the value as it was before", done.Run, done.Change.Action)
	ch.Undo = "set the value again (undo this run)"
	payload := registryPayload{Path: u.Path, Name: u.Name, Expect: expectOf(st), Previous: &st}
	if !prev.Exists {
		ch.Action = plans.Delete
		ch.Attrs = []plans.Attr{{Name: "data", Before: display(st.Kind, st.Data)}, {Name: "type", Before: st.Kind}}
		payload.Delete = true
	} else {
		ch.Action = plans.Update
		ch.Attrs = []plans.Attr{{Name: "data", Before: display(st.Kind, st.Data), After: display(prev.Kind, prev.Data)}}
		if st.Kind != prev.Kind {
			ch.Attrs = append(ch.Attrs, plans.Attr{Name: "type", Before: st.Kind, After: prev.Kind})
		}
		payload.Kind, payload.Data = prev.Kind, expectOf(prev).Data
	}
	ch.Payload = mustJSON(payload)
	return ch, nil
}

// describeValue says what a registry value is, for a reason.
func describeValue(st registryState) string {
	if !st.Exists {
		return "no value"
	}
	return fmt.Sprintf("%s %v", st.Kind, display(st.Kind, st.Data))
}
