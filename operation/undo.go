package operation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// UndoJournal is a journal that can say what an earlier run changed: what
// an undo is planned from.
type UndoJournal interface {
	Journal
	// UndoRecords returns run's playbook name, whether it is still
	// running, and its changes in the order they started.
	UndoRecords(ctx context.Context, run int64) (playbook string, running bool, records []engine.UndoRecord, err error)
}

// UndoRequest names the changes to undo: those of Run, or only the
// instances Addresses names.
type UndoRequest struct {
	Run       int64
	Addresses []string
}

// UndoInput returns the input of the plan that undoes req from the
// playbook and inventory evaluated now (in), for Plan and, with Kind
// KindUndo, Apply. It fails when the run is unknown, still running, was
// made from another playbook, or changed none of the addresses named.
func (r *Runner) UndoInput(ctx context.Context, req UndoRequest, in engine.Input) (engine.Input, error) {
	j, ok := r.Journal.(UndoJournal)
	if !ok {
		return engine.Input{}, fmt.Errorf("this journal cannot say what run %d changed", req.Run)
	}
	playbook, running, records, err := j.UndoRecords(ctx, req.Run)
	if err != nil {
		return engine.Input{}, err
	}
	switch {
	case running:
		return engine.Input{}, fmt.Errorf("run %d is still running (or its process died: see rectify history); undo it once it has ended", req.Run)
	case playbook != in.Playbook.Name:
		return engine.Input{}, fmt.Errorf("run %d applied the playbook %q, not %q", req.Run, playbook, in.Playbook.Name)
	}
	if len(req.Addresses) > 0 {
		var kept []engine.UndoRecord
		var unknown []string
		for _, a := range req.Addresses {
			n := len(kept)
			for _, rec := range records {
				if rec.Address == a {
					kept = append(kept, rec)
				}
			}
			if len(kept) == n {
				unknown = append(unknown, a)
			}
		}
		if len(unknown) > 0 {
			return engine.Input{}, fmt.Errorf("run %d made no change to %s", req.Run, strings.Join(unknown, ", "))
		}
		// The journal's order, whatever order the addresses were given in.
		slices.SortStableFunc(kept, func(a, b engine.UndoRecord) int { return index(records, a) - index(records, b) })
		records = kept
	}
	out, err := engine.UndoInput(in, req.Run, records)
	if err != nil {
		return engine.Input{}, err
	}
	out.Undo = &plans.UndoOf{Run: req.Run, Addresses: req.Addresses}
	return out, nil
}

func index(records []engine.UndoRecord, r engine.UndoRecord) int {
	for i, x := range records {
		if x.Address == r.Address && x.Host == r.Host && x.Step == r.Step {
			return i
		}
	}
	return len(records)
}
