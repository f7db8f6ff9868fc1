package actions

import (
	"encoding/json"

	"github.com/rectifyhq/rectify/plans"
)

// Done is a change an earlier run made, as the journal recorded it: what
// an undo is planned from.
type Done struct {
	// Run is the run that made the change.
	Run int64
	// Change is the change as it was planned and reviewed.
	Change plans.Change
	// After is the object's state the change left, as Apply reported it
	// (Outcome.After, recorded), or nil when the action reports none.
	After json.RawMessage
	// Undo is the change's undo data (Outcome.Undo, recorded).
	Undo json.RawMessage
}

// UndoPlanner is implemented by actions that plan the reversal of a change
// they made, from its record (done) and the object's current state as
// Observe reports it for the step now. The change it returns is made by
// the action's own Apply, through the same checks as any change, and
// verified by planning the undo again, which must then be a no-op.
//
// PlanUndo returns a no-op when the object is already as it was before
// the change, and Blocked, saying why, when it is neither as the change
// left it nor as it was before (someone changed it since: an undo would
// overwrite their change), or when done cannot be read.
type UndoPlanner interface {
	PlanUndo(inst Instance, done Done, current State) (plans.Change, error)
}
