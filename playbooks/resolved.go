package playbooks

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

// Resolved is an evaluated playbook: every step with its configuration
// decoded against its action's schema and its targets resolved against the
// inventory.
type Resolved struct {
	Playbook *Playbook
	// Variables and Locals hold the evaluated values; sensitive ones carry
	// the lang.Sensitive mark.
	Variables map[string]cty.Value
	Locals    map[string]cty.Value
	// Given holds the values of the variables given from outside the
	// playbook (-var, -var-file, EvalInput.Values and SecretVars), as
	// evaluated: what a plan records so that apply evaluates alike.
	Given map[string]cty.Value
	// Steps are in dependency order (see Playbook.Order). Steps whose action
	// is unknown are left out.
	Steps []*ResolvedStep
	// Inventory reports whether hosts were given; without them targets and
	// host attributes are unknown and Targets is nil.
	Inventory bool
	// Files holds the bytes of the variable files read and of -var values
	// that are not sensitive, keyed by the names their diagnostics use.
	Files map[string][]byte

	// hostOrder is the inventory's host names in order.
	hostOrder []string
}

// ResolvedStep is one evaluated step.
type ResolvedStep struct {
	Name   string
	Step   *Step
	Action actions.Action
	// Config is the step's attributes decoded against the action's schema:
	// converted, defaults applied, host attributes as lists of host names.
	Config actions.Config
	// Targets are the selected host names in inventory order, without
	// duplicates; nil without an inventory.
	Targets []string
	// DependsOn names the steps this one runs after: its depends_on and the
	// steps its attributes refer to.
	DependsOn []string
	// TriggeredBy names the steps whose changes trigger this one, and
	// Triggers the steps this one triggers.
	TriggeredBy []string
	Triggers    []string
}

// Step returns the resolved step called name.
func (r *Resolved) Step(name string) (*ResolvedStep, bool) {
	for _, s := range r.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// Hosts returns the names of all hosts any step targets, in inventory
// order; nil without an inventory.
func (r *Resolved) Hosts() []string {
	want := map[string]bool{}
	for _, s := range r.Steps {
		for _, h := range s.Targets {
			want[h] = true
		}
	}
	var out []string
	for _, h := range r.hostOrder {
		if want[h] {
			out = append(out, h)
			delete(want, h)
		}
	}
	return out
}
