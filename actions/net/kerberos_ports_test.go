package net

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

type topo map[string]actions.Host

func (t topo) Host(n string) (actions.Host, bool) { h, ok := t[n]; return h, ok }

func TestKerberosPorts(t *testing.T) {
	hosts := topo{"ex01": {Name: "ex01"}, "dc01": {Name: "dc01", FQDN: "dc01.corp.example.com", Address: "127.1.0.21"}}
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against": cty.ListVal([]cty.Value{cty.StringVal("dc01")}), "ports": cty.ListVal([]cty.Value{cty.StringVal("88/tcp"), cty.StringVal("88/udp")}),
		"timeout": cty.StringVal("1s"), "kb_step": cty.StringVal("4"),
	}))
	inst := actions.Instance{Host: hosts["ex01"], Config: cfg, Topology: hosts}
	probes, err := KerberosPorts{}.Probes(inst)
	if err != nil {
		t.Fatal(err)
	}
	args := probes[0].Shell.Args.(ops.NetReachArgs)
	if len(args.Targets) != 2 || args.Targets[0].Host != "127.1.0.21" || args.TimeoutMS != 1000 {
		t.Errorf("reach args = %+v", args)
	}
	for _, tt := range []struct {
		results []ops.ReachOutcome
		want    plans.Action
	}{
		{[]ops.ReachOutcome{{Host: "127.1.0.21", Port: 88, Protocol: "tcp", Reachable: true, State: "open"}, {Host: "127.1.0.21", Port: 88, Protocol: "udp", Reachable: true, State: "open"}}, plans.NoOp},
		{[]ops.ReachOutcome{{Host: "127.1.0.21", Port: 88, Protocol: "tcp", State: "filtered", Error: "timed out after 1000 ms"}}, plans.Blocked},
		{[]ops.ReachOutcome{{Host: "127.1.0.21", Port: 88, Protocol: "udp", State: "open|filtered"}}, plans.NoOp},
	} {
		b, _ := json.Marshal(ops.NetReachResult{Results: tt.results})
		st, err := KerberosPorts{}.Observe(inst, actions.Results{"reach": {Output: b}})
		if err != nil {
			t.Fatal(err)
		}
		ch, _ := KerberosPorts{}.Plan(inst, st)
		if ch.Action != tt.want {
			t.Errorf("%+v: %s, want %s", tt.results, ch.Action, tt.want)
		}
		if ch.Action == plans.Blocked && !strings.Contains(ch.Findings[0], "ex01 -> dc01 (127.1.0.21) TCP 88 (Kerberos)") {
			t.Errorf("finding does not name source, destination, port and protocol: %q", ch.Findings[0])
		}
	}
	bad := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"ports": cty.ListVal([]cty.Value{cty.StringVal("88")})}))
	if msg := checkPorts(bad.Raw("ports")); msg == "" {
		t.Error("a port without protocol was accepted")
	}
}

func TestKerberosPortsProbesTheSitesDCs(t *testing.T) {
	hosts := topo{
		"ex01": {Name: "ex01", Site: "HQ"},
		"dc01": {Name: "dc01", Site: "HQ", Address: "127.1.0.21"},
		"dc09": {Name: "dc09", Site: "Branch", Address: "127.1.0.29"},
		"ex09": {Name: "ex09", Site: "Lab"},
	}
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against": cty.ListVal([]cty.Value{cty.StringVal("dc01"), cty.StringVal("dc09")}), "ports": cty.ListVal([]cty.Value{cty.StringVal("88/tcp")}),
		"timeout": cty.StringVal("1s"), "kb_step": cty.StringVal("4"),
	}))
	for _, tt := range []struct {
		host string
		want []string
	}{
		{"ex01", []string{"127.1.0.21"}},               // its site's DC only
		{"ex09", []string{"127.1.0.21", "127.1.0.29"}}, // no DC in its site: all of them
	} {
		probes, err := KerberosPorts{}.Probes(actions.Instance{Host: hosts[tt.host], Config: cfg, Topology: hosts})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range probes[0].Shell.Args.(ops.NetReachArgs).Targets {
			got = append(got, tg.Host)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s probes %v, want %v", tt.host, got, tt.want)
		}
	}
}
