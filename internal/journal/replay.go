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

// migrateRuns adds the columns newer builds record to a journal made by an
// older one. The check and the change are one transaction, so processes
// opening one journal at once do not both add a column.
func (j *Journal) migrateRuns(ctx context.Context) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate the runs: %w", err)
	}
	defer tx.Rollback()
	has, err := hasColumn(ctx, tx, "runs", "plan_age_override")
	if err != nil {
		return err
	}
	if !has {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE runs ADD COLUMN plan_age_override TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("add the plan age override to the runs: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS runs_plan ON runs(plan_digest)`); err != nil {
		return fmt.Errorf("index the runs by plan: %w", err)
	}
	return tx.Commit()
}

func hasColumn(ctx context.Context, tx *sql.Tx, table, column string) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return false, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, err
		}
		if name == column {
			return true, nil
		}
	}
	return false, rows.Err()
}

// earlierApply returns the first apply run of digest that got past its
// checks, if any.
func earlierApply(ctx context.Context, tx *sql.Tx, digest string) (*operation.ReplayError, error) {
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
