package exchange

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

func klistOutput(servers ...string) string {
	out := "\nCurrent LogonId is 0:0x1d7b5\nTargeted LogonId is 0:0x3e4\n\nCached Tickets: (" + string(rune('0'+len(servers))) + ")\n"
	for i, s := range servers {
		out += "\n#" + string(rune('0'+i)) + ">\tClient: EX01$ @ CORP.EXAMPLE.COM\n\tServer: " + s + " @ CORP.EXAMPLE.COM\n"
	}
	return out
}

func TestTicketPurgePlan(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"server": cty.NullVal(cty.String), "kb_step": cty.StringVal("6")}))
	inst := actions.Instance{Host: actions.Host{Name: "ex01", FQDN: "ex01.corp.example.com", Session: actions.Session{Auth: "ntlm", Credential: true}}, Config: cfg}
	failing := []ops.Queue{{Identity: `EX01\3`, Status: "Retry", LastError: err454}}
	tests := []struct {
		name          string
		queues        []ops.Queue
		system, netsv []string
		want          plans.Action
		tickets       []string
	}{
		{"symptom and an SMTPSVC ticket", failing, []string{"krbtgt/CORP.EXAMPLE.COM"}, []string{"krbtgt/CORP.EXAMPLE.COM", "SMTPSVC/ex02.corp.example.com"}, plans.Run, []string{"0x3e4 SMTPSVC/ex02.corp.example.com"}},
		{"symptom, no SMTPSVC ticket", failing, []string{"krbtgt/CORP.EXAMPLE.COM"}, []string{"ldap/dc02.corp.example.com"}, plans.NoOp, nil},
		{"no symptom", []ops.Queue{{Identity: `EX01\3`, Status: "Ready"}}, nil, []string{"SMTPSVC/ex02.corp.example.com"}, plans.NoOp, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := json.Marshal(ops.QueueGetResult{Queues: tt.queues})
			k, _ := json.Marshal(ops.CommandOutput{Commands: []ops.CommandRun{
				{Command: "klist -li 0x3e7 tickets", Output: klistOutput(tt.system...)},
				{Command: "klist -li 0x3e4 tickets", Output: klistOutput(tt.netsv...)},
			}})
			st, err := TicketPurge{}.Observe(inst, actions.Results{"queues": {Output: q}, "tickets": {Output: k}})
			if err != nil {
				t.Fatal(err)
			}
			ch, err := TicketPurge{}.Plan(inst, st)
			if err != nil || ch.Action != tt.want {
				t.Fatalf("%s, %v; want %s", ch.Action, err, tt.want)
			}
			if tt.want != plans.Run {
				return
			}
			if diff := cmp.Diff(plans.Attr{Name: "tickets", Before: tt.tickets}, ch.Attrs[0]); diff != "" {
				t.Errorf("tickets (-want +got):\n%s", diff)
			}
			var p ops.TicketsPurgeArgs
			if err := json.Unmarshal(ch.Payload, &p); err != nil || !cmp.Equal(p.LogonIDs, []string{"0x3e7", "0x3e4"}) {
				t.Errorf("payload %s: both SYSTEM and NETWORK SERVICE (the Transport service's session) are purged", ch.Payload)
			}
		})
	}
	// A listing rectify cannot read is an error, not "no tickets".
	q, _ := json.Marshal(ops.QueueGetResult{Queues: failing})
	k, _ := json.Marshal(ops.CommandOutput{Commands: []ops.CommandRun{{Output: klistOutput()}, {Output: "klist failed with 0xc000005f"}}})
	if _, err := (TicketPurge{}).Observe(inst, actions.Results{"queues": {Output: q}, "tickets": {Output: k}}); err == nil {
		t.Error("an unreadable klist listing was taken as no tickets")
	}
}
