package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

func hosts(n int) []actions.Host {
	var hs []actions.Host
	for i := 1; i <= n; i++ {
		hs = append(hs, actions.Host{Name: fmt.Sprintf("h%02d", i)})
	}
	return hs
}

func names(hs []actions.Host) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

func testInput(hs []actions.Host, runs *int) Input {
	return Input{
		Playbook:  plans.PlaybookRef{Name: "t", Digest: "sha256:p"},
		Inventory: plans.InventoryRef{Digest: "sha256:i"},
		Steps: []Step{
			{Name: "kick", ActionID: "test.run", Action: runAction{runs: runs}, Targets: names(hs[:1]), TriggeredBy: []string{"a"}},
			{Name: "a", ActionID: "test.value", Action: valueAction{}, Targets: names(hs), Config: config("A", 1)},
			{Name: "b", ActionID: "test.value", Action: valueAction{}, Targets: names(hs), Config: config("B", 2), DependsOn: []string{"a"}},
		},
		Hosts: hs,
	}
}

func newEngine(runs *int) *Engine {
	reg := actions.NewRegistry()
	reg.MustRegister("test.value", valueAction{})
	reg.MustRegister("test.run", runAction{runs: runs})
	return &Engine{Registry: reg, Now: func() time.Time { return fixedNow }}
}

func applyOpts(in Input) ApplyOptions {
	return ApplyOptions{Input: in}
}

func TestPlanReadsEachHostOnceAndApplyConverges(t *testing.T) {
	ctx := context.Background()
	hs := hosts(20)
	fleet := newFakeFleet()
	fleet.set("h01", "A", 1.0) // already right
	fleet.set("h02", "B", 5.0) // wrong
	runs := 0
	e := newEngine(&runs)
	p, err := e.Plan(ctx, testInput(hs, &runs), fleet)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if got := fleet.commands[h.Name]; got != 1 {
			t.Errorf("host %s: %d commands during plan, want exactly 1", h.Name, got)
		}
	}
	var order []string
	for _, s := range p.Steps {
		order = append(order, s.Name)
	}
	if diff := cmp.Diff([]string{"a", "kick", "b"}, order); diff != "" {
		t.Errorf("step order (-want +got):\n%s", diff)
	}
	s := p.Summary()
	if s.Create != 19+19 || s.Update != 1 || s.Run != 1 || s.NoOp != 1 {
		t.Errorf("summary = %+v", s)
	}

	res, err := e.Apply(ctx, p, fleet, applyOpts(testInput(hs, &runs)))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Count(plans.Applied) != 40 || runs != 1 {
		t.Fatalf("apply: ok=%v applied=%d runs=%d not converged=%v stop=%q", res.OK(), res.Count(plans.Applied), runs, res.NotConverged, res.StopReason)
	}
	again, err := e.Plan(ctx, testInput(hs, &runs), fleet)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Errorf("second plan still has changes: %+v", again.Summary())
	}
}

func TestApplyStopsStaleChangeAndAppliesTheRest(t *testing.T) {
	ctx := context.Background()
	hs := hosts(3)
	fleet := newFakeFleet()
	runs := 0
	e := newEngine(&runs)
	p, err := e.Plan(ctx, testInput(hs, &runs), fleet)
	if err != nil {
		t.Fatal(err)
	}
	fleet.set("h02", "A", 7.0) // moved after the plan
	res, err := e.Apply(ctx, p, fleet, applyOpts(testInput(hs, &runs)))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]plans.Status{}
	for _, c := range res.Changes {
		status[c.Address] = c.Status
	}
	if status["step.a[h02]"] != plans.Stale {
		t.Errorf("moved target: status %q, want stale", status["step.a[h02]"])
	}
	if v, _ := fleet.get("h02", "A"); v != 7.0 {
		t.Errorf("stale target was changed to %v", v)
	}
	if status["step.a[h01]"] != plans.Applied || status["step.b[h02]"] != plans.Applied {
		t.Errorf("other changes not applied: %v", status)
	}
}

func TestApplyRefusesChangedInputsAndClosedWindow(t *testing.T) {
	ctx := context.Background()
	hs := hosts(1)
	fleet := newFakeFleet()
	runs := 0
	e := newEngine(&runs)
	in := testInput(hs, &runs)
	in.Windows = []plans.Window{mustWindow(t, "0 22 * * SUN", time.Hour, "UTC")}
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"playbook", "inventory"} {
		opts := applyOpts(in)
		if what == "playbook" {
			opts.Input.Playbook.Digest = "sha256:other"
		} else {
			opts.Input.Inventory.Digest = "sha256:other"
		}
		var dm *DigestMismatchError
		if _, err := e.Apply(ctx, p, fleet, opts); !errors.As(err, &dm) || dm.What != what {
			t.Errorf("edited %s: err = %v", what, err)
		}
	}
	var wc *WindowClosedError
	if _, err := e.Apply(ctx, p, fleet, applyOpts(in)); !errors.As(err, &wc) {
		t.Errorf("outside window: err = %v", err)
	}
	// A plan whose window was edited is not the playbook's.
	edited := *p
	edited.Windows = []plans.Window{mustWindow(t, "0 * * * *", time.Hour, "UTC")}
	var re *ReviewError
	if _, err := e.Apply(ctx, &edited, fleet, applyOpts(in)); !errors.As(err, &re) {
		t.Errorf("edited window: err = %v", err)
	}
	if fleet.sets["h01"] != 0 {
		t.Errorf("a refused apply changed the host")
	}
	opts := applyOpts(in)
	opts.WindowOverride = "incident 4711"
	if res, err := e.Apply(ctx, p, fleet, opts); err != nil || res.Count(plans.Applied) == 0 {
		t.Errorf("override: %v", err)
	}
}

func TestUnreachableHostIsAnErrorAndNeverTouched(t *testing.T) {
	ctx := context.Background()
	hs := hosts(3)
	fleet := newFakeFleet()
	fleet.down["h02"] = true
	runs := 0
	e := newEngine(&runs)
	p, err := e.Plan(ctx, testInput(hs, &runs), fleet)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := p.Host("h02")
	if h.Error == "" {
		t.Fatal("unreachable host has no error in the plan")
	}
	for _, in := range p.Instances {
		if in.Host == "h02" && in.Step != "kick" && (in.Error == "" || in.Change.Action.Changes()) {
			t.Errorf("%s: error %q, change %q", in.Address, in.Error, in.Change.Action)
		}
	}
	fleet.down["h02"] = false
	if _, err := e.Apply(ctx, p, fleet, applyOpts(testInput(hs, &runs))); err != nil {
		t.Fatal(err)
	}
	if fleet.sets["h02"] != 0 {
		t.Errorf("apply touched a host that could not be read during plan")
	}
}

func TestMaxFailStopsLaterBatches(t *testing.T) {
	ctx := context.Background()
	hs := hosts(4)
	fleet := newFakeFleet()
	fleet.failSet["h01"] = true
	runs := 0
	e := newEngine(&runs)
	in := testInput(hs, &runs)
	in.Rollout = plans.Rollout{Serial: one(t), MaxFail: 0}
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, p, fleet, applyOpts(in))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || res.Count(plans.Failed) != 1 || res.Count(plans.Applied) != 0 {
		t.Errorf("stopped=%v failed=%d applied=%d", res.Stopped, res.Count(plans.Failed), res.Count(plans.Applied))
	}
	if runs != 0 {
		t.Errorf("triggered step ran although nothing it depends on was applied")
	}
	for _, h := range []string{"h02", "h03", "h04"} {
		if fleet.sets[h] != 0 {
			t.Errorf("%s changed after the first batch failed", h)
		}
	}
}

func TestBatches(t *testing.T) {
	idx := []int{0, 1, 2, 3, 4}
	tests := []struct {
		serial string
		want   [][]int
	}{
		{"", [][]int{{0, 1, 2, 3, 4}}},
		{"2", [][]int{{0, 1}, {2, 3}, {4}}},
		{"40%", [][]int{{0, 1}, {2, 3}, {4}}},
		{"50%", [][]int{{0, 1}, {2, 3}, {4}}},
		{"1%", [][]int{{0}, {1}, {2}, {3}, {4}}},
		{"100%", [][]int{{0, 1, 2, 3, 4}}},
		{"9", [][]int{{0, 1, 2, 3, 4}}},
	}
	for _, tt := range tests {
		var r plans.Rollout
		if tt.serial != "" {
			a, err := plans.ParseAmount(tt.serial)
			if err != nil {
				t.Fatal(err)
			}
			r.Serial = a
		}
		if diff := cmp.Diff(tt.want, batches(idx, r)); diff != "" {
			t.Errorf("serial %q (-want +got):\n%s", tt.serial, diff)
		}
	}
}

func TestFailedHostSkipsItsLaterChanges(t *testing.T) {
	ctx := context.Background()
	hs := hosts(3)
	fleet := newFakeFleet()
	fleet.failSet["h01"] = true
	runs := 0
	e := newEngine(&runs)
	in := testInput(hs, &runs)
	in.Rollout = plans.Rollout{MaxFail: 3}
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, p, fleet, applyOpts(in))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]plans.Status{}
	for _, c := range res.Changes {
		status[c.Address] = c.Status
	}
	want := map[string]plans.Status{
		"step.a[h01]": plans.Failed, "step.b[h01]": plans.Skipped,
		"step.a[h02]": plans.Applied, "step.b[h02]": plans.Applied, "step.a[h03]": plans.Applied, "step.b[h03]": plans.Applied,
		"step.kick[h01]": plans.Skipped,
	}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// slowShell blocks registry.set until released, to interrupt an apply in
// the middle of a change.
type slowFleet struct {
	*fakeFleet
	started chan string
	release chan struct{}
}

func (s slowFleet) Shell(ctx context.Context, host string) (ops.Shell, error) {
	inner, _ := s.fakeFleet.Shell(ctx, host)
	return slowShell{inner: inner, f: s, host: host}, nil
}

type slowShell struct {
	inner ops.Shell
	f     slowFleet
	host  string
}

func (s slowShell) RunScript(ctx context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	if run.Mutates {
		s.f.started <- s.host
		<-s.f.release
	}
	return s.inner.RunScript(ctx, run)
}

func TestInterruptLetsTheRunningChangeFinishAndStartsNoOther(t *testing.T) {
	hs := hosts(3)
	fleet := slowFleet{fakeFleet: newFakeFleet(), started: make(chan string, 10), release: make(chan struct{})}
	runs := 0
	e := newEngine(&runs)
	in := testInput(hs, &runs)
	in.Rollout = plans.Rollout{Serial: one(t), MaxFail: 3}
	p, err := e.Plan(context.Background(), in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *ApplyResult)
	go func() {
		res, err := e.Apply(ctx, p, fleet, applyOpts(in))
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	first := <-fleet.started // the first change is under way
	cancel()                 // Ctrl-C
	close(fleet.release)     // the running change finishes
	res := <-done
	status := map[string]plans.Status{}
	for _, c := range res.Changes {
		status[c.Address] = c.Status
	}
	if status[plans.Address("a", first)] != plans.Applied {
		t.Errorf("the change under way at the interrupt: %s, want applied", status[plans.Address("a", first)])
	}
	if got := fleet.sets[first]; got != 1 {
		t.Errorf("%d writes on %s", got, first)
	}
	total := 0
	for _, n := range fleet.sets {
		total += n
	}
	if total != 1 {
		t.Errorf("%d changes were made after the interrupt began, want only the one under way", total-1)
	}
	if !res.Stopped || res.Count(plans.Interrupted)+res.Count(plans.Skipped) != len(res.Changes)-1 {
		t.Errorf("stopped=%v reason=%q results=%v", res.Stopped, res.StopReason, status)
	}
}

// countingFleet records how many registry writes run at once.
type countingFleet struct {
	*fakeFleet
	mu            sync.Mutex
	running, peak int
}

func (c *countingFleet) Shell(ctx context.Context, host string) (ops.Shell, error) {
	inner, _ := c.fakeFleet.Shell(ctx, host)
	return countingShell{inner: inner, c: c}, nil
}

type countingShell struct {
	inner ops.Shell
	c     *countingFleet
}

func (s countingShell) RunScript(ctx context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	if run.Mutates {
		s.c.mu.Lock()
		s.c.running++
		s.c.peak = max(s.c.peak, s.c.running)
		s.c.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		defer func() { s.c.mu.Lock(); s.c.running--; s.c.mu.Unlock() }()
	}
	return s.inner.RunScript(ctx, run)
}

func TestParallelismBoundsChangesInABatch(t *testing.T) {
	hs := hosts(12)
	fleet := &countingFleet{fakeFleet: newFakeFleet()}
	runs := 0
	e := newEngine(&runs)
	e.Parallelism = 3
	in := testInput(hs, &runs)
	in.Rollout = plans.Rollout{MaxFail: 12} // one batch of every host
	p, err := e.Plan(context.Background(), in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(context.Background(), p, fleet, applyOpts(in))
	if err != nil || !res.OK() {
		t.Fatalf("apply: %v %+v", err, res)
	}
	if fleet.peak > 3 {
		t.Errorf("%d changes ran at once, more than -parallelism 3", fleet.peak)
	}
}
