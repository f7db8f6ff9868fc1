package actiontest

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/plans"
)

func str(s string) cty.Value { return cty.StringVal(s) }

func group(h *Harness, g string) cty.Value {
	var vs []cty.Value
	for _, n := range h.Group(g) {
		vs = append(vs, cty.StringVal(n))
	}
	return cty.ListVal(vs)
}

func TestRegistryValue(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "windows.registry_value", "kerberos_log", h.Group("exchange"), map[string]cty.Value{
		"path": str(`HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`), "name": str("LogLevel"),
		"type": str("dword"), "value": cty.NumberIntVal(1),
	})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "kerberos_log", Host: "ex02", Want: plans.Create, ShellFault: true})
	// ex01 has no Parameters key at all: the key is created with the value.
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "kerberos_log", Host: "ex01", Want: plans.Create})
}

func TestConnectorAuth(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "exchange.receive_connector_auth", "internal", h.Group("exchange"), nil)
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "internal", Host: "ex02", Want: plans.Update, ShellFault: true})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "internal", Host: "ex01", Want: plans.NoOp})
}

func TestTimeSkew(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "windows.time_skew", "clocks", h.Group("exchange"), map[string]cty.Value{"against": group(h, "dc")})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "clocks", Host: "ex01", Want: plans.Run, ShellFault: true})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "clocks", Host: "ex02", Want: plans.NoOp})
}

func TestSPN(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "ad.spn", "smtp", h.Group("exchange"), nil)
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "smtp", Host: "ex01", Want: plans.Update})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "smtp", Host: "ex02", Want: plans.Blocked})
	if err := h.Lab.RemoveSPN("EX02-OLD$", "SMTPSVC/ex02.corp.example.com"); err != nil {
		t.Fatal(err)
	}
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "smtp", Host: "ex02", Want: plans.NoOp})
}

func TestReplicationAndPorts(t *testing.T) {
	h := Start(t, lab.KB979174())
	// dc02's pull from dc01 fails: dc02 repairs it by pulling; dc01's own
	// links are healthy.
	repl := h.Step(t, "ad.replication", "replication", h.Group("dc"), nil)
	Check(t, h, Case{Steps: []engine.Step{repl}, Subject: "replication", Host: "dc01", Want: plans.NoOp})
	Check(t, h, Case{Steps: []engine.Step{repl}, Subject: "replication", Host: "dc02", Want: plans.Run, ShellFault: true})
	ports := h.Step(t, "net.kerberos_ports", "ports", h.Group("exchange"), map[string]cty.Value{"against": group(h, "dc")})
	Check(t, h, Case{Steps: []engine.Step{ports}, Subject: "ports", Host: "ex02", Want: plans.Blocked})
	Check(t, h, Case{Steps: []engine.Step{ports}, Subject: "ports", Host: "ex01", Want: plans.NoOp})
}

func TestPowerShell(t *testing.T) {
	h := Start(t, lab.KB979174())
	step := h.Step(t, "windows.powershell", "tls", h.Group("exchange"), map[string]cty.Value{
		"check":   str("# rectify:op user.tls12 v1\nparam([string]$ArgsBase64)\n"),
		"apply":   str("# rectify:op user.tls12_set v1\nparam([string]$ArgsBase64)\n"),
		"desired": cty.ObjectVal(map[string]cty.Value{"enabled": cty.True}),
		"object":  str("TLS 1.2 for .NET"),
	})
	Check(t, h, Case{Steps: []engine.Step{step}, Subject: "tls", Host: "ex01", Want: plans.Update, ShellFault: true})
}

func TestFindingsOnly(t *testing.T) {
	h := Start(t, lab.KB979174())
	dups := h.Step(t, "ad.spn_duplicates", "duplicates", h.Group("dc"), map[string]cty.Value{"services": cty.ListVal([]cty.Value{str("SMTPSVC")})})
	Check(t, h, Case{Steps: []engine.Step{dups}, Subject: "duplicates", Host: "dc01", Want: plans.NoOp})
	p := h.Plan(t, dups)
	if in := Instance(t, p, "duplicates", "dc01"); len(in.Change.Findings) == 0 {
		t.Error("the seeded duplicate SPN is not reported")
	}
	events := h.Step(t, "windows.event_query", "transport", h.Group("exchange"), map[string]cty.Value{"preset": str("transport_1035")})
	Check(t, h, Case{Steps: []engine.Step{events}, Subject: "transport", Host: "ex02", Want: plans.NoOp})
	if in := Instance(t, h.Plan(t, events), "transport", "ex02"); len(in.Change.Findings) == 0 {
		t.Error("the seeded 1035 events are not reported")
	}
}
