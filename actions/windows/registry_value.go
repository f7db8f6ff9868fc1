package windows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// RegistryValue is the windows.registry_value action: one typed value under
// a registry key, created with its key if missing. With expires it is a
// temporary value (a diagnostic setting such as Kerberos LogLevel): a plan
// after the expiry restores the previous value, or deletes the value if
// there was none.
type RegistryValue struct{}

var _ actions.Action = RegistryValue{}
var _ actions.Validator = RegistryValue{}
var _ actions.StateSecrets = RegistryValue{}

// StateHoldsSecrets implements actions.StateSecrets: the value's data is
// the secret once written, and likely its previous version before.
func (RegistryValue) StateHoldsSecrets(cfg actions.Config) bool { return cfg.Sensitive("value") }

// kinds maps the playbook's type names to PowerShell's value kinds.
var kinds = map[string]string{
	"dword":         ops.KindDWord,
	"qword":         ops.KindQWord,
	"string":        ops.KindString,
	"expand_string": ops.KindExpandString,
	"multi_string":  ops.KindMultiString,
}

// Schema implements actions.Action.
func (RegistryValue) Schema() actions.Schema {
	return actions.Schema{
		Description: "Ensures a typed registry value, optionally only for a while.",
		Attributes: []actions.Attribute{
			{Name: "path", Type: cty.String, Required: true, Description: `Registry key, e.g. "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters".`, Check: checkRegistryPath},
			{Name: "name", Type: cty.String, Required: true, Description: "Value name.", Check: nonEmpty},
			{Name: "type", Type: cty.String, Default: cty.StringVal("dword"), OneOf: []string{"dword", "qword", "string", "expand_string", "multi_string"}},
			{Name: "value", Type: cty.DynamicPseudoType, Description: "The data; required unless ensure = \"absent\". A sensitive value (env(), file(), a sensitive variable) is shown and recorded only as (sensitive), and so is the data it replaces."},
			{Name: "ensure", Type: cty.String, Default: cty.StringVal("present"), OneOf: []string{"present", "absent"}},
			{Name: "expires", Type: cty.String, Description: "Makes the value temporary: revert it this long after it was set (24h).", Check: checkDuration},
			{Name: "kb_step", Type: cty.String, Description: "The knowledge-base step this value carries out, cited in plans."},
			{Name: "reason", Type: cty.String, Description: "Why the value is needed, cited in plans."},
		},
	}
}

func nonEmpty(v cty.Value) string {
	if v.Type() == cty.String && strings.TrimSpace(v.AsString()) == "" {
		return "must not be empty"
	}
	return ""
}

func checkRegistryPath(v cty.Value) string {
	p := v.AsString()
	for _, hive := range []string{`HKLM:\`, `HKCU:\`, `HKU:\`, `HKCR:\`, `HKCC:\`} {
		if strings.HasPrefix(strings.ToUpper(p), hive) && len(p) > len(hive) {
			if strings.ContainsAny(p, "\x00\r\n") {
				return "must not contain NUL or line breaks"
			}
			return ""
		}
	}
	return `must be a PowerShell registry path such as "HKLM:\SOFTWARE\Vendor"`
}

func checkDuration(v cty.Value) string {
	if _, err := lang.ParseDuration(v.AsString()); err != nil {
		return err.Error()
	}
	return ""
}

// ValidateConfig implements actions.Validator: the value must fit the type.
func (RegistryValue) ValidateConfig(cfg actions.Config) []actions.ConfigProblem {
	if cfg.String("ensure") == "absent" {
		if cfg.Has("value") {
			return []actions.ConfigProblem{{Attribute: "value", Summary: "Value given for an absent registry value", Detail: `With ensure = "absent" the value is deleted; remove the value attribute.`}}
		}
		return nil
	}
	if !cfg.Has("value") {
		return []actions.ConfigProblem{{Summary: "Missing registry data", Detail: `Set value, or ensure = "absent" to delete the value.`}}
	}
	if cfg.Sensitive("value") && cfg.Has("expires") {
		return []actions.ConfigProblem{{Attribute: "expires", Summary: "Temporary sensitive registry data",
			Detail: "A temporary value is reverted to the data it replaced, which rectify would have to keep in its journal; with sensitive data that data is not kept. Remove expires, or use data that is not sensitive."}}
	}
	if _, err := desiredData(cfg); err != nil {
		return []actions.ConfigProblem{{Attribute: "value", Summary: "Value does not fit its type", Detail: err.Error()}}
	}
	return nil
}

// registryState is the observed value, with data normalised: whole numbers
// as decimal strings, strings as they are, multi-strings as lists.
type registryState struct {
	KeyExists bool   `json:"key_exists"`
	Exists    bool   `json:"exists"`
	Kind      string `json:"kind,omitempty"`
	Data      any    `json:"data,omitempty"`
}

// registryPayload is what apply writes, and what undo restores.
type registryPayload struct {
	Path     string            `json:"path"`
	Name     string            `json:"name"`
	Kind     string            `json:"kind,omitempty"`
	Data     any               `json:"data,omitempty"`
	Delete   bool              `json:"delete,omitempty"`
	Expect   ops.RegistryValue `json:"expect"`
	Previous *registryState    `json:"previous,omitempty"`
}

// desiredData converts the configured value to the wire form for its type.
func desiredData(cfg actions.Config) (any, error) {
	kind := kinds[cfg.String("type")]
	v := cfg.Raw("value")
	switch kind {
	case ops.KindDWord, ops.KindQWord:
		if v.Type() == cty.String {
			n, ok := new(big.Float).SetString(v.AsString())
			if !ok {
				return nil, fmt.Errorf("%q is not a number", v.AsString())
			}
			v = cty.NumberVal(n)
		}
		if v.Type() != cty.Number {
			return nil, fmt.Errorf("a %s needs a whole number", cfg.String("type"))
		}
		bf := v.AsBigFloat()
		if !bf.IsInt() || bf.Sign() < 0 {
			return nil, fmt.Errorf("a %s needs a whole number of zero or more", cfg.String("type"))
		}
		i, _ := bf.Int(nil)
		limit := new(big.Int).Lsh(big.NewInt(1), 32)
		if kind == ops.KindQWord {
			limit = new(big.Int).Lsh(big.NewInt(1), 64)
		}
		if i.Cmp(limit) >= 0 {
			return nil, fmt.Errorf("%s is too large for a %s", i, cfg.String("type"))
		}
		return json.Number(i.String()), nil
	case ops.KindString, ops.KindExpandString:
		if v.Type() == cty.Number {
			return v.AsBigFloat().Text('f', -1), nil
		}
		if v.Type() != cty.String {
			return nil, fmt.Errorf("a %s needs a string", cfg.String("type"))
		}
		return v.AsString(), nil
	case ops.KindMultiString:
		if !v.CanIterateElements() || v.Type().IsMapType() || v.Type().IsObjectType() {
			return nil, fmt.Errorf("a multi_string needs a list of strings")
		}
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() || e.Type() != cty.String {
				return nil, fmt.Errorf("a multi_string needs a list of strings")
			}
			out = append(out, e.AsString())
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown type %q", cfg.String("type"))
}

// Probes implements actions.Action.
func (RegistryValue) Probes(inst actions.Instance) ([]actions.Probe, error) {
	script, err := ops.Lookup(ops.RegistryGet)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{{Name: "value", Shell: &actions.ShellProbe{
		Script: script,
		Args:   ops.RegistryGetArgs{Path: inst.Config.String("path"), Name: inst.Config.String("name")},
		// A key or name from env() is not planned (it would show), but it
		// is read first: keep it out of the logs meanwhile.
		Sensitive: inst.Config.Sensitive("path") || inst.Config.Sensitive("name"),
	}}}, nil
}

// Observe implements actions.Action.
func (RegistryValue) Observe(_ actions.Instance, r actions.Results) (actions.State, error) {
	res, ok := r["value"]
	if !ok {
		return nil, fmt.Errorf("no registry reading")
	}
	if res.Err != nil {
		return nil, res.Err
	}
	return decodeRegistryValue(res.Output)
}

func decodeRegistryValue(raw json.RawMessage) (registryState, error) {
	var v ops.RegistryValue
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return registryState{}, fmt.Errorf("malformed registry reading: %w", err)
	}
	return normalize(v), nil
}

func normalize(v ops.RegistryValue) registryState {
	st := registryState{KeyExists: v.KeyExists, Exists: v.Exists}
	if !v.Exists {
		return st
	}
	st.Kind = v.Kind
	switch d := v.Data.(type) {
	case json.Number:
		st.Data = d.String()
	case float64:
		st.Data = big.NewFloat(d).Text('f', -1)
	case []any:
		list := make([]string, 0, len(d))
		for _, e := range d {
			list = append(list, fmt.Sprint(e))
		}
		st.Data = list
	case nil:
		if v.Kind == ops.KindMultiString {
			st.Data = []string{}
		}
	default:
		st.Data = d
	}
	return st
}

func sameData(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// expectOf is the observed value as a script compares it: whole numbers as
// JSON numbers (the state keeps them as decimal strings).
func expectOf(st registryState) ops.RegistryValue {
	v := ops.RegistryValue{KeyExists: st.KeyExists, Exists: st.Exists, Kind: st.Kind, Data: st.Data}
	if s, ok := st.Data.(string); ok && (st.Kind == ops.KindDWord || st.Kind == ops.KindQWord) {
		v.Data = json.Number(s)
	}
	return v
}

// display makes normalised data readable in a plan.
func display(kind string, d any) any {
	if d == nil {
		return nil
	}
	if s, ok := d.(string); ok && (kind == ops.KindDWord || kind == ops.KindQWord) {
		return json.Number(s)
	}
	if n, ok := d.(json.Number); ok {
		return n
	}
	return d
}

// Plan implements actions.Action.
func (a RegistryValue) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(registryState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	cfg := inst.Config
	object := cfg.String("path") + `\` + cfg.String("name")
	kbStep, reason := cfg.String("kb_step"), cfg.String("reason")
	if reason == "" {
		reason = "the playbook sets this value"
	}
	if kbStep != "" {
		reason = "KB step " + kbStep + ": " + reason
	}
	expect := expectOf(st)
	base := plans.Change{Object: object, KBStep: kbStep}
	// Sensitive data is hidden, and so is the data it replaces: it is
	// likely the secret's previous version.
	secret := cfg.Sensitive("value")
	hide := func(v any) any {
		if secret && v != nil {
			return plans.Sensitive{Value: v}
		}
		return v
	}
	expectP := expect
	expectP.Data = hide(expect.Data)
	prevP := st
	prevP.Data = hide(st.Data)

	// A temporary value whose time is up is reverted, once.
	if m := inst.Memory; m != nil && !m.Expires.IsZero() && cfg.Has("expires") {
		if m.Reverted {
			base.Action = plans.NoOp
			base.Findings = []string{fmt.Sprintf("temporary value reverted after it expired at %s; it is not set again until the step changes", m.Expires.UTC().Format(time.RFC3339))}
			return base, nil
		}
		if !inst.Now.Before(m.Expires) {
			return a.planRevert(base, st, expect, m, cfg)
		}
	}

	if cfg.String("ensure") == "absent" {
		if !st.Exists {
			base.Action = plans.NoOp
			return base, nil
		}
		base.Action = plans.Delete
		base.Attrs = []plans.Attr{{Name: "data", Before: display(st.Kind, st.Data)}, {Name: "type", Before: st.Kind}}
		base.Reason = reason
		base.Undo = fmt.Sprintf("restore the %s value %v", st.Kind, display(st.Kind, st.Data))
		base.Payload = mustJSON(registryPayload{Path: cfg.String("path"), Name: cfg.String("name"), Delete: true, Expect: expect, Previous: &st})
		return base, nil
	}

	want, err := desiredData(cfg)
	if err != nil {
		return plans.Change{}, err
	}
	kind := kinds[cfg.String("type")]
	wantNorm := normalize(ops.RegistryValue{Exists: true, Kind: kind, Data: want}).Data
	if st.Exists && st.Kind == kind && sameData(st.Data, wantNorm) {
		base.Action = plans.NoOp
		if m := inst.Memory; m != nil && !m.Expires.IsZero() {
			base.Findings = []string{"temporary value; reverted by a plan after " + m.Expires.UTC().Format(time.RFC3339)}
		}
		return base, nil
	}
	base.Reason = reason
	base.Payload = mustJSON(registryPayload{Path: cfg.String("path"), Name: cfg.String("name"), Kind: kind, Data: hide(want), Expect: expectP, Previous: &prevP})
	if !st.Exists {
		base.Action = plans.Create
		base.Attrs = []plans.Attr{{Name: "data", After: display(kind, wantNorm), Sensitive: secret}, {Name: "type", After: kind}}
		base.Undo = "delete the value"
		if !st.KeyExists {
			base.Undo = "delete the value (the key created for it stays)"
			base.Findings = []string{"the key does not exist yet and will be created"}
		}
	} else {
		base.Action = plans.Update
		base.Attrs = []plans.Attr{{Name: "data", Before: display(st.Kind, st.Data), After: display(kind, wantNorm), Sensitive: secret}}
		if st.Kind != kind {
			base.Attrs = append(base.Attrs, plans.Attr{Name: "type", Before: st.Kind, After: kind})
		}
		base.Undo = fmt.Sprintf("restore the %s value %v", st.Kind, display(st.Kind, st.Data))
		if secret {
			base.Undo = fmt.Sprintf("restore the previous %s value (sensitive: not kept by rectify)", st.Kind)
		}
	}
	if cfg.Has("expires") {
		d, err := lang.ParseDuration(cfg.String("expires"))
		if err != nil {
			return plans.Change{}, err
		}
		if m := inst.Memory; m != nil && !m.Expires.IsZero() && !m.Reverted {
			// Set again while still temporary: the expiry stays.
			base.Expires = m.Expires.UTC().Format(time.RFC3339)
		} else {
			// A new temporary value expires this long after it is applied,
			// so that the plan and apply's re-plan agree.
			base.ExpiresIn = d.String()
		}
		base.Risk = "temporary diagnostic setting: a plan after it expires reverts it"
	}
	return base, nil
}

// planRevert restores what a temporary change replaced.
func (RegistryValue) planRevert(base plans.Change, st registryState, expect ops.RegistryValue, m *actions.Memory, cfg actions.Config) (plans.Change, error) {
	var undo registryPayload
	if err := json.Unmarshal(m.Undo, &undo); err != nil || undo.Previous == nil {
		return plans.Change{}, fmt.Errorf("the journal's undo record for this temporary value is unreadable; revert it by hand")
	}
	prev := *undo.Previous
	base.Revert = true
	base.Expires = m.Expires.UTC().Format(time.RFC3339)
	base.Reason = fmt.Sprintf("temporary value expired at %s", m.Expires.UTC().Format(time.RFC3339))
	payload := registryPayload{Path: cfg.String("path"), Name: cfg.String("name"), Expect: expect, Previous: &st}
	switch {
	case !prev.Exists && !st.Exists:
		base.Action = plans.NoOp
		return base, nil
	case !prev.Exists:
		base.Action = plans.Delete
		base.Attrs = []plans.Attr{{Name: "data", Before: display(st.Kind, st.Data)}}
		payload.Delete = true
	case st.Exists && st.Kind == prev.Kind && sameData(st.Data, prev.Data):
		base.Action = plans.NoOp
		return base, nil
	default:
		base.Action = plans.Update
		base.Attrs = []plans.Attr{{Name: "data", Before: display(st.Kind, st.Data), After: display(prev.Kind, prev.Data)}}
		payload.Kind, payload.Data = prev.Kind, prev.Data
		if prev.Kind == ops.KindDWord || prev.Kind == ops.KindQWord {
			if s, ok := prev.Data.(string); ok {
				payload.Data = json.Number(s)
			}
		}
	}
	base.Undo = "set the value again"
	base.Payload = mustJSON(payload)
	return base, nil
}

// Apply implements actions.Action.
func (RegistryValue) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p registryPayload
	if err := json.Unmarshal(change.Payload, &p); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	call := ops.Call[ops.RegistryChange]{Op: ops.RegistrySet, Args: ops.RegistrySetArgs{Path: p.Path, Name: p.Name, Kind: p.Kind, Data: p.Data, Expect: &p.Expect},
		Mutates: true, SensitiveArgs: inst.Config.Sensitive("value")}
	if p.Delete {
		call.Op, call.Args = ops.RegistryDelete, ops.RegistryDeleteArgs{Path: p.Path, Name: p.Name, Expect: &p.Expect}
	}
	rc, err := call.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	prev := normalize(rc.Previous)
	after := normalize(rc.Current)
	undo := registryPayload{Path: p.Path, Name: p.Name, Previous: &prev}
	out := actions.Outcome{After: after, Undo: mustJSON(undo)}
	if rc.KeyCreated {
		out.Messages = append(out.Messages, "created the key "+p.Path)
	}
	return out, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}

var _ actions.Undoer = RegistryValue{}

// Undo implements actions.Undoer: the value the change replaced is written
// back, or the value is deleted if there was none.
func (RegistryValue) Undo(ctx context.Context, inst actions.Instance, undo json.RawMessage, conns actions.Connections) (actions.Outcome, error) {
	var u registryPayload
	dec := json.NewDecoder(bytes.NewReader(undo))
	dec.UseNumber()
	if err := dec.Decode(&u); err != nil || u.Previous == nil {
		return actions.Outcome{}, fmt.Errorf("unreadable undo data")
	}
	prev := *u.Previous
	p := registryPayload{Path: u.Path, Name: u.Name, Delete: !prev.Exists, Kind: prev.Kind, Data: expectOf(prev).Data}
	// The current value is whatever it is now: read it, so the write is
	// guarded like any other.
	cur, err := readRegistry(ctx, inst, conns, u.Path, u.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	if !cur.Exists && p.Delete {
		return actions.Outcome{Messages: []string{"nothing to undo: the value is already absent"}}, nil
	}
	p.Expect = expectOf(cur)
	b, err := json.Marshal(p)
	if err != nil {
		return actions.Outcome{}, err
	}
	return RegistryValue{}.Apply(ctx, inst, plans.Change{Payload: b}, conns)
}

// readRegistry reads one value now.
func readRegistry(ctx context.Context, inst actions.Instance, conns actions.Connections, path, name string) (registryState, error) {
	out, err := ops.Call[json.RawMessage]{Op: ops.RegistryGet, Args: ops.RegistryGetArgs{Path: path, Name: name}}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return registryState{}, err
	}
	return decodeRegistryValue(out)
}
