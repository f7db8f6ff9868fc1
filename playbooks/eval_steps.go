package playbooks

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
)

// EmptySelection is the Extra of the warning Evaluate gives when, with an
// inventory, a step's targets or one of its host attributes selects no
// host. The validate command turns it into an error; read it with
// hcl.DiagnosticExtra[EmptySelection].
type EmptySelection struct {
	Step string
	// Attribute is "targets" or the name of the host attribute.
	Attribute string
}

// steps evaluates every step in dependency order.
func (e *evaluator) steps() hcl.Diagnostics {
	var diags hcl.Diagnostics
	g := e.p.graph
	byName := map[string]*ResolvedStep{}
	for _, name := range e.p.Order() {
		s, ok := e.p.Step(name)
		if !ok {
			continue
		}
		if s.Action == nil {
			// The unknown action is reported; its expressions may still
			// hold problems of their own.
			diags = append(diags, e.targets(s, &ResolvedStep{})...)
			for _, attr := range sortedAttributes(s.Attributes) {
				_, ds, _ := e.eval(attr.Expr, scopeStep)
				diags = append(diags, ds...)
			}
			continue
		}
		rs := &ResolvedStep{Name: s.Name, Step: s, Action: s.Action}
		for _, r := range s.TriggeredBy {
			rs.TriggeredBy = append(rs.TriggeredBy, r.Name)
		}
		trig := map[string]bool{}
		for _, n := range rs.TriggeredBy {
			trig[n] = true
		}
		if g != nil {
			for _, n := range g.needs(s.Name) {
				if !trig[n] {
					rs.DependsOn = append(rs.DependsOn, n)
				}
			}
		}
		diags = append(diags, e.targets(s, rs)...)
		diags = append(diags, e.config(s, rs)...)
		e.res.Steps = append(e.res.Steps, rs)
		byName[s.Name] = rs
	}
	for _, rs := range e.res.Steps {
		for _, n := range rs.TriggeredBy {
			if t, ok := byName[n]; ok {
				t.Triggers = append(t.Triggers, rs.Name)
			}
		}
	}
	return diags
}

// targets resolves the step's targets to host names.
func (e *evaluator) targets(s *Step, rs *ResolvedStep) hcl.Diagnostics {
	if s.Targets == nil {
		return nil
	}
	v, diags, ok := e.eval(s.Targets, scopeTargets)
	if !ok {
		return diags
	}
	sel, ds := e.selectHosts(s, metaTargets, s.Targets, v)
	diags = append(diags, ds...)
	if sel.known {
		rs.Targets = sel.names
		if rs.Targets == nil {
			rs.Targets = []string{}
		}
	}
	return diags
}

// selectHosts turns the value of a host-selecting attribute into host
// names, warning when an inventory is given and nothing is selected.
func (e *evaluator) selectHosts(s *Step, attr string, expr hcl.Expression, v cty.Value) (selection, hcl.Diagnostics) {
	sel, why := e.inv.selectHosts(v)
	if why != "" {
		return sel, hcl.Diagnostics{{
			Severity:    hcl.DiagError,
			Summary:     "Invalid host selection",
			Detail:      fmt.Sprintf("The value of %s must select hosts: %s.", attr, why),
			Subject:     expr.Range().Ptr(),
			Expression:  expr,
			EvalContext: e.scope(),
		}}
	}
	if sel.known && len(sel.names) == 0 {
		return sel, hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "No hosts selected",
			Detail:   fmt.Sprintf("In step %q, %s selects no host of the inventory.", s.Name, attr),
			Subject:  expr.Range().Ptr(),
			Extra:    EmptySelection{Step: s.Name, Attribute: attr},
		}}
	}
	return sel, nil
}

// config decodes the step's attributes against its action's schema.
func (e *evaluator) config(s *Step, rs *ResolvedStep) hcl.Diagnostics {
	schema := s.Action.Schema()
	var diags hcl.Diagnostics
	values := make(map[string]cty.Value, len(schema.Attributes))
	valid := true
	for _, a := range schema.Attributes {
		v, ds := e.attribute(s, a)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			valid = false
		}
		if a.Sensitive {
			v = v.Mark(lang.Sensitive)
		}
		if lang.IsSensitive(v) {
			e.secrets.add(v)
		}
		values[a.Name] = v
	}
	rs.Config = actions.NewConfig(cty.ObjectVal(values))
	validator, ok := s.Action.(actions.Validator)
	if !ok || !valid {
		return diags
	}
	if plain, _ := rs.Config.Value.UnmarkDeep(); !plain.IsWhollyKnown() {
		// Combination checks need every value; without an inventory host
		// attributes are unknown.
		return diags
	}
	probs, err := runValidator(validator, rs.Config)
	if err != nil {
		return append(diags, actionBug(s, err))
	}
	for _, prob := range probs {
		subject := s.DeclRange
		if attr, ok := s.Attributes[prob.Attribute]; ok {
			subject = attr.Expr.Range()
		}
		summary := prob.Summary
		if summary == "" {
			summary = "Invalid step configuration"
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  summary,
			Detail:   prob.Detail,
			Subject:  subject.Ptr(),
		})
	}
	return diags
}

// attributeType is the type an attribute's value is converted to.
func attributeType(a actions.Attribute) cty.Type {
	switch {
	case a.Hosts:
		return cty.List(cty.String)
	case a.Type == cty.NilType:
		return cty.DynamicPseudoType
	default:
		return a.Type
	}
}

// attribute evaluates one schema attribute of s: converted, defaulted and
// checked. After an error the value is unknown.
func (e *evaluator) attribute(s *Step, a actions.Attribute) (cty.Value, hcl.Diagnostics) {
	ty := attributeType(a)
	attr, present := s.Attributes[a.Name]
	if !present {
		if a.Default == cty.NilVal {
			return cty.NullVal(ty), nil
		}
		if v, err := convert.Convert(a.Default, ty); err == nil {
			return v, nil
		}
		return cty.UnknownVal(ty), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid action schema",
			Detail:   fmt.Sprintf("The default of %s's attribute %q does not suit its type; this is a bug in the action.", s.ActionID, a.Name),
			Subject:  s.ActionRange.Ptr(),
		}}
	}
	v, diags, ok := e.eval(attr.Expr, scopeStep)
	if !ok {
		return cty.UnknownVal(ty), diags
	}
	bad := func(summary, detail string) (cty.Value, hcl.Diagnostics) {
		return cty.UnknownVal(ty), append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     summary,
			Detail:      detail,
			Subject:     attr.Expr.Range().Ptr(),
			Expression:  attr.Expr,
			EvalContext: e.scope(),
		})
	}
	if a.Hosts {
		if v.IsNull() && !a.Required {
			return cty.NullVal(ty), diags
		}
		sel, ds := e.selectHosts(s, a.Name, attr.Expr, v)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			return cty.UnknownVal(ty), diags
		}
		if !sel.known {
			return cty.UnknownVal(ty), diags
		}
		if len(sel.names) == 0 {
			return cty.ListValEmpty(cty.String), diags
		}
		list := make([]cty.Value, len(sel.names))
		for i, n := range sel.names {
			list[i] = cty.StringVal(n)
		}
		return cty.ListVal(list), diags
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return bad("Incorrect attribute value type", fmt.Sprintf("Inappropriate value for attribute %q: %s.", a.Name, err))
	}
	plain, _ := cv.UnmarkDeep()
	if plain.IsNull() {
		if a.Required {
			return bad("Invalid value for attribute", fmt.Sprintf("The attribute %q is required and must not be null.", a.Name))
		}
		return cv, diags
	}
	if !plain.IsWhollyKnown() {
		return cv, diags
	}
	if len(a.OneOf) > 0 {
		if plain.Type() != cty.String || !contains(a.OneOf, plain.AsString()) {
			return bad("Invalid value for attribute", fmt.Sprintf("The attribute %q must be one of %s.", a.Name, joinQuoted(a.OneOf)))
		}
	}
	if a.Check != nil {
		problem, err := runCheck(a.Check, plain)
		if err != nil {
			return cty.UnknownVal(ty), append(diags, actionBug(s, fmt.Errorf("attribute %q: %w", a.Name, err)))
		}
		if problem != "" {
			return bad("Invalid value for attribute", fmt.Sprintf("Invalid value for %q: %s.", a.Name, strings.TrimSuffix(problem, ".")))
		}
	}
	return cv, diags
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// actionBug reports an action that failed while checking a configuration.
func actionBug(s *Step, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Action failed to check its configuration",
		Detail:   fmt.Sprintf("The action %s failed while checking step %q: %v. This is a bug in the action; please report it.", s.ActionID, s.Name, err),
		Subject:  s.ActionRange.Ptr(),
	}
}
