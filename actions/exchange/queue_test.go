package exchange

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

const err454 = `451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts.`

func TestSymptom(t *testing.T) {
	tests := []struct {
		in     string
		ok     bool
		target string
	}{
		{err454, true, ""},
		{`[{LRT=11/27/2026 6:00:00 AM};{LED=451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure."};{FQDN=ex02.corp.example.com};{IP=10.0.0.6}]`, true, "ex02.corp.example.com"},
		{`[{LED=454 4.7.0 Temporary authentication failure};{IP=10.0.0.6}]`, true, "10.0.0.6"},
		{`451 4.4.0 DNS query failed`, false, ""},
		{`4454 4.7.01`, false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		ok, target := Symptom(tt.in)
		if ok != tt.ok || target != tt.target {
			t.Errorf("Symptom(%q) = %v, %q", tt.in, ok, target)
		}
	}
}

func queueInstance(session actions.Session) actions.Instance {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"server": cty.NullVal(cty.String), "wait": cty.StringVal("90s"), "poll": cty.StringVal("3s"), "kb_step": cty.StringVal("6")}))
	return actions.Instance{Host: actions.Host{Name: "ex01", FQDN: "ex01.corp.example.com", Session: session}, Config: cfg}
}

func TestQueuePlan(t *testing.T) {
	inst := queueInstance(actions.Session{Auth: "ntlm", Credential: true})
	lrt := `[{LRT=11/27/2026 6:00:00 AM};{LED=451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure."};{FQDN=ex02.corp.example.com};{IP=10.0.0.6}]`
	for _, tt := range []struct {
		name   string
		queues []ops.Queue
		want   plans.Action
		ids    []string
	}{
		{"in retry", []ops.Queue{{Identity: `EX01\3`, Status: "Retry", NextHopDomain: "ex02", LastError: err454, MessageCount: 12}, {Identity: `EX01\Submission`, Status: "Ready"}}, plans.Run, []string{`EX01\3`}},
		{"active: waited for", []ops.Queue{{Identity: `EX01\3`, Status: "Active", NextHopDomain: "ex02", LastError: lrt}, {Identity: `EX01\4`, Status: "Retry", LastError: err454}}, plans.Run, []string{`EX01\3`, `EX01\4`}},
		{"suspended", []ops.Queue{{Identity: `EX01\3`, Status: "Suspended", LastError: err454}}, plans.Blocked, nil},
		{"healthy", []ops.Queue{{Identity: `EX01\3`, NextHopDomain: "ex02", Status: "Ready"}}, plans.NoOp, nil},
		{"none", nil, plans.NoOp, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := json.Marshal(ops.QueueGetResult{Queues: tt.queues})
			st, err := Queue{}.Observe(inst, actions.Results{"queues": {Output: out}})
			if err != nil {
				t.Fatal(err)
			}
			ch, err := Queue{}.Plan(inst, st)
			if err != nil || ch.Action != tt.want {
				t.Fatalf("%s, %v; want %s (%s)", ch.Action, err, tt.want, ch.Reason)
			}
			if tt.want != plans.Run {
				return
			}
			var p ops.QueueRetryArgs
			if err := json.Unmarshal(ch.Payload, &p); err != nil {
				t.Fatal(err)
			}
			want := ops.QueueRetryArgs{Server: "EX01", Identities: tt.ids, WaitSeconds: 90, PollSeconds: 3}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			if ch.KBStep != "6" {
				t.Errorf("KB step %q: the KB has six steps, the confirmation follows the sixth", ch.KBStep)
			}
		})
	}
}

// TestQueueStateIgnoresWhatMovesByItself: the state the plan records
// leaves out what changes between plan and apply without anyone acting
// (status, counts, retry times inside the error text), so that a reviewed
// plan does not turn stale on its own.
func TestQueueStateIgnoresWhatMovesByItself(t *testing.T) {
	a := affected([]ops.Queue{{Identity: `EX01\3`, Status: "Retry", MessageCount: 3, LastError: `[{LRT=11/27/2026 6:00:00 AM};{LED=454 4.7.0 Temporary authentication failure};{FQDN=ex02.corp.example.com}]`, NextRetryTime: "2026-11-27T06:05:00Z"}})
	b := affected([]ops.Queue{{Identity: `EX01\3`, Status: "Active", MessageCount: 9, LastError: `[{LRT=11/27/2026 6:10:00 AM};{LED=454 4.7.0 Temporary authentication failure};{FQDN=ex02.corp.example.com}]`, NextRetryTime: "2026-11-27T06:15:00Z"}})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("states differ (-first +later):\n%s", diff)
	}
}

func TestQueueRefusesEarly(t *testing.T) {
	inst := queueInstance(actions.Session{Auth: "ntlm"})
	if probes, _ := (Queue{}).Probes(inst); len(probes) != 0 {
		t.Errorf("probes %+v: nothing should be read", probes)
	}
	st, err := Queue{}.Observe(inst, actions.Results{})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := Queue{}.Plan(inst, st)
	if ch.Action != plans.Blocked || !strings.Contains(ch.Reason, "provides neither") {
		t.Errorf("%s: %s", ch.Action, ch.Reason)
	}
}
