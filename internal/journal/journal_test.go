package journal

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

func openTemp(t *testing.T) (*Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "journal.db")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, path
}

func TestRunAndChangesRoundTrip(t *testing.T) { eachBackend(t, testRunAndChangesRoundTrip) }

func testRunAndChangesRoundTrip(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: "exchange-454", PlaybookDigest: "sha256:p", Inventory: "inv.hcl", InventoryDigest: "sha256:i", PlanDigest: "sha256:x", WindowOverride: "incident 4711"})
	if err != nil {
		t.Fatal(err)
	}
	in := plans.Instance{Address: "step.smtp[ex01]", Step: "smtp", Host: "ex01",
		Change: plans.Change{Action: plans.Create, Object: "SPN SMTP/EX01 on EX01$", Reason: "KB step 3"}}
	id, err := run.ChangeStarting(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// A second change is left in flight, as a killed process leaves it.
	if _, err := run.ChangeStarting(ctx, plans.Instance{Address: "step.smtp[ex02]", Step: "smtp", Host: "ex02", Change: plans.Change{Action: plans.Create}}); err != nil {
		t.Fatal(err)
	}
	fin := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	if err := run.ChangeFinished(ctx, id, plans.ChangeResult{Address: in.Address, Status: plans.Applied, Undo: json.RawMessage(`{"remove":["SMTP/EX01"]}`), Messages: []string{"added"}, Finished: fin}); err != nil {
		t.Fatal(err)
	}
	if err := run.Finish(ctx, operation.Succeeded, "1 applied"); err != nil {
		t.Fatal(err)
	}
	rec, changes, err := j.Run(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != operation.Succeeded || rec.WindowOverride != "incident 4711" || rec.Unfinished {
		t.Errorf("run record = %+v", rec)
	}
	got := []string{changes[0].Status, changes[1].Status}
	if diff := cmp.Diff([]string{"applied", InFlight}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if string(changes[0].Undo) != `{"remove":["SMTP/EX01"]}` || !changes[0].Finished.Equal(fin) || changes[0].Messages[0] != "added" {
		t.Errorf("change record = %+v", changes[0])
	}
	if _, _, err := j.Run(ctx, 999); !errors.Is(err, ErrNoRun) {
		t.Errorf("missing run: %v", err)
	}
	runs, err := j.Runs(ctx, 10)
	if err != nil || len(runs) != 1 {
		t.Errorf("Runs = %v, %v", runs, err)
	}
}

func TestConcurrentWritersDoNotCorrupt(t *testing.T) {
	eachBackend(t, testConcurrentWritersDoNotCorrupt)
}

func testConcurrentWritersDoNotCorrupt(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, path := openFresh(t, fresh)
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var wg sync.WaitGroup
	for _, jj := range []*Journal{j, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := jj.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply})
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < 50; i++ {
				id, err := run.ChangeStarting(ctx, plans.Instance{Address: "a", Change: plans.Change{Action: plans.Update}})
				if err != nil {
					t.Error(err)
					return
				}
				if err := run.ChangeFinished(ctx, id, plans.ChangeResult{Status: plans.Applied}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var n int
	if err := j.db.QueryRowContext(ctx, `SELECT count(*) FROM changes WHERE status = 'applied'`).Scan(&n); err != nil || n != 100 {
		t.Errorf("applied changes = %d, %v", n, err)
	}
	if _, ok := j.b.(sqliteBackend); ok {
		var check string
		if err := j.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("integrity_check = %q, %v", check, err)
		}
	}
}

func TestMemoryFollowsTemporaryChanges(t *testing.T) {
	eachBackend(t, testMemoryFollowsTemporaryChanges)
}

func testMemoryFollowsTemporaryChanges(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: "exchange-454"})
	if err != nil {
		t.Fatal(err)
	}
	set := plans.Instance{Address: "step.kerberos_log[ex01]", Change: plans.Change{Action: plans.Create, Expires: "2026-11-28T22:00:00Z"}}
	id, _ := run.ChangeStarting(ctx, set)
	if err := run.ChangeFinished(ctx, id, plans.ChangeResult{Status: plans.Applied, Undo: json.RawMessage(`{"previous":{"exists":false}}`)}); err != nil {
		t.Fatal(err)
	}
	mem, err := j.Memory(ctx, "exchange-454")
	if err != nil {
		t.Fatal(err)
	}
	m := mem["step.kerberos_log[ex01]"]
	if m == nil || m.Reverted || m.Expires.IsZero() || string(m.Undo) != `{"previous":{"exists":false}}` {
		t.Fatalf("memory after the temporary change = %+v", m)
	}
	revert := plans.Instance{Address: "step.kerberos_log[ex01]", Change: plans.Change{Action: plans.Delete, Revert: true}}
	id, _ = run.ChangeStarting(ctx, revert)
	if err := run.ChangeFinished(ctx, id, plans.ChangeResult{Status: plans.Applied}); err != nil {
		t.Fatal(err)
	}
	mem, _ = j.Memory(ctx, "exchange-454")
	if m := mem["step.kerberos_log[ex01]"]; m == nil || !m.Reverted || m.Expires.IsZero() {
		t.Errorf("memory after the revert = %+v", m)
	}
	if other, _ := j.Memory(ctx, "other"); len(other) != 0 {
		t.Errorf("another playbook's memory = %v", other)
	}
}

func TestConcurrentOpensOfANewJournal(t *testing.T) { eachBackend(t, testConcurrentOpensOfANewJournal) }

func testConcurrentOpensOfANewJournal(t *testing.T, fresh freshState) {
	path := fresh(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := Open(context.Background(), path)
			if err != nil {
				errs <- err
				return
			}
			j.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a concurrent open of a new journal failed: %v", err)
	}
}
