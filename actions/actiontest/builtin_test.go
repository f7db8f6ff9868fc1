package actiontest

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/engine/plans"
	"github.com/rectifyhq/rectify/internal/lab"
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
	repl := h.Step(t, "ad.replication", "push", h.Group("dc"), nil)
	Check(t, h, Case{Steps: []engine.Step{repl}, Subject: "push", Host: "dc01", Want: plans.Run, ShellFault: true})
	ports := h.Step(t, "net.kerberos_ports", "ports", h.Group("exchange"), map[string]cty.Value{"against": group(h, "dc")})
	Check(t, h, Case{Steps: []engine.Step{ports}, Subject: "ports", Host: "ex02", Want: plans.Blocked})
	Check(t, h, Case{Steps: []engine.Step{ports}, Subject: "ports", Host: "ex01", Want: plans.NoOp})
}
