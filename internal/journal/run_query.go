package journal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/operation"
)

// RunQuery selects runs for FindRuns. Its zero value selects every run.
type RunQuery struct {
	// Kind keeps only runs of this kind; "" keeps every kind.
	Kind operation.Kind
	// Since keeps only runs started at or after it; zero keeps all.
	Since time.Time
	// Before keeps only runs whose id is below it, to read on from the
	// last run of a page; 0 starts from the newest.
	Before int64
	// Limit is how many runs at most; 0 means no limit.
	Limit int
}

// FindRuns lists the runs q selects, newest first.
func (j *Journal) FindRuns(ctx context.Context, q RunQuery) ([]RunRecord, error) {
	var (
		where []string
		args  []any
	)
	if q.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(q.Kind))
	}
	if q.Before > 0 {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	query := `SELECT ` + runColumns + ` FROM runs`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY id DESC`
	rows, err := j.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: list runs: %w", err)
	}
	defer rows.Close()
	var out []RunRecord
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		// Times are compared as times: their text does not sort.
		if !q.Since.IsZero() && r.Started.Before(q.Since) {
			continue
		}
		out = append(out, r)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, rows.Err()
}
