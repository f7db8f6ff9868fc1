package exchange

import (
	"encoding/json"
	"testing"

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

func TestQueuePlan(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"server": cty.NullVal(cty.String), "kb_step": cty.StringVal("7")}))
	inst := actions.Instance{Host: actions.Host{Name: "ex01", FQDN: "ex01.corp.example.com"}, Config: cfg}
	for _, tt := range []struct {
		queues []ops.Queue
		want   plans.Action
	}{
		{[]ops.Queue{{Identity: `EX01\3`, NextHopDomain: "ex02", LastError: err454, MessageCount: 12}, {Identity: `EX01\Submission`}}, plans.Run},
		{[]ops.Queue{{Identity: `EX01\3`, NextHopDomain: "ex02", Status: "Ready"}}, plans.NoOp},
		{nil, plans.NoOp},
	} {
		out, _ := json.Marshal(ops.QueueGetResult{Queues: tt.queues})
		st, err := Queue{}.Observe(inst, actions.Results{"queues": {Output: out}})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := Queue{}.Plan(inst, st)
		if err != nil || ch.Action != tt.want {
			t.Errorf("queues %+v: %s, %v; want %s", tt.queues, ch.Action, err, tt.want)
		}
	}
}
