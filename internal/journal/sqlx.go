package journal

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// The journal's statements are written once, with ? placeholders, in the
// SQL both backends read; rebind turns the placeholders into a backend's
// own ($1, $2 ... for PostgreSQL).

// rebindDollar numbers the ? placeholders of q outside quoted text.
func rebindDollar(q string) string {
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// exec, query and queryRow run a statement outside a transaction.
func (j *Journal) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return j.db.ExecContext(ctx, j.b.rebind(q), args...)
}

func (j *Journal) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return j.db.QueryContext(ctx, j.b.rebind(q), args...)
}

func (j *Journal) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return j.db.QueryRowContext(ctx, j.b.rebind(q), args...)
}

// txn is one journal transaction.
type txn struct {
	tx *sql.Tx
	b  backend
}

// begin starts a write transaction. Write transactions of one journal
// run one at a time, across processes: SQLite's IMMEDIATE transactions
// take the file's write lock, and PostgreSQL's take one transaction-scoped
// advisory lock first. A check and the write it allows (a host free, a
// plan not yet applied, a cycle not yet run) are therefore never
// interleaved with another's.
func (j *Journal) begin(ctx context.Context) (*txn, error) {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := j.b.serialize(ctx, tx); err != nil {
		tx.Rollback()
		return nil, err
	}
	return &txn{tx: tx, b: j.b}, nil
}

// beginRead starts a read-only transaction: one consistent view.
func (j *Journal) beginRead(ctx context.Context) (*txn, error) {
	tx, err := j.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return &txn{tx: tx, b: j.b}, nil
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.b.rebind(q), args...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.b.rebind(q), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.b.rebind(q), args...)
}

func (t *txn) Commit() error   { return t.tx.Commit() }
func (t *txn) Rollback() error { return t.tx.Rollback() }
