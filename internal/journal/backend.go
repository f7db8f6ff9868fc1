package journal

import (
	"context"
	"database/sql"
	"time"
)

// backend is what differs between the journal's two databases: SQLite, a
// file for one person, and PostgreSQL, shared by a team. The journal's
// statements are the same over both.
type backend interface {
	// rebind turns a statement's ? placeholders into the backend's.
	rebind(q string) string
	// serialize makes a write transaction exclusive: it runs first in
	// every write transaction.
	serialize(ctx context.Context, tx *sql.Tx) error
	// hasMeta reports whether the journal has its meta table (a new one
	// has none).
	hasMeta(ctx context.Context, t *txn) (bool, error)
	// migrations are the schema's versions, each from the one before.
	migrations() []migration
	// now is the time leases are measured by: the database's clock where
	// there is a server, so that processes on machines whose clocks differ
	// agree on when a lease ran out.
	now(ctx context.Context, t *txn) (time.Time, error)
	// identity is the person the journal records as acting: the OS account
	// (SQLite) or the role the database authenticated (PostgreSQL).
	identity(ctx context.Context, db *sql.DB) (string, error)
	// damaged returns a *DamagedError when err says the journal cannot be
	// read, and nil otherwise.
	damaged(where string, err error) error
}

// migration upgrades the schema from one version to the next, inside the
// migration's transaction.
type migration func(ctx context.Context, t *txn) error

// execAll returns a migration that runs statements in order.
func execAll(stmts ...string) migration {
	return func(ctx context.Context, t *txn) error {
		for _, s := range stmts {
			if _, err := t.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
}
