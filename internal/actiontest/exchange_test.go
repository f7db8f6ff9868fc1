package actiontest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// statusOf returns the apply result of one instance.
func statusOf(res *engine.ApplyResult, addr string) plans.ChangeResult {
	for _, c := range res.Changes {
		if c.Address == addr {
			return c
		}
	}
	return plans.ChangeResult{}
}

func notConverged(res *engine.ApplyResult, addr string) bool {
	for _, a := range res.NotConverged {
		if a == addr {
			return true
		}
	}
	return false
}

// TestTwoSiteRelayConnector runs the two-site-relay scenario through the
// engine: ex02's relay connector takes ex01's mail without offering
// Exchange Server authentication. The plan names it as the cause with its
// ranges instead of finding Default EX02 healthy and planning nothing;
// retrying the queue does not clear the symptom; told to change the relay
// connector (identity), rectify adds ExchangeServer to it, and the retry
// then clears the queue.
func TestTwoSiteRelayConnector(t *testing.T) {
	sc, diags := lab.LoadScenario("../lab/testdata/scenarios/two-site-relay.hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	h := Start(t, sc)
	if h.Lab.QueueErrors() == 0 {
		t.Fatal("the scenario starts without the 454 symptom")
	}
	exchange := h.Group("exchange")
	connector := h.Step(t, "exchange.receive_connector_auth", "connector", exchange, nil)
	queues := h.Step(t, "exchange.queue", "queues", exchange, map[string]cty.Value{"wait": str("30s"), "poll": str("1s")})
	queues.DependsOn = []string{"connector"}

	p := h.Plan(t, connector, queues)
	in := Instance(t, p, "connector", "ex02")
	ex01, _ := h.Lab.Host("ex01")
	for _, want := range []string{`EX02\Relay EX02`, "ex01 (" + ex01.IP + ")", "does not offer Exchange Server authentication"} {
		if !strings.Contains(in.Change.Reason, want) {
			t.Errorf("connector[ex02] reason %q does not say %q", in.Change.Reason, want)
		}
	}
	if len(in.Change.Attrs) == 0 || in.Change.Attrs[0].Name != "RemoteIPRanges" || !strings.Contains(fmt.Sprint(in.Change.Attrs[0].Before), "192.0.2.0/24") {
		t.Errorf("connector[ex02] does not show the relay connector's ranges: %+v", in.Change.Attrs)
	}
	if in.Change.Action != plans.Blocked || in.Change.Object != `receive connector EX02\Relay EX02` {
		t.Fatalf("connector[ex02]: %s %s, want the relay connector blocked", in.Change.Action, in.Change.Object)
	}
	if got := Instance(t, p, "connector", "ex01").Change.Action; got != plans.NoOp {
		t.Errorf("connector[ex01]: %s, want no-op", got)
	}
	res := h.Apply(t, p)
	if !notConverged(res, "step.queues[ex01]") || h.Lab.QueueErrors() == 0 {
		t.Fatalf("the retry cleared ex01's queue while the relay connector takes its mail: %+v", res.Changes)
	}
	if c, _ := h.Lab.Host("ex02"); c != nil {
		if relay, _ := c.Connector("Relay EX02"); len(relay.AuthMechanism) != 1 {
			t.Fatalf("the relay connector was changed without being named: %+v", relay)
		}
	}

	// Told otherwise: the operator names the relay connector.
	relay := h.Step(t, "exchange.receive_connector_auth", "connector", []string{"ex02"}, map[string]cty.Value{"identity": str(`EX02\Relay EX02`)})
	p = h.Plan(t, relay, queues)
	if got := Instance(t, p, "connector", "ex02").Change; got.Action != plans.Update {
		t.Fatalf("connector[ex02] with identity: %s (%s)", got.Action, got.Reason)
	}
	res = h.Apply(t, p)
	if !res.OK() || h.Lab.QueueErrors() != 0 {
		t.Fatalf("after the relay connector offers Exchange Server authentication: ok %v, %d queue errors, %+v", res.OK(), h.Lab.QueueErrors(), res.Changes)
	}
	if left := h.Plan(t, relay, queues); Instance(t, left, "queues", "ex01").Change.Action != plans.NoOp {
		t.Errorf("a plan after the fix still retries ex01's queue")
	}
}

// TestQueueRetryWaitsForTheOutcome: Retry-Queue starts a delivery attempt
// whose outcome shows later, the queue Active meanwhile. The action waits
// for it (bounded) before verification reads the queues; with a wait
// shorter than the attempt, verification sees no outcome and says so.
func TestQueueRetryWaitsForTheOutcome(t *testing.T) {
	for _, tt := range []struct {
		wait      string
		converged bool
	}{{"30s", true}, {"1s", false}} {
		t.Run("wait "+tt.wait, func(t *testing.T) {
			h := Start(t, lab.KB979174().WithFaults(lab.FaultConnector), func(o *lab.Options) { o.QueueAttemptDelay = 2500 * time.Millisecond })
			connector := h.Step(t, "exchange.receive_connector_auth", "connector", h.Group("exchange"), nil)
			queues := h.Step(t, "exchange.queue", "queues", h.Group("exchange"), map[string]cty.Value{"wait": str(tt.wait), "poll": str("1s")})
			queues.DependsOn = []string{"connector"}
			res := h.Apply(t, h.Plan(t, connector, queues))
			// ex02's connector lacked ExchangeServer: ex01's queue fails.
			got := statusOf(res, "step.queues[ex01]")
			if got.Status != plans.Applied || got.Converged != tt.converged || notConverged(res, "step.queues[ex01]") == tt.converged {
				t.Fatalf("queues[ex01]: %+v, want converged %v", got, tt.converged)
			}
			if !tt.converged && !strings.Contains(strings.Join(got.Messages, "\n"), "no outcome within 1s") {
				t.Errorf("an unsettled retry is not reported: %v", got.Messages)
			}
		})
	}
}

// TestExchangeStepsRefuseEarly: when the inventory's authentication of a
// host gives no credential beyond the WinRM session, the Exchange steps
// are blocked in the plan, before anything runs, and nothing reaches
// Exchange's endpoint.
func TestExchangeStepsRefuseEarly(t *testing.T) {
	h := Start(t, lab.KB979174())
	h.SetSession("ex02", actions.Session{Auth: "ntlm"})
	steps := []engine.Step{
		h.Step(t, "exchange.receive_connector_auth", "connector", h.Group("exchange"), nil),
		h.Step(t, "exchange.ticket_purge", "tickets", h.Group("exchange"), nil),
		h.Step(t, "exchange.queue", "queues", h.Group("exchange"), nil),
	}
	p := h.Plan(t, steps...)
	for _, step := range []string{"connector", "tickets", "queues"} {
		in := Instance(t, p, step, "ex02")
		if in.Change.Action != plans.Blocked || !strings.Contains(in.Change.Reason, "provides neither") {
			t.Errorf("%s[ex02]: %s %q %s, want blocked for want of a credential", step, in.Change.Action, in.Change.Reason, in.Error)
		}
	}
	if got := Instance(t, p, "connector", "ex01").Change.Action; got != plans.Update && got != plans.NoOp {
		t.Errorf("connector[ex01] with a credential: %s", got)
	}
	for _, r := range h.Lab.Received("ex02") {
		if ops.NeedsCredential(r.Op) {
			t.Errorf("ex02 received %s although its session has no credential for the endpoint", r.Op)
		}
		if r.Op == ops.Batch && strings.Contains(string(r.Args), "PowerShell/") {
			t.Errorf("ex02 received a batch reading Exchange's endpoint: %s", r.Args)
		}
	}
}

// TestTicketPurge: ex01 holds a ticket for ex02's SMTPSVC SPN issued for
// EX02-OLD$ while its queue fails; the purge empties both sessions' caches
// and then plans nothing.
func TestTicketPurge(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "exchange.ticket_purge", "tickets", h.Group("exchange"), nil)
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "tickets", Host: "ex01", Want: plans.Run, ShellFault: true})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "tickets", Host: "ex02", Want: plans.NoOp})
	ex01, _ := h.Lab.Host("ex01")
	if held := ex01.Tickets(ops.LogonNetworkService); len(held) != 0 {
		t.Errorf("after the purge ex01's Transport service holds %+v", held)
	}
}
