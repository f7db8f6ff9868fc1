package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rectifyhq/rectify/actions"
)

// The meta-arguments every step has, besides its action's attributes.
const (
	metaTargets     = "targets"
	metaDependsOn   = "depends_on"
	metaTriggeredBy = "triggered_by"
	metaDescription = "description"
	metaAutoCorrect = "auto_correct"
)

// decodeStep decodes a step block, looks its action up, and checks the
// attribute names against the action's schema.
func (d *decoder) decodeStep(b *hcl.Block) hcl.Diagnostics {
	id, name := b.Labels[0], b.Labels[1]
	s := &Step{
		ActionID: id, ActionRange: b.LabelRanges[0],
		Name: name, NameRange: b.LabelRanges[1],
		DeclRange:   b.DefRange,
		AutoCorrect: true,
		Attributes:  hcl.Attributes{},
	}
	var diags hcl.Diagnostics
	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid step name",
			Detail:   "A step name must start with a letter or underscore and may contain only letters, digits, underscores and dashes, so that it can be referred to as step.<name>.",
			Subject:  s.NameRange.Ptr(),
		})
	}
	if prev, dup := d.p.stepsByName[name]; dup {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate step",
			Detail:   fmt.Sprintf("A step named %q was already declared at %s. Step names must be unique within a playbook.", name, prev.DeclRange),
			Subject:  s.NameRange.Ptr(),
		})
	} else {
		d.p.stepsByName[name] = s
		d.p.Steps = append(d.p.Steps, s)
	}
	diags = append(diags, d.lookupAction(s)...)

	attrs, ds := b.Body.JustAttributes()
	diags = append(diags, ds...)
	for _, attr := range sortedAttributes(attrs) {
		switch attr.Name {
		case metaTargets:
			s.Targets = attr.Expr
		case metaDependsOn:
			refs, ds := decodeStepRefs(attr)
			diags = append(diags, ds...)
			s.DependsOn = refs
		case metaTriggeredBy:
			refs, ds := decodeStepRefs(attr)
			diags = append(diags, ds...)
			s.TriggeredBy = refs
		case metaDescription:
			str, ds := staticString(attr)
			diags = append(diags, ds...)
			s.Description = str
		case metaAutoCorrect:
			v, ds := staticBool(attr)
			diags = append(diags, ds...)
			if !ds.HasErrors() {
				s.AutoCorrect = v
			}
		default:
			s.Attributes[attr.Name] = attr
			if s.Action == nil {
				continue
			}
			if _, ok := s.Action.Schema().Lookup(attr.Name); !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unsupported argument",
					Detail: fmt.Sprintf("An argument named %q is not expected in a %s step.%s",
						attr.Name, s.ActionID, didYouMean(attr.Name, attributeNames(s.Action.Schema()))),
					Subject: attr.NameRange.Ptr(),
				})
			}
		}
	}
	if s.Targets == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   `The argument "targets" is required: it selects the hosts the step applies to, such as group.exchange.`,
			Subject:  s.DeclRange.Ptr(),
		})
	}
	if s.Action != nil {
		for _, a := range s.Action.Schema().Attributes {
			if _, ok := attrs[a.Name]; a.Required && !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Missing required argument",
					Detail:   fmt.Sprintf("The argument %q is required by %s, but no definition was found.", a.Name, s.ActionID),
					Subject:  s.DeclRange.Ptr(),
				})
			}
		}
	}
	return diags
}

// lookupAction finds the step's action in the registry.
func (d *decoder) lookupAction(s *Step) hcl.Diagnostics {
	var ids []string
	if d.reg != nil {
		if a, ok := d.reg.Lookup(s.ActionID); ok {
			s.Action = a
			return nil
		}
		ids = d.reg.IDs()
	}
	detail := fmt.Sprintf("There is no action %q.", s.ActionID)
	if near, ok := nearest(s.ActionID, ids); ok {
		detail += fmt.Sprintf(" Did you mean %q?", near)
	} else if len(ids) > 0 && len(ids) <= 30 {
		detail += fmt.Sprintf(" The actions are: %s.", joinQuoted(ids))
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unknown action",
		Detail:   detail,
		Subject:  s.ActionRange.Ptr(),
	}}
}

// decodeStepRefs decodes a static list of step references
// (depends_on = [step.clocks]).
func decodeStepRefs(attr *hcl.Attribute) ([]StepRef, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(attr.Expr)
	var refs []StepRef
	for _, e := range exprs {
		tr, ds := hcl.AbsTraversalForExpr(e)
		var r ref
		named := false
		if !ds.HasErrors() {
			r, named = traversalName(tr)
		}
		if !named || r.Root != rootStep || len(tr) != 2 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid step reference",
				Detail:   fmt.Sprintf("%s takes references to steps, such as step.clocks.", attr.Name),
				Subject:  e.Range().Ptr(),
			})
			continue
		}
		refs = append(refs, StepRef{Name: r.Name, Range: r.Range})
	}
	return refs, diags
}

func attributeNames(s actions.Schema) []string {
	names := make([]string, 0, len(s.Attributes))
	for _, a := range s.Attributes {
		names = append(names, a.Name)
	}
	return names
}

func joinQuoted(items []string) string {
	out := ""
	for i, s := range items {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", s)
	}
	return out
}
