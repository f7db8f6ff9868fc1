package pgtest

import (
	"database/sql"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestDatabasesAreSeparateAndRolesAreWhoTheyClaim(t *testing.T) {
	a, b := Database(t), Database(t)
	if a.URL == b.URL {
		t.Fatalf("two tests share database %s", a.URL)
	}
	a.Exec(t, `CREATE TABLE x (v INT)`)
	db, err := sql.Open("pgx", a.As(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var who string
	if err := db.QueryRow(`SELECT session_user`).Scan(&who); err != nil || who != "alice" {
		t.Fatalf("session_user = %q, %v; want alice", who, err)
	}
	other, err := sql.Open("pgx", b.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`SELECT v FROM x`); err == nil {
		t.Fatal("a table of one test's database is visible in another's")
	}
}
