package examples

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/actiontest"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

const playbookDir = "exchange-454"

func load(t *testing.T, h *actiontest.Harness, vars map[string]string, memory map[string]*actions.Memory) engine.Input {
	t.Helper()
	r, diags := playbooks.Load(playbookDir, h.Registry, playbooks.EvalInput{Hosts: h.Hosts(), Vars: vars})
	if diags.HasErrors() {
		t.Fatalf("load the example: %s", diags.Error())
	}
	in, err := engine.NewInput(r, playbookDir, h.Hosts(), plans.InventoryRef{Path: "lab", Digest: "sha256:lab"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.Memory = memory
	return in
}

func plan(t *testing.T, h *actiontest.Harness, in engine.Input) *plans.Plan {
	t.Helper()
	p, err := h.Engine.Plan(context.Background(), in, h.Conns)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func apply(t *testing.T, h *actiontest.Harness, p *plans.Plan, in engine.Input) *engine.ApplyResult {
	t.Helper()
	res, err := h.Engine.Apply(context.Background(), p, h.Conns, engine.ApplyOptions{
		Input: in, WindowOverride: "example test on the lab",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// changes lists a plan's instances that change or are blocked, as
// "address action".
func changes(p *plans.Plan) []string {
	var out []string
	for _, in := range p.Instances {
		if in.Error != "" {
			out = append(out, in.Address+" error: "+in.Error)
			continue
		}
		if in.Change.Action != plans.NoOp {
			out = append(out, in.Address+" "+string(in.Change.Action))
		}
	}
	return out
}

// resultOf returns the result of the change at addr.
func resultOf(res *engine.ApplyResult, addr string) plans.ChangeResult {
	for _, c := range res.Changes {
		if c.Address == addr {
			return c
		}
	}
	return plans.ChangeResult{}
}

// hasFinding reports whether a line of lines contains want.
func hasFinding(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

func statuses(res *engine.ApplyResult) map[string]plans.Status {
	out := map[string]plans.Status{}
	for _, c := range res.Changes {
		out[c.Address] = c.Status
	}
	return out
}

// memoryFrom is what the journal would remember of res (see
// journal.Memory), for the expiry part of the test.
func memoryFrom(p *plans.Plan, res *engine.ApplyResult, at time.Time) map[string]*actions.Memory {
	out := map[string]*actions.Memory{}
	for _, c := range res.Changes {
		if c.Status != plans.Applied {
			continue
		}
		for _, in := range p.Instances {
			if in.Address == c.Address {
				m := &actions.Memory{Action: in.Change.Action, Applied: at, Undo: c.Undo, Reverted: in.Change.Revert, Expires: engine.ExpiryOf(in.Change, at)}
				out[c.Address] = m
			}
		}
	}
	return out
}

// TestExchange454AgainstTheLab walks the KB 979174 story: the plan holds
// exactly the changes the seeded faults call for; apply fixes what rectify
// may fix; the operator opens the firewall and lets rectify remove the
// duplicate SPN; the queue retry clears the 454 error; the next plan is
// empty; and a plan after the LogLevel's expiry reverts it.
func TestExchange454AgainstTheLab(t *testing.T) {
	walkExchange454(t, actiontest.Start(t, lab.KB979174()))
}

// TestExchange454AgainstAJapaneseLab walks the same story on a lab whose
// hosts answer in Japanese (repadmin's sentences and column names): the
// decisions are the same, since rectify reads codes, columns and objects.
func TestExchange454AgainstAJapaneseLab(t *testing.T) {
	h := actiontest.Start(t, lab.KB979174(), func(o *lab.Options) { o.Locale = lab.LocaleJapanese })
	if h.Lab.Org().Locale() != lab.LocaleJapanese {
		t.Fatalf("the lab speaks %s", h.Lab.Org().Locale())
	}
	walkExchange454(t, h)
}

// walkExchange454 is the story on a harness.
func walkExchange454(t *testing.T, h *actiontest.Harness) {
	t.Helper()
	if h.Lab.QueueErrors() == 0 {
		t.Fatal("the scenario starts without the 454 symptom")
	}

	firstIn := load(t, h, nil, nil)
	first := plan(t, h, firstIn)
	want := []string{
		"step.clocks[ex01] run",
		"step.smtp[ex01] update",
		"step.smtp[ex02] blocked",
		"step.replication[dc02] run",
		"step.ports[ex02] blocked",
		"step.kerberos_log[ex01] create",
		"step.kerberos_log[ex02] create",
		"step.connector[ex02] update",
		"step.tickets[ex01] run",
		"step.queues[ex01] run",
		"step.queues[ex02] run",
		"step.kerberos_errors[ex01] run",
		"step.kerberos_errors[ex02] run",
	}
	if diff := cmp.Diff(want, changes(first)); diff != "" {
		t.Fatalf("first plan (-want +got):\n%s", diff)
	}
	// Before logging is on, the Kerberos client has logged nothing: the
	// plan cannot tell what the log will say.
	for _, host := range []string{"ex01", "ex02"} {
		if in := actiontest.Instance(t, first, "kerberos_errors", host); hasFinding(in.Change.Findings, "Kerberos 0x") {
			t.Errorf("%s: Kerberos errors found before logging was on: %q", host, in.Change.Findings)
		}
	}
	// The receiver's 1035 names the connector that refused.
	if in := actiontest.Instance(t, first, "receive_failures", "ex02"); !hasFinding(in.Change.Findings, `receive connector "Default EX02" refused ExchangeAuth authentication from`) {
		t.Errorf("ex02's 1035 findings do not name the connector: %q", in.Change.Findings)
	}

	res := apply(t, h, first, firstIn)
	got := statuses(res)
	for _, addr := range []string{"step.clocks[ex01]", "step.smtp[ex01]", "step.replication[dc02]", "step.kerberos_log[ex01]", "step.kerberos_log[ex02]", "step.connector[ex02]", "step.tickets[ex01]"} {
		if got[addr] != plans.Applied {
			t.Errorf("%s: %s, want applied", addr, got[addr])
		}
	}
	if got["step.queues[ex02]"] != plans.Skipped {
		t.Errorf("the queue of ex02 was retried although its Kerberos port is blocked: %s", got["step.queues[ex02]"])
	}
	// KB step 5 in the KB's order: logging on, then the log read again,
	// after the retry. ex01's retry to ex02 still fails on the duplicate
	// SPN: its Kerberos client logged KDC_ERR_S_PRINCIPAL_UNKNOWN, and its
	// KDC (dc02) the duplicate name.
	kerberos := resultOf(res, "step.kerberos_errors[ex01]")
	if kerberos.Status != plans.Applied || !kerberos.Converged {
		t.Errorf("the Kerberos log read on ex01: %s converged=%v %s", kerberos.Status, kerberos.Converged, kerberos.Error)
	}
	for _, want := range []string{"Kerberos 0x7 KDC_ERR_S_PRINCIPAL_UNKNOWN", "KDC of dc02: duplicate name SMTPSVC/ex02.corp.example.com"} {
		if !hasFinding(kerberos.Messages, want) {
			t.Errorf("the Kerberos log read after logging was on lacks %q: %q", want, kerberos.Messages)
		}
	}
	if h.Lab.QueueErrors() == 0 {
		t.Fatal("the symptom cleared although the duplicate SPN and the blocked port remain")
	}
	// dc02, the KDC of both Exchange servers, pulled the SPN write from
	// dc01 (rectify's LDAP server) itself; nothing ran on dc01.
	if p := h.Lab.Org().PendingReplication("dc02"); len(p) != 0 {
		t.Errorf("dc02 still waits for the SPN writes of %v after the replication step", p)
	}
	for _, rec := range h.Lab.Received("dc01") {
		if rec.Op == "repadmin" || rec.Op == ops.ReplReplicate || rec.Op == ops.ReplSyncAll {
			t.Errorf("dc01 received %s %s; each DC acts on itself only", rec.Op, rec.Args)
		}
	}

	// The operator opens TCP 88 and decides the stale account may lose the
	// duplicate SPN.
	if err := h.Lab.Unblock("ex02", "dc02", 88, "tcp"); err != nil {
		t.Fatal(err)
	}
	memory := memoryFrom(first, res, time.Now())
	secondIn := load(t, h, map[string]string{"spn_conflicts": "remove_from_other"}, memory)
	second := plan(t, h, secondIn)
	want = []string{
		"step.smtp[ex02] update",
		"step.replication[dc02] run",
		"step.queues[ex01] run",
		"step.queues[ex02] run",
	}
	if diff := cmp.Diff(want, changes(second)); diff != "" {
		t.Fatalf("plan after the operator's decisions (-want +got):\n%s", diff)
	}
	res = apply(t, h, second, secondIn)
	if !res.OK() {
		t.Fatalf("second apply: %+v not converged %v stop %q", res.Changes, res.NotConverged, res.StopReason)
	}
	if n := h.Lab.QueueErrors(); n != 0 {
		t.Fatalf("%d queue(s) still hold the 454 error after every fix", n)
	}
	for k, v := range memoryFrom(second, res, time.Now()) {
		memory[k] = v
	}

	if left := changes(plan(t, h, load(t, h, map[string]string{"spn_conflicts": "remove_from_other"}, memory))); len(left) != 0 {
		t.Fatalf("plan after the fix is not empty: %q", left)
	}

	// A day later the diagnostic LogLevel is due: the plan reverts it.
	h.Engine.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	laterIn := load(t, h, map[string]string{"spn_conflicts": "remove_from_other"}, memory)
	later := plan(t, h, laterIn)
	want = []string{"step.kerberos_log[ex01] delete", "step.kerberos_log[ex02] delete", "step.kerberos_errors[ex01] run", "step.kerberos_errors[ex02] run"}
	if diff := cmp.Diff(want, changes(later)); diff != "" {
		t.Fatalf("plan after expiry (-want +got):\n%s", diff)
	}
	res = apply(t, h, later, laterIn)
	if !res.OK() {
		t.Fatalf("revert: %+v", res.Changes)
	}
	for _, host := range []string{"ex01", "ex02"} {
		lh, _ := h.Lab.Host(host)
		if _, _, exists := lh.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`, "LogLevel"); exists {
			t.Errorf("%s: LogLevel still set after its expiry", host)
		}
	}
}
