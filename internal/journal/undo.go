package journal

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

var _ operation.UndoJournal = (*Journal)(nil)

// UndoRecords implements operation.UndoJournal: run's changes as the
// journal holds them, for an undo to be planned from.
func (j *Journal) UndoRecords(ctx context.Context, run int64) (string, bool, []engine.UndoRecord, error) {
	r, changes, err := j.Run(ctx, run)
	if err != nil {
		return "", false, nil, err
	}
	out := make([]engine.UndoRecord, 0, len(changes))
	for _, c := range changes {
		var ch plans.Change
		if err := json.Unmarshal(c.Planned, &ch); err != nil {
			return "", false, nil, fmt.Errorf("the journal %s: the change to %s in run %d is unreadable: %w", j.path, c.Address, run, err)
		}
		out = append(out, engine.UndoRecord{Address: c.Address, Step: c.Step, Host: c.Host, Status: plans.Status(c.Status), Error: c.Error,
			Change: ch, After: c.After, Undo: c.Undo})
	}
	return r.Playbook, r.Outcome == operation.Running && !r.Unfinished, out, nil
}
