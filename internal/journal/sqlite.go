package journal

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqliteBackend is the journal in one SQLite file, for one person.
type sqliteBackend struct{ path string }

var _ backend = sqliteBackend{}

func (sqliteBackend) rebind(q string) string { return q }

func (sqliteBackend) hasMeta(ctx context.Context, t *txn) (bool, error) {
	var n int
	err := t.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).Scan(&n)
	return n > 0, err
}

// serialize has nothing to do: the journal opens SQLite's write
// transactions IMMEDIATE, which takes the file's write lock at BEGIN.
func (sqliteBackend) serialize(context.Context, *sql.Tx) error { return nil }

func (sqliteBackend) now(context.Context, *txn) (time.Time, error) { return time.Now(), nil }

func (sqliteBackend) identity(context.Context, *sql.DB) (string, error) { return osUser(), nil }

func (b sqliteBackend) damaged(_ string, err error) error { return damaged(b.path, err) }

func (sqliteBackend) migrations() []migration {
	return []migration{sqliteV1, execAll(splitStatements(ddl(schemaV2, sqliteID))...)}
}

// sqliteV1 creates version 1, or completes a version-1 journal made by an
// older build: the tables of drift and host locks and the runs' plan age
// override came later under the same version.
func sqliteV1(ctx context.Context, t *txn) error {
	if err := execAll(splitStatements(ddl(schemaV1, sqliteID))...)(ctx, t); err != nil {
		return err
	}
	has, err := hasColumn(ctx, t, "runs", "plan_age_override")
	if err != nil {
		return err
	}
	if !has {
		if _, err := t.ExecContext(ctx, `ALTER TABLE runs ADD COLUMN plan_age_override TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("add the plan age override to the runs: %w", err)
		}
	}
	if _, err := t.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS runs_plan ON runs(plan_digest)`); err != nil {
		return fmt.Errorf("index the runs by plan: %w", err)
	}
	return nil
}

func hasColumn(ctx context.Context, t *txn, table, column string) (bool, error) {
	rows, err := t.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
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

// openSQLite opens (creating if needed) the journal file at path. The
// journal and its -wal and -shm files are readable by their owner only:
// they record what was changed where, and by whom.
func openSQLite(ctx context.Context, path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	created, err := ownerOnly(path)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if !created {
		if err := checkNotEmpty(ctx, path); err != nil {
			return nil, err
		}
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	j := &Journal{db: db, b: sqliteBackend{path: path}, path: path}
	// A damaged file is refused before anything is written to it.
	if err := j.checkIntact(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := j.migrate(ctx); err != nil {
		db.Close()
		if d := damaged(path, err); d != nil {
			return nil, d
		}
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	if err := j.whoIs(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}
