package playbooks

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

// Playbook is the static content of a playbook directory: every block
// decoded, every range kept, nothing evaluated that depends on variables or
// an inventory.
type Playbook struct {
	// Name is the playbook block's label.
	Name string
	// Title, KB and Description are the playbook block's attributes.
	Title       string
	KB          string
	Description string
	// Windows are the change windows; empty means apply at any time.
	Windows []*Window
	// Rollout is the batch policy; nil means every target at once.
	Rollout *Rollout
	// Approvals is what a plan needs before apply; nil means none.
	Approvals *Approvals
	// Drift is the drift-correction setting; nil means none.
	Drift *Drift
	// DeclRange is the playbook block's header.
	DeclRange hcl.Range

	// Variables and Locals are keyed by name.
	Variables map[string]*Variable
	Locals    map[string]*Local
	// Steps are in source order (files in name order).
	Steps []*Step

	// Dir is the directory file() and var files are relative to.
	Dir string
	// Files holds each source file's bytes, keyed by the file name used in
	// source ranges, for hcl.NewDiagnosticTextWriter.
	Files map[string][]byte
	// Digest is "sha256:<hex>" over the sorted file names (relative to Dir)
	// and their contents.
	Digest string

	// stepsByName indexes Steps.
	stepsByName map[string]*Step
	// graph is the step graph, built once all steps are known.
	graph *graph
	// localOrder lists the locals in evaluation order; locals in a cycle
	// are left out.
	localOrder []string
}

// Step returns the step called name.
func (p *Playbook) Step(name string) (*Step, bool) {
	s, ok := p.stepsByName[name]
	return s, ok
}

// Order returns the step names in dependency order: every step after the
// steps it depends on or is triggered by, ties in source order. Steps in a
// cycle (already reported by LoadDir) come last.
func (p *Playbook) Order() []string {
	if p.graph == nil {
		return nil
	}
	return p.graph.order()
}

// Variable is a variable block.
type Variable struct {
	Name        string
	Description string
	// Type is the type constraint; cty.DynamicPseudoType when none is given.
	Type cty.Type
	// TypeDefaults holds the defaults of optional object attributes.
	TypeDefaults *typeexpr.Defaults
	// typeGiven reports whether a type was written, which decides how a
	// -var value is parsed.
	typeGiven bool
	// Default is cty.NilVal when the variable has no default.
	Default      cty.Value
	DefaultRange hcl.Range
	Sensitive    bool
	Validations  []*Validation
	DeclRange    hcl.Range
}

// Required reports whether the variable has no default and needs a value.
func (v *Variable) Required() bool { return v.Default == cty.NilVal }

// Validation is one validation rule of a variable.
type Validation struct {
	// Condition may refer only to the variable itself.
	Condition    hcl.Expression
	ErrorMessage string
	DeclRange    hcl.Range
}

// Local is one named value of a locals block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Step is a step block: one action applied to a set of targets.
type Step struct {
	// ActionID is the first label ("ad.spn") and ActionRange its range.
	ActionID    string
	ActionRange hcl.Range
	// Action is the registered action; nil when the id is unknown.
	Action actions.Action
	// Name is the second label, unique in the playbook.
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range

	Description string
	// AutoCorrect says whether drift correction in "correct" mode may apply
	// this step's changes by itself; true unless the step says otherwise.
	AutoCorrect bool
	// Targets selects the hosts; nil only when the step has an error.
	Targets hcl.Expression
	// DependsOn and TriggeredBy are the steps named in those attributes.
	DependsOn   []StepRef
	TriggeredBy []StepRef
	// References are step.<name> references found in other attributes;
	// they order the steps like depends_on.
	References []StepRef
	// Attributes are the action's own attributes, evaluated by Evaluate.
	Attributes hcl.Attributes
}

// StepRef is a reference to a step.
type StepRef struct {
	Name  string
	Range hcl.Range
}

// Address returns the step's address, "step.<name>".
func (s *Step) Address() string { return "step." + s.Name }
