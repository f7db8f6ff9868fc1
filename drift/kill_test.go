package drift_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/operation"
)

// TestKilledMidCycleThenRestarted starts a watcher process, kills it with
// SIGKILL while a correction is in flight, and restarts: the journal is
// intact and says what was in flight, the dead process's host locks are
// taken over, and the next cycle finishes the job.
func TestKilledMidCycleThenRestarted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	e.breakConnector(t, "ex02")
	// Slow answers keep each correction in flight long enough to be
	// caught there.
	for _, h := range []string{"ex01", "ex02"} {
		if err := e.h.Lab.SetWinRMFaults(h, wsman.Faults{Latency: 150 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	dbPath := filepath.Join(e.dir, "journal.db")
	accessPath := filepath.Join(e.dir, "access.json")
	raw, err := json.Marshal(e.access(dbPath))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(accessPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+accessPath, envChildPassword+"="+e.h.Lab.Password())
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Wait for a change recorded as starting and not yet finished.
	var runID int64
	deadline := time.Now().Add(60 * time.Second)
	for runID == 0 {
		select {
		case err := <-exited:
			t.Fatalf("the watcher process ended before a change was in flight: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no change in flight:\n%s", stderr.String())
		}
		runs, err := e.journal.Runs(ctx, 1)
		if err == nil && len(runs) == 1 {
			if _, changes, err := e.journal.Run(ctx, runs[0].ID); err == nil && slices.ContainsFunc(changes, func(c journal.ChangeRecord) bool { return c.Status == journal.InFlight }) {
				runID = runs[0].ID
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	for _, h := range []string{"ex01", "ex02"} {
		if err := e.h.Lab.SetWinRMFaults(h, wsman.Faults{}); err != nil {
			t.Fatal(err)
		}
	}

	// The journal holds the killed run, unfinished, with its change in
	// flight, and the database is intact.
	killed, changes, err := e.journal.Run(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if killed.Outcome != operation.Running || !killed.Unfinished {
		t.Errorf("killed run: %+v", killed)
	}
	if n := countStatus(changes, journal.InFlight); n != 1 {
		t.Errorf("%d change(s) in flight, want 1: %+v", n, changes)
	}
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	var holders, locked int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT run_id), COUNT(*) FROM host_locks WHERE run_id = ?`, runID).Scan(&holders, &locked); err != nil || holders != 1 || locked != 4 {
		t.Errorf("the killed run %d holds %d host locks (%v); want all 4 hosts", runID, locked, err)
	}
	db.Close()
	if open := e.openDrift(t); len(open) == 0 {
		t.Error("the killed cycle's drift is not in the journal")
	}

	// The restarted watcher takes the dead process's locks over and
	// finishes the job.
	rep := e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{}))
	if rep.Outcome != string(operation.Succeeded) {
		t.Fatalf("restarted cycle: %s %s %v", rep.Outcome, rep.Skipped, rep.Errors)
	}
	for _, h := range []string{"ex01", "ex02"} {
		if v, _ := e.logLevel(t, h); v != uint32(1) {
			t.Errorf("%s: LogLevel = %v after the restart", h, v)
		}
	}
	if !slices.Contains(e.connectorAuth(t, "ex02"), "ExchangeServer") {
		t.Error("the connector was not corrected after the restart")
	}
	if open := e.openDrift(t); len(open) != 0 {
		t.Errorf("drift still open after the restarted cycle: %v", keys(open))
	}
	if rep := e.once(t, e.watcher(t, drift.Correct, drift.FlapPolicy{})); len(rep.Items) != 0 {
		t.Errorf("drift after the restarted cycle: %q", items(rep))
	}
	if strings.Contains(stderr.String(), e.h.Lab.Password()) {
		t.Error("the watcher process logged the password")
	}
}

func countStatus(changes []journal.ChangeRecord, status string) int {
	n := 0
	for _, c := range changes {
		if c.Status == status {
			n++
		}
	}
	return n
}
