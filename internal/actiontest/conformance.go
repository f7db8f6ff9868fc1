package actiontest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/plans"
)

// Case is one conformance check: the subject step planned on one host
// must first plan Want; when Want changes something, apply must make it,
// verification must find it converged, and the next plan must be a no-op.
type Case struct {
	// Steps are planned together; Subject names the one checked.
	Steps   []engine.Step
	Subject string
	Host    string
	Want    plans.Action
	// ShellFault checks that a WinRM fault during apply fails the change
	// clearly and leaves the host as it was (the change is still planned
	// afterwards). Directory-only actions leave it unset.
	ShellFault bool
}

// Check runs c against h.
func Check(t *testing.T, h *Harness, c Case) {
	t.Helper()
	p := h.Plan(t, c.Steps...)
	in := Instance(t, p, c.Subject, c.Host)
	if in.Error != "" {
		t.Fatalf("%s: plan error: %s", in.Address, in.Error)
	}
	if in.Change.Action != c.Want {
		t.Fatalf("%s: planned %s (%s; %q), want %s", in.Address, in.Change.Action, in.Change.Reason, in.Change.Findings, c.Want)
	}
	if !c.Want.Changes() {
		return
	}
	if c.ShellFault {
		checkFaultLeavesHostAlone(t, h, c, p)
		p = h.Plan(t, c.Steps...)
	}
	only := onlyInstance(p, in.Address)
	res := h.Apply(t, only, c.Steps...)
	var got *plans.ChangeResult
	for i := range res.Changes {
		if res.Changes[i].Address == in.Address {
			got = &res.Changes[i]
		}
	}
	if got == nil || got.Status != plans.Applied {
		t.Fatalf("%s: apply result %+v", in.Address, got)
	}
	if !got.Converged {
		t.Errorf("%s: applied but verification found it not converged", in.Address)
	}
	again := Instance(t, h.Plan(t, c.Steps...), c.Subject, c.Host)
	if again.Change.Action != plans.NoOp || again.Error != "" {
		t.Errorf("%s: plan after apply: %s %q %s; want no-op", in.Address, again.Change.Action, again.Change.Findings, again.Error)
	}
	checkUndo(t, h, c, in, got.Undo)
}

// checkUndo reverts the change with the action's undo data and checks that
// the original change is planned again: the host is back where it was.
// Actions that only run operations (a resync, a replication, a retry)
// have nothing to put back and do not implement actions.Undoer.
func checkUndo(t *testing.T, h *Harness, c Case, in plans.Instance, undo []byte) {
	t.Helper()
	step := stepNamed(c.Steps, c.Subject)
	u, ok := step.Action.(actions.Undoer)
	if !ok {
		return
	}
	if len(undo) == 0 {
		t.Fatalf("%s: %s can undo, but its apply returned no undo data", in.Address, step.ActionID)
	}
	host, _ := h.topology().Host(c.Host)
	inst := actions.Instance{Step: step.Name, Host: host, Targets: step.Targets, Config: step.Config, Topology: h.topology(), Now: time.Now()}
	if _, err := u.Undo(t.Context(), inst, undo, h.Conns); err != nil {
		t.Fatalf("%s: undo: %v", in.Address, err)
	}
	back := Instance(t, h.Plan(t, c.Steps...), c.Subject, c.Host)
	if back.Change.Action != c.Want {
		t.Errorf("%s: after undo the plan shows %s, want %s as before the change", in.Address, back.Change.Action, c.Want)
	}
	if diff := cmp.Diff(in.Change.Attrs, back.Change.Attrs); diff != "" {
		t.Errorf("%s: after undo the planned change differs from the original (-before +after):\n%s", in.Address, diff)
	}
}

func stepNamed(steps []engine.Step, name string) engine.Step {
	for _, s := range steps {
		if s.Name == name {
			return s
		}
	}
	return engine.Step{}
}

// onlyInstance returns a copy of p in which only addr changes.
func onlyInstance(p *plans.Plan, addr string) *plans.Plan {
	cp := *p
	cp.Instances = nil
	for _, in := range p.Instances {
		if in.Address != addr {
			in.Change = plans.Change{Action: plans.NoOp}
		}
		cp.Instances = append(cp.Instances, in)
	}
	return &cp
}

func checkFaultLeavesHostAlone(t *testing.T, h *Harness, c Case, p *plans.Plan) {
	t.Helper()
	addr := plans.Address(c.Subject, c.Host)
	for _, f := range []struct {
		name   string
		faults wsman.Faults
	}{
		{"server error", wsman.Faults{ServerError: true}},
		{"unauthorized", wsman.Faults{Unauthorized: true}},
		{"unreachable", wsman.Faults{Unreachable: true}},
	} {
		conns := h.NewConnections() // a fresh run: no authenticated connection to reuse
		if err := h.Lab.SetWinRMFaults(c.Host, f.faults); err != nil {
			t.Fatal(err)
		}
		res, err := h.Engine.Apply(t.Context(), onlyInstance(p, addr), conns, engine.ApplyOptions{Input: h.Input(c.Steps...)})
		if err := h.Lab.SetWinRMFaults(c.Host, wsman.Faults{}); err != nil {
			t.Fatal(err)
		}
		conns.Close()
		if err != nil {
			t.Fatalf("%s: apply with %s: %v", addr, f.name, err)
		}
		if len(res.Changes) != 1 || res.Changes[0].Status != plans.Failed || strings.TrimSpace(res.Changes[0].Error) == "" {
			t.Fatalf("%s: apply with %s: %+v, want one failed change with an error", addr, f.name, res.Changes)
		}
		again := Instance(t, h.Plan(t, c.Steps...), c.Subject, c.Host)
		if again.Change.Action != c.Want {
			t.Fatalf("%s: after a failed apply with %s the plan shows %s, want %s still", addr, f.name, again.Change.Action, c.Want)
		}
	}
}
