package windows

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
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
		// expiresIn is the expiry of a new temporary value, relative to
		// the change so that apply's re-plan agrees with the plan.
		expiresIn string
		revert    bool
	}{
		{name: "missing key", cfg: regConfig(nil), state: registryState{}, want: plans.Create},
		{name: "missing value", cfg: regConfig(nil), state: absent, want: plans.Create},
		{name: "right value", cfg: regConfig(nil), state: one, want: plans.NoOp},
		{name: "wrong value", cfg: regConfig(nil), state: zero, want: plans.Update},
		{name: "wrong kind", cfg: regConfig(nil), state: registryState{KeyExists: true, Exists: true, Kind: ops.KindString, Data: "1"}, want: plans.Update},
		{name: "absent wanted, present", cfg: regConfig(map[string]cty.Value{"ensure": cty.StringVal("absent"), "value": cty.NullVal(cty.DynamicPseudoType)}), state: one, want: plans.Delete},
		{name: "absent wanted, absent", cfg: regConfig(map[string]cty.Value{"ensure": cty.StringVal("absent"), "value": cty.NullVal(cty.DynamicPseudoType)}), state: absent, want: plans.NoOp},
		{name: "temporary, new", cfg: regConfig(temp), state: absent, now: t0, want: plans.Create, expiresIn: "24h0m0s"},
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
		if ch.Action != tt.want || ch.Expires != tt.expires || ch.ExpiresIn != tt.expiresIn || ch.Revert != tt.revert {
			t.Errorf("%s: action %s expires %q in %q revert %v; want %s %q %q %v", tt.name, ch.Action, ch.Expires, ch.ExpiresIn, ch.Revert, tt.want, tt.expires, tt.expiresIn, tt.revert)
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

// TestSensitiveRegistryData: sensitive data is marked in the change's
// payload and attribute, and so is the data it replaces, so a plan keeps
// neither; a temporary sensitive value is refused, since reverting it
// would need the replaced data.
func TestSensitiveRegistryData(t *testing.T) {
	const secret, old = "pa55-w0rd-new", "pa55-w0rd-old"
	salt := plans.Salt(bytes.Repeat([]byte{1}, plans.SaltSize))
	cfg := regConfig(map[string]cty.Value{"type": cty.StringVal("string"), "value": cty.StringVal(secret).Mark(lang.Sensitive)})
	st := registryState{KeyExists: true, Exists: true, Kind: ops.KindString, Data: old}
	ch, err := RegistryValue{}.Plan(actions.Instance{Step: "pw", Host: actions.Host{Name: "ex01"}, Config: cfg, Now: t0}, st)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != plans.Update || len(ch.Attrs) == 0 || !ch.Attrs[0].Sensitive || strings.Contains(ch.Undo, old) {
		t.Errorf("change %s, attrs %+v, undo %q", ch.Action, ch.Attrs, ch.Undo)
	}
	recorded, err := plans.RedactChange(ch, salt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(recorded)
	for _, s := range []string{secret, old} {
		if strings.Contains(string(b), s) {
			t.Errorf("the recorded change holds %q: %s", s, b)
		}
	}
	clear, err := plans.Reveal(ch.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var p registryPayload
	if err := json.Unmarshal(clear, &p); err != nil || p.Data != secret || p.Expect.Data != old {
		t.Errorf("apply would send %+v (%v), want the secret and the expected old data", p, err)
	}
	if !(RegistryValue{}).StateHoldsSecrets(cfg) {
		t.Errorf("the registry value's state does not count as holding the secret")
	}
	temp := regConfig(map[string]cty.Value{"type": cty.StringVal("string"), "value": cty.StringVal(secret).Mark(lang.Sensitive), "expires": cty.StringVal("24h")})
	if probs := (RegistryValue{}).ValidateConfig(temp); len(probs) != 1 || probs[0].Attribute != "expires" {
		t.Errorf("a temporary sensitive value: %+v", probs)
	}
}
