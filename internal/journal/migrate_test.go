package journal

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/pgtest"
	"github.com/rectifyhq/rectify/operation"
)

// oldRun is written into a journal of an earlier schema with the columns
// every version has; after the upgrade it must read back the same.
func writeOldRun(t *testing.T, db *sql.DB, rebind func(string) string) {
	t.Helper()
	if _, err := db.Exec(rebind(`INSERT INTO runs(kind, started, finished, "user", machine, pid, playbook, playbook_digest, inventory, inventory_digest, plan_digest, outcome, summary)
		VALUES ('apply', '2026-11-01T10:00:00Z', '2026-11-01T10:05:00Z', 'alice', 'adm01', 4242, 'exchange-454', 'sha256:p', 'inv.hcl', 'sha256:i', 'sha256:old', 'succeeded', '1 applied')`)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(rebind(`INSERT INTO changes(run_id, address, step, host, action, object, planned, status, undo, started, finished)
		VALUES (1, 'step.smtp[ex01]', 'smtp', 'ex01', 'create', 'SPN', '{"action":"create"}', 'applied', '{"remove":["SMTP/EX01"]}', '2026-11-01T10:01:00Z', '2026-11-01T10:02:00Z')`)); err != nil {
		t.Fatal(err)
	}
}

// checkUpgraded checks that an upgraded journal kept the old run, is at
// the current version, and does what the current version adds.
func checkUpgraded(t *testing.T, state string) {
	t.Helper()
	ctx := context.Background()
	j, err := Open(ctx, state)
	if err != nil {
		t.Fatalf("open the old journal: %v", err)
	}
	defer j.Close()
	if v, err := j.SchemaVersion(ctx); err != nil || v != schemaVersion {
		t.Fatalf("schema version after the upgrade = %d, %v; want %d", v, err, schemaVersion)
	}
	rec, changes, err := j.Run(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Playbook != "exchange-454" || rec.User != "alice" || rec.Outcome != operation.Succeeded || len(changes) != 1 || string(changes[0].Undo) != `{"remove":["SMTP/EX01"]}` {
		t.Errorf("the old run after the upgrade = %+v, %+v", rec, changes)
	}
	// A replay of the old run's plan is still refused.
	var replay *operation.ReplayError
	if _, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, PlanDigest: "sha256:old"}); !errors.As(err, &replay) {
		t.Errorf("apply of the plan the old journal applied: %v, want a replay refusal", err)
	}
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: "exchange-454", PlanDigest: "sha256:new"})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Acquire(ctx, holderOf(run), []string{"ex01"}, time.Now().Add(time.Minute)); err != nil {
		t.Errorf("host lock in the upgraded journal: %v", err)
	}
	if err := j.RegisterPlan(ctx, PlanInfo{Digest: "sha256:new", Playbook: "exchange-454", Required: 1}); err != nil {
		t.Errorf("register a plan in the upgraded journal: %v", err)
	}
	// Opening again changes nothing.
	again, err := Open(ctx, state)
	if err != nil {
		t.Fatalf("open the upgraded journal again: %v", err)
	}
	again.Close()
}

func TestSQLiteUpgradesFromEveryEarlierSchema(t *testing.T) {
	fixtures, err := filepath.Glob("testdata/sqlite-v1-*.sql")
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no schema fixtures: %v", err)
	}
	for _, f := range fixtures {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".sql"), func(t *testing.T) {
			ddl, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "journal.db")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range splitStatements(string(ddl)) {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			writeOldRun(t, db, func(q string) string { return q })
			db.Close()
			checkUpgraded(t, path)
		})
	}
}

func TestPostgresUpgradesFromEveryEarlierSchema(t *testing.T) {
	steps := postgresBackend{}.migrations()
	for v := 1; v < len(steps); v++ {
		t.Run("v"+string(rune('0'+v)), func(t *testing.T) {
			pg := pgtest.Database(t)
			db, err := sql.Open("pgx", pg.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			j := &Journal{db: db, b: postgresBackend{}}
			ctx := context.Background()
			tx, err := j.begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range steps[:v] {
				if err := step(ctx, tx); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('schema_version', ?)`, string(rune('0'+v))); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			writeOldRun(t, db, rebindDollar)
			checkUpgraded(t, pg.URL)
		})
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, fresh freshState) {
		ctx := context.Background()
		j, state := openFresh(t, fresh)
		if _, err := j.exec(ctx, `UPDATE meta SET value = '99' WHERE key = 'schema_version'`); err != nil {
			t.Fatal(err)
		}
		_, err := Open(ctx, state)
		if !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("open a journal of schema version 99: %v, want ErrNewerSchema", err)
		}
	})
}
