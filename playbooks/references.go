package playbooks

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// The roots a playbook expression may refer to.
const (
	rootVar   = "var"
	rootLocal = "local"
	rootGroup = "group"
	rootHost  = "host"
	rootStep  = "step"
)

// ref is a reference's root and the name it selects (var.max_skew:
// "var", "max_skew"), with the range of both parts.
type ref struct {
	Root  string
	Name  string
	Range hcl.Range
}

// traversalName returns the root and the name a traversal selects: the
// attribute (var.x) or string index (var["x"]) after the root. ok is false
// when the traversal is only a root.
func traversalName(tr hcl.Traversal) (ref, bool) {
	if len(tr) == 0 || tr.IsRelative() {
		return ref{}, false
	}
	r := ref{Root: tr.RootName(), Range: tr.SourceRange()}
	if len(tr) < 2 {
		return r, false
	}
	switch step := tr[1].(type) {
	case hcl.TraverseAttr:
		r.Name = step.Name
	case hcl.TraverseIndex:
		if step.Key.Type() != cty.String || !step.Key.IsKnown() || step.Key.IsNull() {
			return r, false
		}
		r.Name = step.Key.AsString()
	default:
		return r, false
	}
	r.Range = hcl.RangeBetween(tr[0].SourceRange(), tr[1].SourceRange())
	return r, true
}

// refScope says which roots an expression may use.
type refScope struct {
	// where names the place for messages ("locals", "a step").
	where     string
	allowStep bool
}

// staticRefs checks the references of expr that can be checked without
// an inventory: roots, variables, locals and steps. It returns the step
// references and a diagnostic for every bad reference.
func (p *Playbook) staticRefs(expr hcl.Expression, scope refScope) ([]StepRef, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var steps []StepRef
	for _, tr := range expr.Variables() {
		r, named := traversalName(tr)
		switch r.Root {
		case rootVar, rootLocal, rootStep:
			if r.Root == rootStep && !scope.allowStep {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   fmt.Sprintf("Steps cannot be referred to in %s.", scope.where),
					Subject:  r.Range.Ptr(),
				})
				continue
			}
			if !named {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   fmt.Sprintf("A reference to %s must name one, as in %s.<name>.", r.Root, r.Root),
					Subject:  r.Range.Ptr(),
				})
				continue
			}
			if d := p.undeclared(r); d != nil {
				diags = append(diags, d)
				continue
			}
			if r.Root == rootStep {
				steps = append(steps, StepRef{Name: r.Name, Range: r.Range})
			}
		case rootGroup, rootHost:
			// Checked against the inventory by Evaluate.
		default:
			rng := tr.SourceRange()
			if len(tr) > 0 {
				rng = tr[0].SourceRange()
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown reference",
				Detail:   fmt.Sprintf("There is nothing called %q here. References start with var., local., group., host. or step.", r.Root),
				Subject:  rng.Ptr(),
			})
		}
	}
	return steps, diags
}

// undeclared returns a diagnostic when r names a variable, local or step
// that the playbook does not declare.
func (p *Playbook) undeclared(r ref) *hcl.Diagnostic {
	var summary, kind string
	var names []string
	switch r.Root {
	case rootVar:
		if _, ok := p.Variables[r.Name]; ok {
			return nil
		}
		summary, kind, names = "Reference to undeclared input variable", "variable", sortedKeys(p.Variables)
	case rootLocal:
		if _, ok := p.Locals[r.Name]; ok {
			return nil
		}
		summary, kind, names = "Reference to undeclared local value", "local value", sortedKeys(p.Locals)
	case rootStep:
		if _, ok := p.Step(r.Name); ok {
			return nil
		}
		summary, kind = "Reference to undeclared step", "step"
		for _, s := range p.Steps {
			names = append(names, s.Name)
		}
	default:
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("No %s named %q is declared in this playbook.%s", kind, r.Name, didYouMean(r.Name, names)),
		Subject:  r.Range.Ptr(),
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
