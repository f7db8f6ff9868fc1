package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// schemaVersion is the version of the tables this build creates and reads.
const schemaVersion = 1

const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	kind             TEXT NOT NULL,
	started          TEXT NOT NULL,
	finished         TEXT,
	user             TEXT NOT NULL,
	machine          TEXT NOT NULL,
	pid              INTEGER NOT NULL,
	playbook         TEXT NOT NULL,
	playbook_digest  TEXT NOT NULL,
	inventory        TEXT NOT NULL,
	inventory_digest TEXT NOT NULL,
	plan_digest      TEXT NOT NULL,
	window_override  TEXT NOT NULL DEFAULT '',
	outcome          TEXT NOT NULL DEFAULT 'running',
	summary          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS changes (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	run_id    INTEGER NOT NULL REFERENCES runs(id),
	address   TEXT NOT NULL,
	step      TEXT NOT NULL,
	host      TEXT NOT NULL,
	action    TEXT NOT NULL,
	object    TEXT NOT NULL,
	planned   TEXT NOT NULL,
	status    TEXT NOT NULL,
	error     TEXT NOT NULL DEFAULT '',
	after     TEXT NOT NULL DEFAULT '',
	undo      TEXT NOT NULL DEFAULT '',
	messages  TEXT NOT NULL DEFAULT '',
	started   TEXT NOT NULL,
	finished  TEXT
);
CREATE INDEX IF NOT EXISTS changes_run ON changes(run_id);
CREATE TABLE IF NOT EXISTS locks (
	name     TEXT PRIMARY KEY,
	run_id   INTEGER NOT NULL,
	user     TEXT NOT NULL,
	machine  TEXT NOT NULL,
	pid      INTEGER NOT NULL,
	acquired TEXT NOT NULL
);
`

// Journal is an open journal database. It is safe for concurrent use.
type Journal struct {
	db   *sql.DB
	path string
}

// DefaultPath returns the journal's default location under the user's
// state directory: %LOCALAPPDATA%\rectify\journal.db on Windows, and
// elsewhere $XDG_STATE_HOME/rectify/journal.db, or
// $HOME/.local/state/rectify/journal.db. It reads the environment through
// lookupEnv: a caller that gives a process an environment of its own (a
// test, a service) decides where its journal is.
func DefaultPath(lookupEnv func(string) (string, bool)) (string, error) {
	return defaultPath(runtime.GOOS, lookupEnv)
}

// defaultPath is DefaultPath for the operating system goos.
func defaultPath(goos string, lookupEnv func(string) (string, bool)) (string, error) {
	getenv := func(k string) string { v, _ := lookupEnv(k); return v }
	if goos == "windows" {
		d := getenv("LOCALAPPDATA")
		if d == "" {
			return "", errors.New("find the state directory: %LOCALAPPDATA% is not set; give -state")
		}
		return filepath.Join(d, "rectify", "journal.db"), nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "rectify", "journal.db"), nil
	}
	h := getenv("HOME")
	if h == "" {
		return "", errors.New("find the state directory: neither XDG_STATE_HOME nor HOME is set; give -state")
	}
	return filepath.Join(h, ".local", "state", "rectify", "journal.db"), nil
}

// Open opens (creating if needed) the journal at path. The journal and
// its -wal and -shm files are readable by their owner only: they record
// what was changed where, and by whom.
func Open(ctx context.Context, path string) (*Journal, error) {
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
	j := &Journal{db: db, path: path}
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
	return j, nil
}

func (j *Journal) migrate(ctx context.Context) error {
	if _, err := j.db.ExecContext(ctx, schema); err != nil {
		return err
	}
	if err := j.migrateDrift(ctx); err != nil {
		return err
	}
	if err := j.migrateRuns(ctx); err != nil {
		return err
	}
	if err := j.migrateHostLocks(ctx); err != nil {
		return err
	}
	// Two processes may open a new journal at once: the first to insert
	// the version wins, and both then read it.
	if _, err := j.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)`, fmt.Sprint(schemaVersion)); err != nil {
		return err
	}
	var v string
	if err := j.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil {
		return err
	}
	if v != fmt.Sprint(schemaVersion) {
		return fmt.Errorf("the journal has schema version %s; this rectify reads version %d", v, schemaVersion)
	}
	return nil
}

// Close closes the database.
func (j *Journal) Close() error { return j.db.Close() }

// Path returns the database file's path.
func (j *Journal) Path() string { return j.path }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseStamp(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s.String)
	return t
}
