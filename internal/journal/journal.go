package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Journal is an open journal: a SQLite file or a PostgreSQL database. It
// is safe for concurrent use.
type Journal struct {
	db *sql.DB
	b  backend
	// path names the journal in messages: the file's path, or the
	// database's URL (which never holds a password).
	path string
	// who is the person the journal records as acting (see Identity).
	who string
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

// IsURL reports whether state names a PostgreSQL database
// (postgres://... or postgresql://...) rather than a SQLite file.
func IsURL(state string) bool {
	return strings.HasPrefix(state, "postgres://") || strings.HasPrefix(state, "postgresql://")
}

// Open opens the journal named by state, creating or upgrading its
// tables: a postgres:// URL opens a PostgreSQL database shared by a team,
// anything else is the path of a SQLite file (created if needed).
func Open(ctx context.Context, state string) (*Journal, error) {
	if IsURL(state) {
		return openPostgres(ctx, state)
	}
	return openSQLite(ctx, state)
}

// whoIs asks the backend who the journal records as acting.
func (j *Journal) whoIs(ctx context.Context) error {
	who, err := j.b.identity(ctx, j.db)
	if err != nil {
		return fmt.Errorf("open journal %s: find who is connected: %w", j.path, err)
	}
	j.who = who
	return nil
}

// Identity returns the person the journal records as acting for this
// process: the OS account for a SQLite journal, the role the database
// authenticated for a PostgreSQL one. Plans, approvals and runs are
// attributed to it.
func (j *Journal) Identity() string { return j.who }

// Close closes the database.
func (j *Journal) Close() error { return j.db.Close() }

// Path returns the journal's name in messages: the SQLite file's path or
// the PostgreSQL URL, without a password.
func (j *Journal) Path() string { return j.path }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseStamp(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s.String)
	return t
}

// splitStatements splits a schema into its statements, one per Exec.
func splitStatements(schema string) []string {
	var out []string
	for _, s := range strings.Split(schema, ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
