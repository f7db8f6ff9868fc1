package actiontest

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// twoSites is a forest with two sites: dc01 (the PDC emulator, where
// rectify's LDAP writes land) and dc02 in HQ with ex01, whose SMTPSVC SPNs
// are missing; dc03 and dc04 in BRANCH with ex03, which authenticates
// against dc03 and queues mail to ex01.
func twoSites() lab.Scenario {
	return lab.Scenario{
		Name: "two-sites", Domain: "corp.example.com", NetBIOS: "CORP",
		Hosts: []lab.HostSpec{
			{Name: "dc01", Role: lab.RoleDC, Site: "HQ", PDC: true},
			{Name: "dc02", Role: lab.RoleDC, Site: "HQ"},
			{Name: "dc03", Role: lab.RoleDC, Site: "BRANCH"},
			{Name: "dc04", Role: lab.RoleDC, Site: "BRANCH"},
			{Name: "ex01", Role: lab.RoleExchange, Site: "HQ", DC: "dc02", Peers: []string{"ex03"},
				MissingSPNs: []string{"SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"}},
			{Name: "ex03", Role: lab.RoleExchange, Site: "BRANCH", DC: "dc03", Peers: []string{"ex01"}},
		},
	}
}

// kbSteps are the KB's SPN, replication and queue steps; without
// replication, the queue step depends on the SPN step only.
func kbSteps(t *testing.T, h *Harness, replication bool, replAttrs map[string]cty.Value) []engine.Step {
	t.Helper()
	smtp := h.Step(t, "ad.spn", "smtp", h.Group("exchange"), nil)
	queues := h.Step(t, "exchange.queue", "queues", h.Group("exchange"), nil)
	queues.DependsOn = []string{"smtp"}
	if !replication {
		return []engine.Step{smtp, queues}
	}
	repl := h.Step(t, "ad.replication", "replication", h.Group("dc"), replAttrs)
	repl.TriggeredBy = []string{"smtp"}
	queues.DependsOn = append(queues.DependsOn, "replication")
	return []engine.Step{smtp, repl, queues}
}

func changed(p *plans.Plan) map[string]plans.Action {
	out := map[string]plans.Action{}
	for _, in := range p.Instances {
		if in.Error != "" {
			out[in.Address] = "error"
		} else if in.Change.Action != plans.NoOp {
			out[in.Address] = in.Change.Action
		}
	}
	return out
}

// TestReplicationBetweenSitesNeedsTheForcedPull runs the KB's SPN fix
// across two sites through the engine. The SPN is written on dc01 in HQ;
// ex03 in BRANCH asks dc03 for ex01's ticket. Without the replication step
// dc03 learns the SPN only at the site link's next poll (up to 180
// minutes), so the queue still fails after apply; with it, dc03 (and
// every other DC but dc01) pulls the domain partition from dc01 itself and
// the queue clears.
func TestReplicationBetweenSitesNeedsTheForcedPull(t *testing.T) {
	t.Run("without the replication step", func(t *testing.T) {
		h := Start(t, twoSites())
		steps := kbSteps(t, h, false, nil)
		res := h.Apply(t, h.Plan(t, steps...), steps...)
		if st := statusOf(res, "step.smtp[ex01]").Status; st != plans.Applied {
			t.Fatalf("smtp[ex01]: %s", st)
		}
		if p := h.Lab.Org().PendingReplication("dc03"); len(p) != 1 || p[0] != "dc01" {
			t.Errorf("dc03 pending %v, want dc01's SPN write waiting for the site link's schedule", p)
		}
		if q, ok := mustLabHost(t, h, "ex03").Queue(`EX03\3`); !ok || q.LastError == "" {
			t.Errorf("ex03's queue %+v cleared although dc03 has not received the SPNs", q)
		}
	})
	t.Run("with the replication step", func(t *testing.T) {
		h := Start(t, twoSites())
		steps := kbSteps(t, h, true, nil)
		p := h.Plan(t, steps...)
		want := map[string]plans.Action{
			"step.smtp[ex01]": plans.Update, "step.replication[dc02]": plans.Run, "step.replication[dc03]": plans.Run,
			"step.replication[dc04]": plans.Run, "step.queues[ex03]": plans.Run,
		}
		if got := changed(p); !equalActions(got, want) {
			t.Fatalf("plan %v, want %v", got, want)
		}
		in := Instance(t, p, "replication", "dc03")
		if !strings.Contains(in.Change.Reason, "written on DC01") || !strings.Contains(commandsOf(in), "repadmin /replicate DC03 DC01 DC=corp,DC=example,DC=com") {
			t.Errorf("dc03's change does not say what runs where: %q %s", in.Change.Reason, commandsOf(in))
		}
		res := h.Apply(t, p, steps...)
		if !res.OK() {
			t.Fatalf("apply: %+v not converged %v stop %q", res.Changes, res.NotConverged, res.StopReason)
		}
		for _, dc := range []string{"dc02", "dc03", "dc04"} {
			if p := h.Lab.Org().PendingReplication(dc); len(p) != 0 {
				t.Errorf("%s still waits for %v after its pull", dc, p)
			}
		}
		if q, _ := mustLabHost(t, h, "ex03").Queue(`EX03\3`); q.LastError != "" {
			t.Errorf("ex03's queue still fails after the forced pulls: %+v", q)
		}
		if left := changed(h.Plan(t, kbSteps(t, h, true, nil)...)); len(left) != 0 {
			t.Errorf("plan after apply: %v", left)
		}
	})
}

// TestUnreadDCIsAnError checks that a DC whose replication status cannot
// be read is an error of its instance, never a healthy DC, and that the
// other DCs are planned as usual.
func TestUnreadDCIsAnError(t *testing.T) {
	h := Start(t, lab.KB979174())
	if err := h.Lab.StopDirectoryService("dc02"); err != nil {
		t.Fatal(err)
	}
	repl := h.Step(t, "ad.replication", "replication", h.Group("dc"), nil)
	p := h.Plan(t, repl)
	in := Instance(t, p, "replication", "dc02")
	if in.Error == "" || in.Change.Action.Changes() || !strings.Contains(in.Error, "could not read the replication status of DC02") {
		t.Errorf("dc02, whose directory service is stopped: action %s, error %q; want an instance error", in.Change.Action, in.Error)
	}
	if other := Instance(t, p, "replication", "dc01"); other.Error != "" || other.Change.Action != plans.NoOp {
		t.Errorf("dc01: %s %q", other.Change.Action, other.Error)
	}
	if err := h.Lab.StartDirectoryService("dc02"); err != nil {
		t.Fatal(err)
	}
	if in := Instance(t, h.Plan(t, repl), "replication", "dc02"); in.Error != "" || in.Change.Action != plans.Run {
		t.Errorf("dc02 after its directory started: %s %q", in.Change.Action, in.Error)
	}
}

// TestPushIsRefusedBeforeAnythingRuns checks that a push (repadmin
// /syncall, which binds to the other DCs as the session's user) is blocked
// in the plan on a host whose WinRM session is NTLM without delegation,
// and that apply then runs it nowhere.
func TestPushIsRefusedBeforeAnythingRuns(t *testing.T) {
	h := Start(t, lab.KB979174().WithFaults(lab.FaultSPN))
	steps := kbSteps(t, h, true, map[string]cty.Value{"method": cty.StringVal("push")})
	p := h.Plan(t, steps...)
	in := Instance(t, p, "replication", "dc01")
	if in.Change.Action != plans.Blocked || !strings.Contains(in.Change.Reason, "needs credentials beyond the WinRM session on dc01") ||
		!strings.Contains(in.Change.Reason, "auth ntlm, no delegation") {
		t.Fatalf("push over NTLM: %s %q; want it blocked with the reason", in.Change.Action, in.Change.Reason)
	}
	h.Apply(t, p, steps...)
	for _, dc := range h.Group("dc") {
		for _, rec := range h.Lab.Received(dc) {
			if rec.Op == ops.ReplSyncAll {
				t.Errorf("%s ran %s although the plan blocked it", dc, rec.Op)
			}
		}
	}
}

// TestOnwardReadsAreRefusedInThePlan checks the engine's refusal of a
// read whose op needs credentials beyond the session: the instance says
// why, and the op never reaches the host.
func TestOnwardReadsAreRefusedInThePlan(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "ad.replication", "replication", h.Group("dc"), nil)
	step.Action = onwardReader{step.Action}
	p := h.Plan(t, step)
	in := Instance(t, p, "replication", "dc01")
	if in.Error == "" || !strings.Contains(in.Error, "refused before it runs") {
		t.Fatalf("a read of repl.syncall over NTLM: %s %q", in.Change.Action, in.Error)
	}
	for _, rec := range h.Lab.Received("dc01") {
		if rec.Op == ops.ReplSyncAll {
			t.Errorf("dc01 ran %s although the plan refused it", rec.Op)
		}
	}
}

// onwardReader is an action whose read needs onward credentials.
type onwardReader struct{ actions.Action }

func (onwardReader) Probes(actions.Instance) ([]actions.Probe, error) {
	return []actions.Probe{{Name: "push", Shell: &actions.ShellProbe{Script: ops.MustScript(ops.ReplSyncAll), Args: ops.ReplSyncAllArgs{DC: "dc01"}}}}, nil
}

func commandsOf(in plans.Instance) string {
	for _, a := range in.Change.Attrs {
		if a.Name == "commands" {
			if l, ok := a.After.([]any); ok {
				var s []string
				for _, x := range l {
					s = append(s, x.(string))
				}
				return strings.Join(s, "\n")
			}
			if l, ok := a.After.([]string); ok {
				return strings.Join(l, "\n")
			}
		}
	}
	return ""
}

func equalActions(a, b map[string]plans.Action) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mustLabHost(t *testing.T, h *Harness, name string) *lab.Host {
	t.Helper()
	lh, ok := h.Lab.Host(name)
	if !ok {
		t.Fatalf("no lab host %s", name)
	}
	return lh
}
