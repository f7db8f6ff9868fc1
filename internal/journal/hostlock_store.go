package journal

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/operation"
)

// Acquire takes the locks of hosts for h in one write transaction (write
// transactions exclude each other on both backends, see begin, so two
// processes cannot both find a host free and both take it). The rows stay
// after their holder is gone, naming it, until another run takes them over.
func (j *Journal) Acquire(ctx context.Context, h operation.Holder, hosts []string, until time.Time) error {
	tx, err := j.begin(ctx)
	if err != nil {
		return fmt.Errorf("journal: take the host locks: %w", err)
	}
	defer tx.Rollback()
	held, err := heldLocks(ctx, tx, hosts)
	if err != nil {
		return err
	}
	now, until, err := j.journalClock(ctx, tx, until)
	if err != nil {
		return fmt.Errorf("journal: take the host locks: %w", err)
	}
	_, machine := whoAmI()
	var busy []operation.HostHolder
	for _, hh := range held {
		if hh.Holder == h {
			continue
		}
		if !HolderGone(hh, now, machine) {
			busy = append(busy, hh)
		}
	}
	if len(busy) > 0 {
		return &operation.HostsLockedError{Held: busy}
	}
	for _, host := range hosts {
		// Any row left is a gone holder's, or h's own: replace it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO host_locks(host, run_id, "user", machine, pid, acquired, expires) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(host) DO UPDATE SET run_id = excluded.run_id, "user" = excluded."user", machine = excluded.machine, pid = excluded.pid, acquired = excluded.acquired, expires = excluded.expires`,
			host, h.RunID, h.User, h.Machine, h.PID, stamp(now), stamp(until)); err != nil {
			return fmt.Errorf("journal: take the lock on %s: %w", host, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal: take the host locks: %w", err)
	}
	return nil
}

// maxHostsPerQuery keeps the number of a query's parameters well under
// SQLite's limit.
const maxHostsPerQuery = 500

// heldLocks reads the locks of hosts, sorted by holder and host.
func heldLocks(ctx context.Context, tx *txn, hosts []string) ([]operation.HostHolder, error) {
	var out []operation.HostHolder
	for chunk := range slices.Chunk(hosts, maxHostsPerQuery) {
		args := make([]any, len(chunk))
		for i, h := range chunk {
			args[i] = h
		}
		rows, err := tx.QueryContext(ctx, `SELECT l.host, l.run_id, l."user", l.machine, l.pid, l.acquired, l.expires, COALESCE(r.kind, '')
			FROM host_locks l LEFT JOIN runs r ON r.id = l.run_id
			WHERE l.host IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("journal: read the host locks: %w", err)
		}
		for rows.Next() {
			var hh operation.HostHolder
			var acquired, expires sql.NullString
			if err := rows.Scan(&hh.Host, &hh.RunID, &hh.User, &hh.Machine, &hh.PID, &acquired, &expires, &hh.Kind); err != nil {
				rows.Close()
				return nil, fmt.Errorf("journal: read the host locks: %w", err)
			}
			hh.Acquired, hh.Expires = parseStamp(acquired), parseStamp(expires)
			out = append(out, hh)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("journal: read the host locks: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b operation.HostHolder) int {
		if a.RunID != b.RunID {
			return cmp.Compare(a.RunID, b.RunID)
		}
		return strings.Compare(a.Host, b.Host)
	})
	return out, nil
}

// Renew extends h's locks of hosts.
func (j *Journal) Renew(ctx context.Context, h operation.Holder, hosts []string, until time.Time) error {
	tx, err := j.begin(ctx)
	if err != nil {
		return fmt.Errorf("journal: renew the host locks: %w", err)
	}
	defer tx.Rollback()
	if _, until, err = j.journalClock(ctx, tx, until); err != nil {
		return fmt.Errorf("journal: renew the host locks: %w", err)
	}
	for _, host := range hosts {
		res, err := tx.ExecContext(ctx, `UPDATE host_locks SET expires = ? WHERE host = ? AND run_id = ? AND machine = ? AND pid = ?`,
			stamp(until), host, h.RunID, h.Machine, h.PID)
		if err != nil {
			return fmt.Errorf("journal: renew the lock on %s: %w", host, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("%s: %w", host, operation.ErrLeaseLost)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal: renew the host locks: %w", err)
	}
	return nil
}

// Release drops h's locks of hosts; locks taken over meanwhile stay.
func (j *Journal) Release(ctx context.Context, h operation.Holder, hosts []string) error {
	tx, err := j.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, host := range hosts {
		if _, err := tx.ExecContext(ctx, `DELETE FROM host_locks WHERE host = ? AND run_id = ? AND machine = ? AND pid = ?`,
			host, h.RunID, h.Machine, h.PID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// journalClock returns the time now by the clock leases are measured by
// (the database server's, for a shared journal) and t moved onto that
// clock, so that processes on machines whose clocks differ agree on when
// a lease runs out.
func (j *Journal) journalClock(ctx context.Context, t *txn, at time.Time) (now, moved time.Time, err error) {
	local := time.Now()
	now, err = j.b.now(ctx, t)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return now, at.Add(now.Sub(local)), nil
}
