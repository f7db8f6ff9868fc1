package engine

import (
	"context"

	"github.com/rectifyhq/rectify/plans"
)

// Journal records every change before it is made and after. A change whose
// start cannot be recorded is not made.
type Journal interface {
	// ChangeStarting records a change about to be made and returns its id.
	ChangeStarting(ctx context.Context, in plans.Instance) (int64, error)
	// ChangeFinished records how the change ended.
	ChangeFinished(ctx context.Context, id int64, res plans.ChangeResult) error
}

// noJournal records nothing; for dry tests only.
type noJournal struct{}

func (noJournal) ChangeStarting(context.Context, plans.Instance) (int64, error)   { return 0, nil }
func (noJournal) ChangeFinished(context.Context, int64, plans.ChangeResult) error { return nil }
