package windows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

func TestEventQueryKerberos(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"preset": cty.StringVal("kerberos_errors"), "log": cty.NullVal(cty.String), "provider": cty.NullVal(cty.String),
		"ids": cty.NullVal(cty.List(cty.Number)), "since": cty.StringVal("24h"), "max": cty.NumberIntVal(200), "kb_step": cty.StringVal("5"),
	}))
	inst := actions.Instance{Host: actions.Host{Name: "ex01"}, Config: cfg, Now: time.Date(2026, 11, 27, 6, 30, 0, 0, time.UTC)}
	q, err := query(inst)
	if err != nil {
		t.Fatal(err)
	}
	if q.Log != "System" || q.Since != "2026-11-26T06:00:00Z" {
		t.Errorf("query = %+v", q)
	}
	ev := func(code, at string) ops.Event {
		return ops.Event{Time: at, ID: 3, Provider: "Microsoft-Windows-Security-Kerberos", Data: map[string]string{"ErrorCode": code, "TargetName": "SMTPSVC/ex02.corp.example.com"}}
	}
	b, _ := json.Marshal(ops.EventsQueryResult{Events: []ops.Event{
		ev("0x7", "2026-11-27T06:00:00Z"), ev("0x7", "2026-11-27T06:10:00Z"), ev("0x19", "2026-11-27T06:11:00Z"), ev("0xD", "2026-11-27T06:12:00Z"), ev("0x25", "2026-11-27T05:00:00Z"),
	}})
	st, err := EventQuery{}.Observe(inst, actions.Results{"events": {Output: b}})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := EventQuery{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1× Kerberos 0x25 KRB_AP_ERR_SKEW: the clocks are too far apart (target SMTPSVC/ex02.corp.example.com), last at 2026-11-27T05:00:00Z",
		"2× Kerberos 0x7 KDC_ERR_S_PRINCIPAL_UNKNOWN: the SPN is missing or duplicated (target SMTPSVC/ex02.corp.example.com), last at 2026-11-27T06:10:00Z",
	}
	if diff := cmp.Diff(want, ch.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if ch.Action.Changes() {
		t.Error("an event query planned a change")
	}
}
