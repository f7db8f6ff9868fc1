package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// schemaVersion is the version of the tables this build creates and reads.
// Version 1 is the one-person journal (runs, changes, drift, host locks);
// version 2 adds what a team shares: who planned and approved each plan,
// the watchers' leadership terms and the schedule's cycles.
const schemaVersion = 2

// ErrNewerSchema says that the journal was upgraded by a newer rectify.
var ErrNewerSchema = errors.New("the journal was written by a newer rectify")

// migrate brings the journal's schema to schemaVersion, one version at a
// time, in one write transaction: processes opening one journal at once
// upgrade it once.
func (j *Journal) migrate(ctx context.Context) error {
	steps := j.b.migrations()
	t, err := j.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	// A journal of the current version is not altered: a shared one's
	// users need no right to change its tables.
	has, err := j.b.hasMeta(ctx, t)
	if err != nil {
		return err
	}
	if !has {
		if _, err := t.ExecContext(ctx, `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
			return err
		}
	}
	cur, err := readVersion(ctx, t)
	if err != nil {
		return err
	}
	if cur > len(steps) {
		return fmt.Errorf("the journal has schema version %d; this rectify reads version %d: %w", cur, len(steps), ErrNewerSchema)
	}
	from := cur
	if _, ok := j.b.(sqliteBackend); ok && cur == 1 {
		// Journals of version 1 were extended in place (drift, host locks,
		// the plan age override) without a new version: version 1's step
		// adds whatever an older build's file lacks.
		from = 0
	}
	for v := from; v < len(steps); v++ {
		if err := steps[v](ctx, t); err != nil {
			return fmt.Errorf("upgrade the journal to schema version %d: %w", v+1, err)
		}
	}
	if cur != len(steps) {
		if _, err := t.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.Itoa(len(steps))); err != nil {
			return err
		}
	}
	return t.Commit()
}

// readVersion reads the schema version, 0 for a new journal.
func readVersion(ctx context.Context, t *txn) (int, error) {
	var v string
	err := t.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("the journal's schema version %q is not a number", v)
	}
	return n, nil
}

// SchemaVersion returns the version of the journal's schema.
func (j *Journal) SchemaVersion(ctx context.Context) (int, error) {
	t, err := j.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer t.Rollback()
	return readVersion(ctx, t)
}
