package drift_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// TestEditedPlaybookIsPickedUp: each cycle loads the playbook afresh, so
// an edit between cycles changes what the next cycle wants.
func TestEditedPlaybookIsPickedUp(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	dir := filepath.Join(t.TempDir(), "exchange-454")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(examplePlaybook, "playbook.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	pbFile := filepath.Join(dir, "playbook.hcl")
	if err := os.WriteFile(pbFile, src, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Mode: drift.Correct, Operator: e.operator(), Store: e.journal, Clock: e.clock, Logger: zerolog.New(e.logs),
		Prepare: func(ctx context.Context) (*drift.Cycle, error) {
			r, diags := playbooks.Load(dir, e.h.Registry, playbooks.EvalInput{Hosts: e.h.Hosts()})
			if diags.HasErrors() {
				return nil, diags
			}
			in, err := engine.NewInput(r, dir, e.h.Hosts(), plans.InventoryRef{Path: "/lab/inventory.hcl", Digest: "sha256:lab"}, nil)
			if err != nil {
				return nil, err
			}
			return &drift.Cycle{Input: in, Conns: e.h.NewConnections()}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	first := e.once(t, w)
	if first.Count(drift.Item.Corrected) != 4 {
		t.Fatalf("first cycle: %q", items(first))
	}
	edited := strings.Replace(string(src), "value   = 1\n", "value   = 2\n", 1)
	if edited == string(src) {
		t.Fatal("the example's LogLevel value was not found")
	}
	if err := os.WriteFile(pbFile, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	second := e.once(t, w)
	want := []string{"step.kerberos_errors[ex01] run corrected", "step.kerberos_errors[ex02] run corrected", "step.kerberos_log[ex01] update corrected", "step.kerberos_log[ex02] update corrected"}
	if diff := cmp.Diff(want, items(second)); diff != "" {
		t.Errorf("cycle after the edit (-want +got):\n%s", diff)
	}
	if v, _ := e.logLevel(t, "ex01"); v != uint32(2) {
		t.Errorf("LogLevel after the edit = %v", v)
	}
	r1, _, _ := e.journal.Run(context.Background(), first.RunID)
	r2, _, _ := e.journal.Run(context.Background(), second.RunID)
	if r1.PlaybookDigest == r2.PlaybookDigest || r2.PlaybookDigest == "" {
		t.Errorf("the runs record the same playbook digest %q", r1.PlaybookDigest)
	}
}

// TestBrokenPlaybookFailsTheCycleNotTheWatcher: a cycle whose playbook
// cannot be loaded is journaled as failed and the next one runs.
func TestBrokenPlaybookFailsTheCycleNotTheWatcher(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	broken := true
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Mode: drift.Monitor, Operator: e.operator(), Store: e.journal, Metrics: e.metrics, Clock: e.clock, Logger: zerolog.New(e.logs),
		Prepare: func(ctx context.Context) (*drift.Cycle, error) {
			if broken {
				return nil, errors.New("playbook.hcl:3,1: unsupported block type")
			}
			return e.prepare(nil)(ctx)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	scrape := e.serveMetrics(t)
	rep := e.once(t, w)
	if rep.Outcome != string(operation.Failed) || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "unsupported block type") {
		t.Fatalf("cycle with a broken playbook: %s %q", rep.Outcome, rep.Errors)
	}
	run, _, err := e.journal.Run(context.Background(), rep.RunID)
	if err != nil || run.Outcome != operation.Failed || run.Kind != operation.KindWatch {
		t.Errorf("journaled as %+v, %v", run, err)
	}
	if v := scrape()[series("rectify_drift_last_run_outcome", "outcome", "failed")]; v != 1 {
		t.Errorf("last outcome failed = %v", v)
	}
	broken = false
	e.clock.Add(time.Minute)
	if rep := e.once(t, w); rep.Outcome != string(operation.Succeeded) || len(rep.Items) != 4 {
		t.Errorf("after the fix: %s %q", rep.Outcome, items(rep))
	}
}
