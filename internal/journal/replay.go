package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/operation"
)

// A saved plan is applied once. StartRun of an apply run that names a plan
// digest refuses the plan when an earlier apply run of the same digest got
// past its checks (any outcome but refused): the refusal is itself
// journaled, as a refused run. The check and the new run's record are one
// transaction, so two applies of one plan started at once cannot both
// pass.

// earlierApply returns the first apply run of digest that got past its
// checks, if any.
func earlierApply(ctx context.Context, tx *txn, digest string) (*operation.ReplayError, error) {
	var e operation.ReplayError
	var started string
	err := tx.QueryRowContext(ctx, `SELECT id, started, outcome FROM runs WHERE kind = ? AND plan_digest = ? AND outcome != ? ORDER BY id LIMIT 1`,
		string(operation.KindApply), digest, string(operation.Refused)).Scan(&e.RunID, &started, &e.Outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: look for earlier applies of the plan: %w", err)
	}
	e.Started, _ = time.Parse(time.RFC3339Nano, started)
	return &e, nil
}
