package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// LockedError is returned when another run holds the lock.
type LockedError struct {
	Name    string
	RunID   int64
	User    string
	Machine string
	PID     int
	Since   time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another run holds the lock on %s: run %d by %s on %s (pid %d) since %s; wait for it to finish",
		e.Name, e.RunID, e.User, e.Machine, e.PID, e.Since.Local().Format(time.RFC3339))
}

// Lock takes the lock called name (an inventory's path) for run. A lock
// left by a process on this machine that no longer exists is taken over.
// It returns a function that releases the lock.
func (j *Journal) Lock(ctx context.Context, name string, run *Run) (func() error, error) {
	who, machine := whoAmI()
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("journal: take the lock: %w", err)
	}
	defer tx.Rollback()
	var held LockedError
	var since string
	err = tx.QueryRowContext(ctx, `SELECT run_id, user, machine, pid, acquired FROM locks WHERE name = ?`, name).
		Scan(&held.RunID, &held.User, &held.Machine, &held.PID, &since)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("journal: take the lock: %w", err)
	default:
		held.Name = name
		held.Since, _ = time.Parse(time.RFC3339Nano, since)
		if !strings.EqualFold(held.Machine, machine) || processAlive(held.PID) {
			return nil, &held
		}
		// The holder died (kill -9, power loss): take the lock over.
		if _, err := tx.ExecContext(ctx, `DELETE FROM locks WHERE name = ?`, name); err != nil {
			return nil, fmt.Errorf("journal: take over a dead run's lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO locks(name, run_id, user, machine, pid, acquired) VALUES (?, ?, ?, ?, ?, ?)`,
		name, run.ID, who, machine, os.Getpid(), stamp(time.Now())); err != nil {
		return nil, fmt.Errorf("journal: take the lock: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("journal: take the lock: %w", err)
	}
	return func() error {
		_, err := j.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM locks WHERE name = ? AND run_id = ?`, name, run.ID)
		if err != nil {
			return fmt.Errorf("journal: release the lock: %w", err)
		}
		return nil
	}, nil
}

// processAlive reports whether a process with pid exists on this machine.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
