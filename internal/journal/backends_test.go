package journal

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rectifyhq/rectify/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// freshState names a new, empty journal of one backend, for Open.
type freshState func(t *testing.T) string

// eachBackend runs test over a SQLite journal and a PostgreSQL one: the
// journal's behaviour is the same over both.
func eachBackend(t *testing.T, test func(t *testing.T, fresh freshState)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "state", "journal.db") })
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, func(t *testing.T) string { return pgtest.Database(t).URL })
	})
}

// openFresh opens a new journal named by fresh.
func openFresh(t *testing.T, fresh freshState) (*Journal, string) {
	t.Helper()
	state := fresh(t)
	j, err := Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, state
}
