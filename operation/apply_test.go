package operation_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/actiontest"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

const kerberosParameters = `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`

// fixture is the lab, a journal, and a plan that sets the Kerberos
// LogLevel on the Exchange servers.
type fixture struct {
	h       *actiontest.Harness
	journal *journal.Journal
	runner  *operation.Runner
	plan    *plans.Plan
	input   engine.Input
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	h := actiontest.Start(t, lab.KB979174())
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	step := h.Step(t, "windows.registry_value", "kerberos_log", h.Group("exchange"), map[string]cty.Value{
		"path": cty.StringVal(kerberosParameters), "name": cty.StringVal("LogLevel"),
		"type": cty.StringVal("dword"), "value": cty.NumberIntVal(1),
	})
	return &fixture{h: h, journal: j, runner: &operation.Runner{Journal: j, Engine: h.Engine},
		plan: h.Plan(t, step), input: h.Input(step)}
}

// logLevel reads ex01's LogLevel in the lab.
func (f *fixture) logLevel(t *testing.T) (any, bool) {
	t.Helper()
	host, ok := f.h.Lab.Host("ex01")
	if !ok {
		t.Fatal("no ex01 in the lab")
	}
	v, _, exists := host.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`, "LogLevel")
	return v.Data, exists
}

// recordingView notes what an apply showed.
type recordingView struct {
	engine.NoHooks
	started []int64
	ended   []operation.Result
}

func (v *recordingView) Started(run int64, _ *operation.ApplyRequest) {
	v.started = append(v.started, run)
}
func (v *recordingView) Ended(res operation.Result) { v.ended = append(v.ended, res) }

func (f *fixture) apply(view operation.ApplyView) operation.Result {
	return f.runner.Apply(context.Background(), operation.ApplyRequest{
		Plan: f.plan, Input: f.input, Conns: f.h.Conns, WindowOverride: "test", View: view,
	})
}

// TestApplyRecordsAndRefusesAReplay: an apply is journaled from start to
// end with its outcome, and the same plan applied again is refused and
// journaled as refused, changing nothing.
func TestApplyRecordsAndRefusesAReplay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	view := &recordingView{}
	res := f.apply(view)
	if res.Outcome != operation.Succeeded || res.Status != operation.StatusOK || res.Err != nil || res.JournalErr != nil {
		t.Fatalf("apply: %+v", res)
	}
	if len(view.started) != 1 || view.started[0] != res.RunID || len(view.ended) != 1 || view.ended[0].RunID != res.RunID {
		t.Errorf("the view saw start %v and end %v of run %d", view.started, view.ended, res.RunID)
	}
	if v, ok := f.logLevel(t); !ok || v != uint32(1) {
		t.Fatalf("ex01's LogLevel after the apply: %v (%v)", v, ok)
	}
	run, changes, err := f.journal.Run(ctx, res.RunID)
	if err != nil || run.Outcome != operation.Succeeded || run.Kind != operation.KindApply || run.WindowOverride != "test" ||
		run.Summary != res.Summary || len(changes) != 2 {
		t.Errorf("journaled run %+v with %d changes (%v); want it succeeded with both changes", run, len(changes), err)
	}

	again := f.apply(nil)
	var replay *operation.ReplayError
	if !errors.As(again.Err, &replay) || replay.RunID != res.RunID || again.Outcome != operation.Refused || again.Status != operation.StatusRefused {
		t.Fatalf("second apply of the plan: %+v", again)
	}
	runs, err := f.journal.Runs(ctx, 10)
	if err != nil || len(runs) != 2 || runs[0].Outcome != operation.Refused {
		t.Errorf("runs after the replay: %+v (%v); want the replay journaled as refused", runs, err)
	}
}

// TestApplyRefusedWhileHostsLocked: another run holding one of the hosts
// the plan changes refuses the whole apply before anything is read or
// changed; the refusal is journaled with the holder named.
func TestApplyRefusedWhileHostsLocked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	other, err := f.journal.StartRun(ctx, operation.RunInfo{Kind: operation.KindWatch, Playbook: "exchange-454"})
	if err != nil {
		t.Fatal(err)
	}
	var key string
	for _, h := range f.h.Hosts() {
		if h.Name == "ex01" {
			key = operation.HostKey(h)
		}
	}
	lease, err := other.Lock(ctx, []string{key})
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release(ctx)
	before, _ := f.logLevel(t)

	view := &recordingView{}
	res := f.apply(view)
	var held *operation.HostsLockedError
	if !errors.As(res.Err, &held) || res.Outcome != operation.Refused || res.Status != operation.StatusRefused || res.Applied != nil {
		t.Fatalf("apply while ex01 is locked: %+v", res)
	}
	if len(view.started) != 0 || len(view.ended) != 1 {
		t.Errorf("the view saw start %v and end %v; want only the end", view.started, view.ended)
	}
	if after, _ := f.logLevel(t); after != before {
		t.Errorf("ex01's LogLevel went from %v to %v under another run's lock", before, after)
	}
	run, changes, err := f.journal.Run(ctx, res.RunID)
	if err != nil || run.Outcome != operation.Refused || run.Summary != held.Error() || len(changes) != 0 {
		t.Errorf("journaled run %+v with %d changes (%v); want it refused, naming the holder", run, len(changes), err)
	}
}
