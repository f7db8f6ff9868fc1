package ad

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

const showrepl = `repadmin running command /showrepl against full DC localhost
showrepl_COLUMNS,Destination DSA Site,Destination DSA,Naming Context,Source DSA Site,Source DSA,Transport Type,Number of Failures,Last Failure Time,Last Success Time,Last Failure Status
showrepl_INFO,HQ,DC01,"DC=corp,DC=example,DC=com",HQ,DC02,RPC,0,0,2026-11-27 05:00:00,0
showrepl_INFO,HQ,DC02,"DC=corp,DC=example,DC=com",HQ,DC01,RPC,3,2026-11-27 05:10:00,2026-11-26 22:00:00,1722
showrepl_INFO,HQ,DC02,"CN=Configuration,DC=corp,DC=example,DC=com",HQ,DC01,RPC,0,0,2026-11-27 05:00:00,0
`

func TestReplicationPlan(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"push_from": cty.NullVal(cty.String), "options": cty.StringVal("AdeP"), "kb_step": cty.StringVal("2")}))
	out, _ := json.Marshal(ops.CommandOutput{Commands: []ops.CommandRun{{Command: "repadmin /showrepl * /csv", Output: showrepl}}})
	results := actions.Results{"showrepl": {Output: out}}
	tests := []struct {
		host      string
		triggered bool
		want      plans.Action
	}{
		{"dc02", false, plans.NoOp},
		{"dc02", true, plans.Run},  // the pusher
		{"dc01", false, plans.Run}, // source of a failing link: its push repairs it
		{"dc03", true, plans.NoOp}, // triggered, but not the pusher
	}
	for _, tt := range tests {
		inst := actions.Instance{Host: actions.Host{Name: tt.host, FQDN: tt.host + ".corp.example.com"}, Targets: []string{"dc02", "dc01", "dc03"}, Config: cfg, Triggered: tt.triggered}
		st, err := Replication{}.Observe(inst, results)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := Replication{}.Plan(inst, st)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Action != tt.want {
			t.Errorf("%s triggered=%v: %s, want %s", tt.host, tt.triggered, ch.Action, tt.want)
		}
		if tt.host == "dc01" && (len(ch.Findings) != 1 || !strings.Contains(ch.Findings[0], "1722 (0x6ba): The RPC server is unavailable")) {
			t.Errorf("failing link finding = %q", ch.Findings)
		}
	}
}
