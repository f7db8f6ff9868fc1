package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/drift"
)

// driftStamp formats t at a fixed width, so that stored times compare as
// text in time order.
func driftStamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
}

var _ drift.Store = (*Journal)(nil)

// RecordDrift records one cycle's pending changes in a single transaction:
// it opens an episode for each new one and extends those already open,
// marks flapping the items whose change is back after c.Policy's number
// of corrections, and closes the episodes that settled. It returns the
// playbook's open episodes afterwards, in address order.
func (j *Journal) RecordDrift(ctx context.Context, c drift.Observations) ([]drift.Episode, error) {
	tx, err := j.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("journal: record drift: %w", err)
	}
	defer tx.Rollback()
	now := driftStamp(c.Time)
	keep := map[string]bool{}
	for _, a := range c.Unknown {
		keep[a] = true
	}
	for _, o := range c.Pending {
		keep[o.Address] = true
		var id int64
		var flapping bool
		err := tx.QueryRowContext(ctx, `SELECT id, flapping FROM drift WHERE playbook = ? AND address = ? AND resolved IS NULL`, c.Playbook, o.Address).Scan(&id, &flapping)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err := tx.QueryRowContext(ctx, `INSERT INTO drift(playbook, address, step, host, action, object, first_seen, last_seen, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				c.Playbook, o.Address, o.Step, o.Host, o.Action, o.Object, now, now, c.RunID).Scan(&id)
			if err != nil {
				return nil, fmt.Errorf("journal: record drift of %s: %w", o.Address, err)
			}
		case err != nil:
			return nil, fmt.Errorf("journal: record drift of %s: %w", o.Address, err)
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE drift SET action = ?, object = ?, last_seen = ?, last_run_id = ? WHERE id = ?`, o.Action, o.Object, now, c.RunID, id); err != nil {
				return nil, fmt.Errorf("journal: record drift of %s: %w", o.Address, err)
			}
		}
		if flapping || c.Policy.Corrections <= 0 {
			continue
		}
		n, err := correctionsSince(ctx, tx, c.Playbook, o.Address, c.Time.Add(-c.Policy.Within))
		if err != nil {
			return nil, err
		}
		if n >= c.Policy.Corrections {
			if _, err := tx.ExecContext(ctx, `UPDATE drift SET flapping = 1, flapping_since = ? WHERE id = ?`, now, id); err != nil {
				return nil, fmt.Errorf("journal: mark %s flapping: %w", o.Address, err)
			}
		}
	}
	open, err := queryDrift(ctx, tx, `WHERE playbook = ? AND resolved IS NULL ORDER BY address`, c.Playbook)
	if err != nil {
		return nil, err
	}
	var still []drift.Episode
	for _, r := range open {
		if keep[r.Address] {
			still = append(still, r)
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drift SET resolved = ? WHERE id = ?`, now, r.ID); err != nil {
			return nil, fmt.Errorf("journal: close the drift of %s: %w", r.Address, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("journal: record drift: %w", err)
	}
	return still, nil
}

// correctionsSince counts the applied corrections of an address made after
// since and after the last time a person cleared it.
func correctionsSince(ctx context.Context, tx *txn, playbook, address string, since time.Time) (int, error) {
	from := driftStamp(since)
	var reviewed sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT max(time) FROM drift_reviews WHERE playbook = ? AND address = ?`, playbook, address).Scan(&reviewed); err != nil {
		return 0, fmt.Errorf("journal: read the reviews of %s: %w", address, err)
	}
	if reviewed.Valid && reviewed.String > from {
		from = reviewed.String
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM drift_corrections c JOIN drift d ON d.id = c.drift_id
		WHERE d.playbook = ? AND d.address = ? AND c.status = 'applied' AND c.time > ?`, playbook, address, from).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("journal: count the corrections of %s: %w", address, err)
	}
	return n, nil
}

// RecordCorrection records a correction made to an open drift episode of
// playbook. It reports false, and records nothing, when the address has no
// open episode (a change a trigger caused, not a drift).
func (j *Journal) RecordCorrection(ctx context.Context, playbook string, c drift.CorrectionResult) (bool, error) {
	tx, err := j.begin(ctx)
	if err != nil {
		return false, fmt.Errorf("journal: record the correction of %s: %w", c.Address, err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM drift WHERE playbook = ? AND address = ? AND resolved IS NULL`, playbook, c.Address).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("journal: record the correction of %s: %w", c.Address, err)
	}
	at := driftStamp(c.Time)
	if _, err := tx.ExecContext(ctx, `INSERT INTO drift_corrections(drift_id, run_id, time, status, error) VALUES (?, ?, ?, ?, ?)`, id, c.RunID, at, c.Status, c.Error); err != nil {
		return false, fmt.Errorf("journal: record the correction of %s: %w", c.Address, err)
	}
	if c.Status == "applied" && c.Converged {
		if _, err := tx.ExecContext(ctx, `UPDATE drift SET resolved = ? WHERE id = ?`, at, id); err != nil {
			return false, fmt.Errorf("journal: close the drift of %s: %w", c.Address, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("journal: record the correction of %s: %w", c.Address, err)
	}
	return true, nil
}

// ErrNotFlapping is returned by ClearFlapping for an address that is not
// flapping.
var ErrNotFlapping = errors.New("not flapping")

// ClearFlapping records that a person looked at a flapping item: it is
// corrected again, and only corrections made after now count towards
// flapping.
func (j *Journal) ClearFlapping(ctx context.Context, playbook, address string, now time.Time) error {
	tx, err := j.begin(ctx)
	if err != nil {
		return fmt.Errorf("journal: clear flapping of %s: %w", address, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE drift SET flapping = 0 WHERE playbook = ? AND address = ? AND resolved IS NULL AND flapping = 1`, playbook, address)
	if err != nil {
		return fmt.Errorf("journal: clear flapping of %s: %w", address, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("journal: clear flapping of %s: %w", address, err)
		}
		return fmt.Errorf("journal: %s of playbook %s: %w", address, playbook, ErrNotFlapping)
	}
	who := j.who
	if _, err := tx.ExecContext(ctx, `INSERT INTO drift_reviews(playbook, address, time, "user") VALUES (?, ?, ?, ?)`, playbook, address, driftStamp(now), who); err != nil {
		return fmt.Errorf("journal: clear flapping of %s: %w", address, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal: clear flapping of %s: %w", address, err)
	}
	return nil
}

// DriftQuery selects drift episodes for DriftHistory.
type DriftQuery struct {
	// Playbook, when set, keeps that playbook's episodes only.
	Playbook string
	// Since, when set, keeps episodes still open at or after it.
	Since time.Time
	// Open keeps the episodes that still drift.
	Open bool
	// Limit bounds the answer; 0 means 200.
	Limit int
}

// DriftHistory lists what drifted over time, newest episode first, each
// with its corrections in the order they were made.
func (j *Journal) DriftHistory(ctx context.Context, q DriftQuery) ([]drift.Episode, error) {
	var where []string
	var args []any
	if q.Playbook != "" {
		where, args = append(where, "playbook = ?"), append(args, q.Playbook)
	}
	if !q.Since.IsZero() {
		where, args = append(where, "(resolved IS NULL OR resolved >= ?)"), append(args, driftStamp(q.Since))
	}
	if q.Open {
		where = append(where, "resolved IS NULL")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 200
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	tx, err := j.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("journal: read drift: %w", err)
	}
	defer tx.Rollback()
	out, err := queryDrift(ctx, tx, clause+" ORDER BY first_seen DESC, id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Corrections, err = corrections(ctx, tx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

const driftColumns = `id, playbook, address, step, host, action, object, first_seen, last_seen, last_run_id, resolved, flapping, flapping_since`

func queryDrift(ctx context.Context, tx *txn, rest string, args ...any) ([]drift.Episode, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+driftColumns+` FROM drift `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: read drift: %w", err)
	}
	defer rows.Close()
	var out []drift.Episode
	for rows.Next() {
		var r drift.Episode
		var first, last, resolved, since sql.NullString
		if err := rows.Scan(&r.ID, &r.Playbook, &r.Address, &r.Step, &r.Host, &r.Action, &r.Object, &first, &last, &r.LastRunID, &resolved, &r.Flapping, &since); err != nil {
			return nil, fmt.Errorf("journal: read drift: %w", err)
		}
		r.FirstSeen, r.LastSeen, r.Resolved, r.FlappingSince = parseStamp(first), parseStamp(last), parseStamp(resolved), parseStamp(since)
		out = append(out, r)
	}
	return out, rows.Err()
}

func corrections(ctx context.Context, tx *txn, driftID int64) ([]drift.Correction, error) {
	rows, err := tx.QueryContext(ctx, `SELECT run_id, time, status, error FROM drift_corrections WHERE drift_id = ? ORDER BY id`, driftID)
	if err != nil {
		return nil, fmt.Errorf("journal: read corrections: %w", err)
	}
	defer rows.Close()
	var out []drift.Correction
	for rows.Next() {
		var c drift.Correction
		var at sql.NullString
		if err := rows.Scan(&c.RunID, &at, &c.Status, &c.Error); err != nil {
			return nil, fmt.Errorf("journal: read corrections: %w", err)
		}
		c.Time = parseStamp(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetPlanDigest records the digest of the plan a run made after it
// started (a drift run plans once it holds the lock).
func (r *Run) SetPlanDigest(ctx context.Context, digest string) error {
	if _, err := r.j.exec(ctx, `UPDATE runs SET plan_digest = ? WHERE id = ?`, digest, r.ID); err != nil {
		return fmt.Errorf("journal: record the plan of run %d: %w", r.ID, err)
	}
	return nil
}
