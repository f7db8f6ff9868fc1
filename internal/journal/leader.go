package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rectifyhq/rectify/drift"
)

var _ drift.Leadership = (*Journal)(nil)

// Lead makes holder the active watcher of scope, or renews its term. A
// term that ran out (by the journal's clock) is closed at its expiry and
// the next one begins; each term is a row, kept, so that who was active
// when is on record.
func (j *Journal) Lead(ctx context.Context, scope, holder string, term int64, lease time.Duration) (drift.Term, error) {
	t, err := j.begin(ctx)
	if err != nil {
		return drift.Term{}, fmt.Errorf("journal: lead %s: %w", scope, err)
	}
	defer t.Rollback()
	now, err := j.b.now(ctx, t)
	if err != nil {
		return drift.Term{}, err
	}
	cur, ended, err := latestTerm(ctx, t, scope)
	if err != nil {
		return drift.Term{}, err
	}
	live := cur.ID != 0 && !ended && now.Before(cur.Expires)
	switch {
	case live && cur.ID == term && cur.Holder == holder:
		cur.Expires = now.Add(lease)
		if _, err := t.ExecContext(ctx, `UPDATE leader_terms SET renewed = ?, expires = ? WHERE id = ?`, driftStamp(now), driftStamp(cur.Expires), cur.ID); err != nil {
			return drift.Term{}, fmt.Errorf("journal: renew the term of %s: %w", scope, err)
		}
	case live:
		return cur, nil
	default:
		if cur.ID != 0 && !ended {
			if _, err := t.ExecContext(ctx, `UPDATE leader_terms SET ended = expires WHERE id = ?`, cur.ID); err != nil {
				return drift.Term{}, fmt.Errorf("journal: close the term of %s: %w", scope, err)
			}
		}
		user, machine := whoAmI()
		cur = drift.Term{Holder: holder, Started: now, Expires: now.Add(lease)}
		if err := t.QueryRowContext(ctx, `INSERT INTO leader_terms(scope, holder, "user", machine, pid, started, renewed, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			scope, holder, user, machine, os.Getpid(), driftStamp(now), driftStamp(now), driftStamp(cur.Expires)).Scan(&cur.ID); err != nil {
			return drift.Term{}, fmt.Errorf("journal: begin a term of %s: %w", scope, err)
		}
	}
	if err := t.Commit(); err != nil {
		return drift.Term{}, fmt.Errorf("journal: lead %s: %w", scope, err)
	}
	return cur, nil
}

func latestTerm(ctx context.Context, t *txn, scope string) (drift.Term, bool, error) {
	var term drift.Term
	var started, expires, ended sql.NullString
	err := t.QueryRowContext(ctx, `SELECT id, holder, started, expires, ended FROM leader_terms WHERE scope = ? ORDER BY id DESC LIMIT 1`, scope).
		Scan(&term.ID, &term.Holder, &started, &expires, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return drift.Term{}, false, nil
	}
	if err != nil {
		return drift.Term{}, false, fmt.Errorf("journal: read the term of %s: %w", scope, err)
	}
	term.Started, term.Expires = parseStamp(started), parseStamp(expires)
	return term, ended.Valid, nil
}

// Resign ends a term now.
func (j *Journal) Resign(ctx context.Context, scope string, term int64) error {
	t, err := j.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	now, err := j.b.now(ctx, t)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE leader_terms SET ended = ?, expires = ? WHERE id = ? AND scope = ? AND ended IS NULL AND expires > ?`,
		driftStamp(now), driftStamp(now), term, scope, driftStamp(now)); err != nil {
		return fmt.Errorf("journal: resign the term of %s: %w", scope, err)
	}
	return t.Commit()
}

// LastSlot returns the latest slot recorded for scope.
func (j *Journal) LastSlot(ctx context.Context, scope string) (time.Time, error) {
	var last sql.NullString
	if err := j.queryRow(ctx, `SELECT max(slot) FROM watch_cycles WHERE scope = ?`, scope).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("journal: read the last cycle of %s: %w", scope, err)
	}
	return parseStamp(last), nil
}

// ClaimSlot records slot under term once, if term still leads.
func (j *Journal) ClaimSlot(ctx context.Context, scope string, term int64, slot, coveredBy time.Time) (bool, error) {
	t, err := j.begin(ctx)
	if err != nil {
		return false, fmt.Errorf("journal: record the cycle of %s: %w", scope, err)
	}
	defer t.Rollback()
	now, err := j.b.now(ctx, t)
	if err != nil {
		return false, err
	}
	cur, ended, err := latestTerm(ctx, t, scope)
	if err != nil {
		return false, err
	}
	if cur.ID != term || ended || !now.Before(cur.Expires) {
		return false, drift.ErrNotLeader
	}
	covered := ""
	if !coveredBy.IsZero() {
		covered = driftStamp(coveredBy)
	}
	res, err := t.ExecContext(ctx, `INSERT INTO watch_cycles(scope, slot, term_id, claimed, covered_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT(scope, slot) DO NOTHING`,
		scope, driftStamp(slot), term, driftStamp(now), covered)
	if err != nil {
		return false, fmt.Errorf("journal: record the cycle of %s: %w", scope, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, t.Commit()
}

// SlotRun records the run of a slot's cycle.
func (j *Journal) SlotRun(ctx context.Context, scope string, slot time.Time, runID int64) error {
	if _, err := j.exec(ctx, `UPDATE watch_cycles SET run_id = ? WHERE scope = ? AND slot = ?`, runID, scope, driftStamp(slot)); err != nil {
		return fmt.Errorf("journal: record the run of the cycle of %s: %w", scope, err)
	}
	return nil
}

// TermRecord is one leadership term as the journal holds it.
type TermRecord struct {
	ID      int64     `json:"id"`
	Holder  string    `json:"holder"`
	Started time.Time `json:"started"`
	// Expires is when the term ran out, or will unless renewed; Ended
	// when it was closed.
	Expires time.Time `json:"expires"`
	Ended   time.Time `json:"ended,omitzero"`
}

// CycleRecord is one slot of a schedule as the journal holds it.
type CycleRecord struct {
	Slot      time.Time `json:"slot"`
	TermID    int64     `json:"term_id"`
	RunID     int64     `json:"run_id,omitempty"`
	Claimed   time.Time `json:"claimed"`
	CoveredBy time.Time `json:"covered_by,omitzero"`
}

// Terms lists the leadership terms of scope in order.
func (j *Journal) Terms(ctx context.Context, scope string) ([]TermRecord, error) {
	rows, err := j.query(ctx, `SELECT id, holder, started, expires, ended FROM leader_terms WHERE scope = ? ORDER BY id`, scope)
	if err != nil {
		return nil, fmt.Errorf("journal: read the terms of %s: %w", scope, err)
	}
	defer rows.Close()
	var out []TermRecord
	for rows.Next() {
		var r TermRecord
		var started, expires, ended sql.NullString
		if err := rows.Scan(&r.ID, &r.Holder, &started, &expires, &ended); err != nil {
			return nil, err
		}
		r.Started, r.Expires, r.Ended = parseStamp(started), parseStamp(expires), parseStamp(ended)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Cycles lists the recorded slots of scope in order.
func (j *Journal) Cycles(ctx context.Context, scope string) ([]CycleRecord, error) {
	rows, err := j.query(ctx, `SELECT slot, term_id, run_id, claimed, covered_by FROM watch_cycles WHERE scope = ? ORDER BY slot`, scope)
	if err != nil {
		return nil, fmt.Errorf("journal: read the cycles of %s: %w", scope, err)
	}
	defer rows.Close()
	var out []CycleRecord
	for rows.Next() {
		var r CycleRecord
		var slot, claimed, covered sql.NullString
		if err := rows.Scan(&slot, &r.TermID, &r.RunID, &claimed, &covered); err != nil {
			return nil, err
		}
		r.Slot, r.Claimed, r.CoveredBy = parseStamp(slot), parseStamp(claimed), parseStamp(covered)
		out = append(out, r)
	}
	return out, rows.Err()
}
