package playbooks

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Where each kind of expression may refer to steps.
var (
	scopeLocals  = refScope{where: "locals"}
	scopeTargets = refScope{where: "targets"}
	scopeStep    = refScope{where: "a step", allowStep: true}
)

// checkReferences checks every reference that can be checked without an
// inventory, and records the step references of each step.
func (d *decoder) checkReferences() hcl.Diagnostics {
	p := d.p
	var diags hcl.Diagnostics
	for _, name := range d.localNames {
		_, ds := p.staticRefs(p.Locals[name].Expr, scopeLocals)
		diags = append(diags, ds...)
	}
	for _, s := range p.Steps {
		var ds hcl.Diagnostics
		s.DependsOn, ds = p.checkStepRefs(s, s.DependsOn)
		diags = append(diags, ds...)
		s.TriggeredBy, ds = p.checkStepRefs(s, s.TriggeredBy)
		diags = append(diags, ds...)
		if s.Targets != nil {
			_, ds := p.staticRefs(s.Targets, scopeTargets)
			diags = append(diags, ds...)
		}
		var refs []StepRef
		for _, attr := range sortedAttributes(s.Attributes) {
			r, ds := p.staticRefs(attr.Expr, scopeStep)
			diags = append(diags, ds...)
			refs = append(refs, r...)
		}
		s.References, ds = p.checkStepRefs(s, refs)
		diags = append(diags, ds...)
	}
	return diags
}

// checkStepRefs keeps the references of s that name another declared
// step, and reports the others.
func (p *Playbook) checkStepRefs(s *Step, refs []StepRef) ([]StepRef, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var ok []StepRef
	seen := map[string]bool{}
	for _, r := range refs {
		if d := p.undeclared(ref{Root: rootStep, Name: r.Name, Range: r.Range}); d != nil {
			diags = append(diags, d)
			continue
		}
		if r.Name == s.Name {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Self-referential step",
				Detail:   fmt.Sprintf("Step %q cannot depend on or be triggered by itself.", s.Name),
				Subject:  r.Range.Ptr(),
			})
			continue
		}
		if !seen[r.Name] {
			seen[r.Name] = true
			ok = append(ok, r)
		}
	}
	return ok, diags
}

// orderLocals finds cycles among locals and the order to evaluate them in.
func (d *decoder) orderLocals() hcl.Diagnostics {
	p := d.p
	g := newGraph(d.localNames)
	for _, name := range d.localNames {
		for _, tr := range p.Locals[name].Expr.Variables() {
			if r, ok := traversalName(tr); ok && r.Root == rootLocal {
				g.add(name, r.Name, r.Range)
			}
		}
	}
	var diags hcl.Diagnostics
	inCycle := map[string]bool{}
	for _, c := range g.cycles() {
		for _, m := range c.members {
			inCycle[g.names[m]] = true
		}
		rng := c.rng
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in local values",
			Detail:   fmt.Sprintf("The local values refer to each other in a cycle: %s.%s", c.describe(g, "local."), othersInCycle(g, c, "local.")),
			Subject:  &rng,
		})
	}
	for _, name := range g.order() {
		if !inCycle[name] {
			p.localOrder = append(p.localOrder, name)
		}
	}
	return diags
}

// buildGraph builds the step graph from depends_on, triggered_by and
// references, and reports its cycles, each naming the whole cycle.
func (d *decoder) buildGraph() hcl.Diagnostics {
	p := d.p
	names := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		names[i] = s.Name
	}
	g := newGraph(names)
	for _, s := range p.Steps {
		for _, list := range [][]StepRef{s.DependsOn, s.TriggeredBy, s.References} {
			for _, r := range list {
				g.add(s.Name, r.Name, r.Range)
			}
		}
	}
	p.graph = g
	var diags hcl.Diagnostics
	for _, c := range g.cycles() {
		rng := c.rng
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in step dependencies",
			Detail: fmt.Sprintf("The steps depend on each other in a cycle (through depends_on, triggered_by or references): %s.%s",
				c.describe(g, "step."), othersInCycle(g, c, "step.")),
			Subject: &rng,
		})
	}
	return diags
}

// othersInCycle names the members of a cycle's component that the cycle
// itself does not pass through.
func othersInCycle(g *graph, c cycle, prefix string) string {
	on := map[int]bool{}
	for _, n := range c.nodes {
		on[n] = true
	}
	var rest []string
	for _, m := range c.members {
		if !on[m] {
			rest = append(rest, prefix+g.names[m])
		}
	}
	if len(rest) == 0 {
		return ""
	}
	return fmt.Sprintf(" %s %s part of the same knot.", strings.Join(rest, ", "), map[bool]string{true: "is", false: "are"}[len(rest) == 1])
}
