package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresBackend is the journal in a PostgreSQL database, shared by a
// team.
type postgresBackend struct{}

var _ backend = postgresBackend{}

// writeLockKey is the advisory lock every write transaction takes first
// (an arbitrary number, the journal's own: "rctf").
const writeLockKey = 0x72637466

func (postgresBackend) rebind(q string) string { return rebindDollar(q) }

func (postgresBackend) hasMeta(ctx context.Context, t *txn) (bool, error) {
	var has bool
	err := t.QueryRowContext(ctx, `SELECT to_regclass('meta') IS NOT NULL`).Scan(&has)
	return has, err
}

func (postgresBackend) serialize(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey)
	return err
}

func (postgresBackend) now(ctx context.Context, t *txn) (time.Time, error) {
	var now time.Time
	err := t.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now)
	return now, err
}

// identity is the role the database authenticated (session_user): what
// the server proved, by password, certificate or peer authentication,
// rather than what the client claims.
func (postgresBackend) identity(ctx context.Context, db *sql.DB) (string, error) {
	var who string
	err := db.QueryRowContext(ctx, `SELECT session_user`).Scan(&who)
	return who, err
}

func (postgresBackend) damaged(string, error) error { return nil }

func (postgresBackend) migrations() []migration {
	return []migration{
		execAll(append(splitStatements(ddl(schemaV1, postgresID)),
			`ALTER TABLE runs ADD COLUMN plan_age_override TEXT NOT NULL DEFAULT ''`,
			`CREATE INDEX runs_plan ON runs(plan_digest)`)...),
		execAll(splitStatements(ddl(schemaV2, postgresID))...),
	}
}

// ErrPasswordInURL refuses a journal URL that holds a password: the URL
// is shown in messages, logs and process lists.
var ErrPasswordInURL = errors.New("the journal URL holds a password; give it in PGPASSWORD or a PGPASSFILE instead, so that it is never shown")

// RedactURL returns state with any password replaced by "xxxxx", for
// messages about a URL that was refused.
func RedactURL(state string) string {
	u, err := url.Parse(state)
	if err != nil {
		return "(an unreadable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// checkURL refuses a URL that holds a password, naming the URL without
// it.
func checkURL(state string) error {
	u, err := url.Parse(state)
	if err != nil {
		// url's error repeats the URL: say what is wrong without it.
		return fmt.Errorf("the journal URL is not a URL")
	}
	if _, ok := u.User.Password(); ok || u.Query().Has("password") {
		return fmt.Errorf("journal %s: %w", RedactURL(state), ErrPasswordInURL)
	}
	return nil
}

// openPostgres opens the journal in the PostgreSQL database at url,
// creating or upgrading its tables. The password comes from PGPASSWORD or
// the PGPASSFILE (~/.pgpass by default), as for psql.
func openPostgres(ctx context.Context, state string) (*Journal, error) {
	if err := checkURL(state); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(state)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", state, err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	j := &Journal{db: db, b: postgresBackend{}, path: state}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open journal %s: %w", state, err)
	}
	if err := j.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open journal %s: %w", state, err)
	}
	if err := j.whoIs(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}
