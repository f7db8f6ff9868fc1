package windows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

func TestEventQueryKerberos(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"preset": cty.StringVal("kerberos_errors"), "log": cty.NullVal(cty.String), "provider": cty.NullVal(cty.String),
		"ids": cty.NullVal(cty.List(cty.Number)), "against": cty.NullVal(cty.List(cty.String)), "since": cty.StringVal("24h"), "max": cty.NumberIntVal(200), "kb_step": cty.StringVal("5"),
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

func eventConfig(preset string, against ...string) actions.Config {
	hosts := cty.NullVal(cty.List(cty.String))
	if len(against) > 0 {
		var vs []cty.Value
		for _, a := range against {
			vs = append(vs, cty.StringVal(a))
		}
		hosts = cty.ListVal(vs)
	}
	return actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"preset": cty.StringVal(preset), "log": cty.NullVal(cty.String), "provider": cty.NullVal(cty.String),
		"ids": cty.NullVal(cty.List(cty.Number)), "against": hosts, "since": cty.StringVal("24h"), "max": cty.NumberIntVal(200), "kb_step": cty.StringVal("5"),
	}))
}

func eventsResult(events ...ops.Event) actions.Result {
	b, _ := json.Marshal(ops.EventsQueryResult{Events: events})
	return actions.Result{Output: b}
}

// TestEventQueryKerberosEvents4And11 reads event 4 on the target and the
// KDC's event 11 on its DC, each from its EventData only: the messages
// are in another language.
func TestEventQueryKerberosEvents4And11(t *testing.T) {
	hosts := topo{"ex01": {Name: "ex01", Site: "HQ"}, "dc01": {Name: "dc01", Site: "HQ"}, "dc09": {Name: "dc09", Site: "Branch"}}
	inst := actions.Instance{Host: hosts["ex01"], Config: eventConfig("kerberos_errors", "dc01", "dc09"), Topology: hosts, Now: time.Date(2026, 11, 27, 6, 30, 0, 0, time.UTC)}
	probes, err := EventQuery{}.Probes(inst)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range probes {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"events", "kdc:dc01"}, names); diff != "" {
		t.Fatalf("probes (-want +got):\n%s", diff)
	}
	if q := probes[0].Shell.Args.(ops.EventsQueryArgs); !cmp.Equal(q.IDs, []int{3, 4}) {
		t.Errorf("the target's query asks for %v, want events 3 and 4", q.IDs)
	}
	r := actions.Results{
		"events": eventsResult(ops.Event{Time: "2026-11-27T06:20:00Z", ID: 4, Provider: "Microsoft-Windows-Security-Kerberos", Message: "Kerberos クライアントは KRB_AP_ERR_MODIFIED エラーを受け取りました",
			Data: map[string]string{"Server": "EX02$", "TargetRealm": "CORP.EXAMPLE.COM", "Targetname": "SMTPSVC/ex02.corp.example.com", "ClientRealm": "CORP.EXAMPLE.COM"}}),
		"kdc:dc01": eventsResult(ops.Event{Time: "2026-11-27T06:21:00Z", ID: 11, Provider: "Microsoft-Windows-Kerberos-Key-Distribution-Center", Message: "KDC で重複した名前が検出されました",
			Data: map[string]string{"param1": "SMTPSVC/ex02.corp.example.com", "param2": "DS_SERVICE_PRINCIPAL_NAME"}}),
	}
	st, err := EventQuery{}.Observe(inst, r)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := EventQuery{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1× KDC of dc01: duplicate name SMTPSVC/ex02.corp.example.com (DS_SERVICE_PRINCIPAL_NAME): more than one account holds it, last at 2026-11-27T06:21:00Z",
		"1× Kerberos KRB_AP_ERR_MODIFIED (event 4): EX02$ could not decrypt the ticket for SMTPSVC/ex02.corp.example.com; the SPN is registered on another account than the one the service runs as, or a ticket issued before the fix is still cached, last at 2026-11-27T06:20:00Z",
	}
	if diff := cmp.Diff(want, ch.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestEventQuery1035NamesTheConnector reads event 1035's insertion
// strings: the connector that refused and the sender, by address.
func TestEventQuery1035NamesTheConnector(t *testing.T) {
	hosts := topo{"ex01": {Name: "ex01", Address: "10.0.0.11"}, "ex02": {Name: "ex02", Address: "10.0.0.12"}}
	inst := actions.Instance{Host: hosts["ex02"], Targets: []string{"ex01", "ex02"}, Config: eventConfig("transport_1035"), Topology: hosts, Now: time.Date(2026, 11, 27, 6, 30, 0, 0, time.UTC)}
	ev := ops.Event{Time: "2026-11-27T06:00:00Z", ID: 1035, Provider: "MSExchangeTransport", Message: "受信コネクタの既定のエラー IllegalMessage で受信認証に失敗しました。",
		Data: map[string]string{"param1": "IllegalMessage", "param2": "Relay EX02", "param3": "ExchangeAuth", "param4": "10.0.0.11"}}
	st, err := EventQuery{}.Observe(inst, actions.Results{"events": eventsResult(ev, ev)})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := EventQuery{}.Plan(inst, st)
	want := []string{`2× event 1035: receive connector "Relay EX02" refused ExchangeAuth authentication from 10.0.0.11 (ex01) (IllegalMessage), last at 2026-11-27T06:00:00Z`}
	if diff := cmp.Diff(want, ch.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestEventQueryTriggeredReadsAgainAtApply checks that a triggered step
// plans a read that changes nothing, whose state does not go stale as
// events arrive, and that plans nothing once no longer triggered.
func TestEventQueryTriggeredReadsAgainAtApply(t *testing.T) {
	hosts := topo{"ex01": {Name: "ex01"}}
	inst := actions.Instance{Host: hosts["ex01"], Config: eventConfig("kerberos_errors"), Topology: hosts, Now: time.Date(2026, 11, 27, 6, 30, 0, 0, time.UTC), Triggered: true}
	before, err := EventQuery{}.Observe(inst, actions.Results{"events": eventsResult()})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := EventQuery{}.Plan(inst, before)
	if err != nil || ch.Action != plans.Run || !strings.Contains(ch.Reason, "LogLevel") {
		t.Fatalf("triggered: %s %q %v; want a run after the LogLevel change", ch.Action, ch.Reason, err)
	}
	after, err := EventQuery{}.Observe(inst, actions.Results{"events": eventsResult(ops.Event{Time: "2026-11-27T06:40:00Z", ID: 3, Provider: "Microsoft-Windows-Security-Kerberos", Data: map[string]string{"ErrorCode": "0x7"}})})
	if err != nil {
		t.Fatal(err)
	}
	_, d1, _ := plans.EncodeState(before)
	_, d2, _ := plans.EncodeState(after)
	if d1 != d2 {
		t.Error("a new event makes the planned read stale")
	}
	inst.Triggered = false
	if ch, _ := (EventQuery{}).Plan(inst, after); ch.Action != plans.NoOp || len(ch.Findings) != 1 {
		t.Errorf("not triggered: %s %q; want no-op with the finding", ch.Action, ch.Findings)
	}
}
