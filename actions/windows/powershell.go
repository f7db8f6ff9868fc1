package windows

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// PowerShell is the windows.powershell action, for steps of articles that
// have no built-in action: like DSC's Script resource, but with a plan. The
// playbook gives two scripts, usually with file(): check returns the current
// state as JSON; apply brings the host to the desired state and returns the
// new state. Both start with a marker line "# rectify:op user.<name> v<N>",
// receive one argument document {"desired": ..., "current": ...} exactly as
// library ops do (base64 JSON through the bootstrap), and write one JSON
// document. The step is in its desired state when the state check returns
// equals desired.
//
// A desired state holding a sensitive value (env(), file(), a sensitive
// variable) is sent to the scripts as it is, but plans, the journal and
// logs show its sensitive parts, and the whole state the check returns,
// only as (sensitive). The change's payload names the apply script by its
// marker and SHA-256, so the reviewer sees which script runs.
type PowerShell struct{}

var _ actions.Action = PowerShell{}
var _ actions.Validator = PowerShell{}
var _ actions.StateSecrets = PowerShell{}

// StateHoldsSecrets implements actions.StateSecrets: what check returns is
// compared with desired, so it holds desired's secrets once applied. The
// scripts' text (often from file(), so sensitive) is not in the state.
func (PowerShell) StateHoldsSecrets(cfg actions.Config) bool { return cfg.Sensitive("desired") }

// Schema implements actions.Action.
func (PowerShell) Schema() actions.Schema {
	return actions.Schema{
		Description: "Runs a user's check and apply scripts, planning from what check returns.",
		Attributes: []actions.Attribute{
			{Name: "check", Type: cty.String, Required: true, Description: "The check script's text (file(\"check.ps1\"))."},
			{Name: "apply", Type: cty.String, Required: true, Description: "The apply script's text."},
			{Name: "desired", Type: cty.DynamicPseudoType, Required: true, Description: "The desired state, compared with what check returns."},
			{Name: "object", Type: cty.String, Description: "What the scripts manage, for plans."},
			{Name: "reason", Type: cty.String},
			{Name: "kb_step", Type: cty.String},
		},
	}
}

func userScript(text, attr string) (ops.Script, error) {
	op, v, ok := ops.ParseMarker(text)
	if !ok || len(op) < 6 || op[:5] != "user." {
		return ops.Script{}, fmt.Errorf("the %s script must start with a line \"# rectify:op user.<name> v1\"", attr)
	}
	return ops.Script{Op: op, Version: v, Text: text}, nil
}

// ValidateConfig implements actions.Validator.
func (PowerShell) ValidateConfig(cfg actions.Config) []actions.ConfigProblem {
	var out []actions.ConfigProblem
	for _, attr := range []string{"check", "apply"} {
		if !cfg.Has(attr) {
			continue
		}
		if _, err := userScript(cfg.String(attr), attr); err != nil {
			out = append(out, actions.ConfigProblem{Attribute: attr, Summary: "Script without a rectify marker", Detail: err.Error()})
		}
	}
	return out
}

func desiredJSON(cfg actions.Config) (json.RawMessage, error) {
	v := cfg.Raw("desired")
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, fmt.Errorf("encode desired: %w", err)
	}
	return canonical(b)
}

// canonical re-encodes JSON with sorted keys, so equal documents compare
// equal.
func canonical(b []byte) (json.RawMessage, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

type userArgs struct {
	Desired json.RawMessage `json:"desired"`
	Current json.RawMessage `json:"current,omitempty"`
}

// userPayload is what a change records and apply runs: the apply script,
// by marker and digest, and its argument document.
type userPayload struct {
	Script       string `json:"script"`
	ScriptSHA256 string `json:"script_sha256"`
	Desired      any    `json:"desired"`
	Current      any    `json:"current,omitempty"`
}

func scriptDigest(s ops.Script) string {
	sum := sha256.Sum256([]byte(s.Text))
	return hex.EncodeToString(sum[:])
}

// Probes implements actions.Action.
func (PowerShell) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := userScript(inst.Config.String("check"), "check")
	if err != nil {
		return nil, err
	}
	d, err := desiredJSON(inst.Config)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{{Name: "check", Shell: &actions.ShellProbe{Script: s, Args: userArgs{Desired: d}, Sensitive: inst.Config.Sensitive("desired")}}}, nil
}

type userState struct {
	State json.RawMessage `json:"state"`
}

// Observe implements actions.Action.
func (PowerShell) Observe(_ actions.Instance, r actions.Results) (actions.State, error) {
	res, ok := r["check"]
	if !ok {
		return nil, fmt.Errorf("no check result")
	}
	if res.Err != nil {
		return nil, res.Err
	}
	c, err := canonical(res.Output)
	if err != nil {
		return nil, fmt.Errorf("the check script did not return JSON: %w", err)
	}
	return userState{State: c}, nil
}

// Plan implements actions.Action.
func (PowerShell) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(userState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	d, err := desiredJSON(inst.Config)
	if err != nil {
		return plans.Change{}, err
	}
	object := inst.Config.String("object")
	if object == "" {
		object = "state checked by " + inst.Step
	}
	if bytes.Equal(st.State, d) {
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	apply, err := userScript(inst.Config.String("apply"), "apply")
	if err != nil {
		return plans.Change{}, err
	}
	secret := inst.Config.Sensitive("desired")
	var before, after any
	_ = json.Unmarshal(st.State, &before)
	_ = json.Unmarshal(d, &after)
	payload := userPayload{Script: fmt.Sprintf("%s v%d", apply.Op, apply.Version), ScriptSHA256: scriptDigest(apply),
		Desired: inst.Config.JSON("desired"), Current: json.RawMessage(st.State)}
	if secret {
		// What the check returns is the host's copy of the secret.
		payload.Current = plans.Sensitive{Value: json.RawMessage(st.State)}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return plans.Change{}, err
	}
	reason := inst.Config.String("reason")
	if reason == "" {
		reason = "the check script reports a state other than the desired one"
	}
	return plans.Change{Action: plans.Update, Object: object, KBStep: inst.Config.String("kb_step"), Reason: reason,
		Attrs:   []plans.Attr{{Name: "state", Before: before, After: after, Sensitive: secret}},
		Risk:    "runs the playbook's own apply script",
		Payload: b}, nil
}

// Apply implements actions.Action.
func (PowerShell) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	s, err := userScript(inst.Config.String("apply"), "apply")
	if err != nil {
		return actions.Outcome{}, err
	}
	var p struct {
		ScriptSHA256 string `json:"script_sha256"`
		userArgs
	}
	if err := json.Unmarshal(change.Payload, &p); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	if p.ScriptSHA256 != scriptDigest(s) {
		return actions.Outcome{}, fmt.Errorf("the apply script is not the one the change was planned with")
	}
	args := p.userArgs
	res, err := ops.Call[json.RawMessage]{Script: &s, Args: args, Mutates: true, SensitiveArgs: inst.Config.Sensitive("desired")}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	c, err := canonical(res)
	if err != nil {
		return actions.Outcome{}, fmt.Errorf("the apply script did not return JSON: %w", err)
	}
	undo, _ := json.Marshal(userArgs{Desired: args.Current})
	return actions.Outcome{After: userState{State: c}, Undo: undo}, nil
}
