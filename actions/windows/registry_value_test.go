package windows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

const kerbPath = `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`

func regConfig(attrs map[string]cty.Value) actions.Config {
	base := map[string]cty.Value{
		"path": cty.StringVal(kerbPath), "name": cty.StringVal("LogLevel"), "type": cty.StringVal("dword"),
		"value": cty.NumberIntVal(1), "ensure": cty.StringVal("present"), "expires": cty.NullVal(cty.String),
		"kb_step": cty.StringVal("5"), "reason": cty.NullVal(cty.String),
	}
	for k, v := range attrs {
		base[k] = v
	}
	return actions.NewConfig(cty.ObjectVal(base))
}

var t0 = time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)

func TestRegistryValuePlan(t *testing.T) {
	absent := registryState{KeyExists: true}
	one := registryState{KeyExists: true, Exists: true, Kind: ops.KindDWord, Data: "1"}
	zero := registryState{KeyExists: true, Exists: true, Kind: ops.KindDWord, Data: "0"}
	undoAbsent, _ := json.Marshal(registryPayload{Path: kerbPath, Name: "LogLevel", Previous: &absent})
	undoZero, _ := json.Marshal(registryPayload{Path: kerbPath, Name: "LogLevel", Previous: &zero})
	temp := map[string]cty.Value{"expires": cty.StringVal("24h")}
	tests := []struct {
		name    string
		cfg     actions.Config
		state   registryState
		memory  *actions.Memory
		now     time.Time
		want    plans.Action
		expires string
		revert  bool
	}{
		{name: "missing key", cfg: regConfig(nil), state: registryState{}, want: plans.Create},
		{name: "missing value", cfg: regConfig(nil), state: absent, want: plans.Create},
		{name: "right value", cfg: regConfig(nil), state: one, want: plans.NoOp},
		{name: "wrong value", cfg: regConfig(nil), state: zero, want: plans.Update},
		{name: "wrong kind", cfg: regConfig(nil), state: registryState{KeyExists: true, Exists: true, Kind: ops.KindString, Data: "1"}, want: plans.Update},
		{name: "absent wanted, present", cfg: regConfig(map[string]cty.Value{"ensure": cty.StringVal("absent"), "value": cty.NullVal(cty.DynamicPseudoType)}), state: one, want: plans.Delete},
		{name: "absent wanted, absent", cfg: regConfig(map[string]cty.Value{"ensure": cty.StringVal("absent"), "value": cty.NullVal(cty.DynamicPseudoType)}), state: absent, want: plans.NoOp},
		{name: "temporary, new", cfg: regConfig(temp), state: absent, now: t0, want: plans.Create, expires: "2026-11-28T22:00:00Z"},
		{name: "temporary, not yet due", cfg: regConfig(temp), state: one, now: t0.Add(time.Hour),
			memory: &actions.Memory{Action: plans.Create, Expires: t0.Add(24 * time.Hour), Undo: undoAbsent}, want: plans.NoOp},
		{name: "temporary, due, was absent", cfg: regConfig(temp), state: one, now: t0.Add(25 * time.Hour),
			memory: &actions.Memory{Action: plans.Create, Expires: t0.Add(24 * time.Hour), Undo: undoAbsent}, want: plans.Delete, revert: true, expires: "2026-11-28T22:00:00Z"},
		{name: "temporary, due, was zero", cfg: regConfig(temp), state: one, now: t0.Add(25 * time.Hour),
			memory: &actions.Memory{Action: plans.Update, Expires: t0.Add(24 * time.Hour), Undo: undoZero}, want: plans.Update, revert: true, expires: "2026-11-28T22:00:00Z"},
		{name: "temporary, reverted", cfg: regConfig(temp), state: absent, now: t0.Add(26 * time.Hour),
			memory: &actions.Memory{Action: plans.Delete, Expires: t0.Add(24 * time.Hour), Reverted: true}, want: plans.NoOp},
		{name: "temporary, changed back by someone before due", cfg: regConfig(temp), state: zero, now: t0.Add(time.Hour),
			memory: &actions.Memory{Action: plans.Update, Expires: t0.Add(24 * time.Hour), Undo: undoZero}, want: plans.Update, expires: "2026-11-28T22:00:00Z"},
	}
	for _, tt := range tests {
		inst := actions.Instance{Step: "kerberos_log", Host: actions.Host{Name: "ex01"}, Config: tt.cfg, Now: tt.now, Memory: tt.memory}
		ch, err := RegistryValue{}.Plan(inst, tt.state)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if ch.Action != tt.want || ch.Expires != tt.expires || ch.Revert != tt.revert {
			t.Errorf("%s: action %s expires %q revert %v; want %s %q %v", tt.name, ch.Action, ch.Expires, ch.Revert, tt.want, tt.expires, tt.revert)
		}
		if ch.Action.Changes() && len(ch.Payload) == 0 {
			t.Errorf("%s: change without payload", tt.name)
		}
	}
}

func TestRegistryValueValidate(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]cty.Value
		want  []string
	}{
		{"fine", nil, nil},
		{"dword too big", map[string]cty.Value{"value": cty.NumberIntVal(1 << 32)}, []string{"value"}},
		{"dword negative", map[string]cty.Value{"value": cty.NumberIntVal(-1)}, []string{"value"}},
		{"dword fraction", map[string]cty.Value{"value": cty.NumberFloatVal(1.5)}, []string{"value"}},
		{"qword big", map[string]cty.Value{"type": cty.StringVal("qword"), "value": cty.NumberIntVal(1 << 40)}, nil},
		{"multi_string", map[string]cty.Value{"type": cty.StringVal("multi_string"), "value": cty.TupleVal([]cty.Value{cty.StringVal("a")})}, nil},
		{"multi_string wrong", map[string]cty.Value{"type": cty.StringVal("multi_string"), "value": cty.StringVal("a")}, []string{"value"}},
		{"missing value", map[string]cty.Value{"value": cty.NullVal(cty.DynamicPseudoType)}, []string{""}},
		{"absent with value", map[string]cty.Value{"ensure": cty.StringVal("absent")}, []string{"value"}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range (RegistryValue{}).ValidateConfig(regConfig(tt.attrs)) {
			got = append(got, p.Attribute)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
