package engine

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// NewInput turns an evaluated playbook into the engine's input: its steps
// in dependency order with their targets and configuration, its change
// windows and rollout policy, its evaluated digest and the values its
// variables were given, with sensitive values hashed with salt (nil: a new
// salt). hosts are the inventory's hosts after -limit; steps keep only
// targets among them. inv's digest must be the inventory's evaluated digest
// with the same salt.
func NewInput(r *playbooks.Resolved, path string, hosts []actions.Host, inv plans.InventoryRef, salt plans.Salt) (Input, error) {
	pb := r.Playbook
	if len(salt) == 0 {
		salt = plans.NewSalt()
	}
	digest, err := r.Digest(salt)
	if err != nil {
		return Input{}, fmt.Errorf("digest the playbook: %w", err)
	}
	vars, err := recordVariables(r.Given, salt)
	if err != nil {
		return Input{}, err
	}
	in := Input{
		Playbook:  plans.PlaybookRef{Name: pb.Name, Title: pb.Title, KB: pb.KB, Path: path, Digest: digest},
		Inventory: inv,
		Hosts:     hosts,
		Salt:      salt,
		Variables: vars,
	}
	for _, w := range pb.Windows {
		in.Windows = append(in.Windows, w.Rule)
	}
	if pb.Approvals != nil {
		in.RequiredApprovals = pb.Approvals.Required
	}
	allowed := map[string]bool{}
	for _, h := range hosts {
		allowed[h.Name] = true
	}
	targeted := map[string]bool{}
	for _, s := range r.Steps {
		var targets []string
		for _, t := range s.Targets {
			if allowed[t] {
				targets = append(targets, t)
				targeted[t] = true
			}
		}
		in.Steps = append(in.Steps, Step{
			Name: s.Name, ActionID: s.Step.ActionID, Action: s.Action, Description: s.Step.Description,
			Targets: targets, Config: s.Config, DependsOn: s.DependsOn, TriggeredBy: s.TriggeredBy,
			AutoCorrect: s.Step.AutoCorrect, Source: sourceOf(s.Step.DeclRange),
		})
	}
	if ro := pb.Rollout; ro != nil {
		if in.Rollout.Serial, err = ro.Serial.Plan(); err != nil {
			return Input{}, fmt.Errorf("rollout serial: %w", err)
		}
		if ro.MaxFail.Set {
			in.Rollout.MaxFail = ro.MaxFail.Of(len(targeted))
		}
	} else {
		in.Rollout.MaxFail = len(targeted)
	}
	return in, nil
}

// sourceOf returns where a step is declared, its file made absolute so
// that it names the file wherever the plan is read.
func sourceOf(r hcl.Range) *plans.SourceRange {
	if r.Filename == "" {
		return nil
	}
	file := r.Filename
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	return &plans.SourceRange{File: file,
		Start: plans.SourcePos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:   plans.SourcePos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte}}
}

// recordVariables records given variable values as a plan keeps them: a
// sensitive value only as its salted hash.
func recordVariables(given map[string]cty.Value, salt plans.Salt) ([]plans.Variable, error) {
	names := make([]string, 0, len(given))
	for n := range given {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []plans.Variable
	for _, n := range names {
		v := given[n]
		if lang.IsSensitive(v) {
			h, err := VariableHash(v, salt)
			if err != nil {
				return nil, fmt.Errorf("variable %q: %w", n, err)
			}
			out = append(out, plans.Variable{Name: n, Hash: h})
			continue
		}
		b, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
		if err != nil {
			return nil, fmt.Errorf("variable %q: encode its value: %w", n, err)
		}
		out = append(out, plans.Variable{Name: n, Value: b})
	}
	return out, nil
}

// VariableHash is the salted hash a plan keeps of a sensitive variable's
// value.
func VariableHash(v cty.Value, salt plans.Salt) (string, error) {
	plain, _ := v.UnmarkDeep()
	return salt.HashValue(actions.JSONValue(plain))
}

// GivenValue restores a variable value a plan recorded (not a sensitive
// one, which it keeps only as a hash).
func GivenValue(v plans.Variable) (cty.Value, error) {
	val, err := ctyjson.Unmarshal(v.Value, cty.DynamicPseudoType)
	if err != nil {
		return cty.NilVal, fmt.Errorf("the plan's value of variable %q is unreadable: %w", v.Name, err)
	}
	return val, nil
}
