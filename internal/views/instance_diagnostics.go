package views

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// Sources finds where a step is declared, by step name; nil when unknown.
type Sources func(step string) *plans.SourceRange

// PlanSources returns where a plan records its steps are declared.
func PlanSources(steps []plans.Step) Sources {
	byName := map[string]*plans.SourceRange{}
	for _, s := range steps {
		byName[s.Name] = s.Source
	}
	return func(step string) *plans.SourceRange { return byName[step] }
}

// InputSources returns where the playbook evaluated now declares its
// steps.
func InputSources(steps []engine.Step) Sources {
	byName := map[string]*plans.SourceRange{}
	for _, s := range steps {
		byName[s.Name] = s.Source
	}
	return func(step string) *plans.SourceRange { return byName[step] }
}

// PlanDiagnostics returns an error diagnostic for each instance of p that
// could not be planned on a host that could be read, pointing at its
// step's declaration as a load error points at the playbook: file, line,
// and a snippet when written with HCL's writer. A host that could not be
// read is said once, by the plan's own view.
func PlanDiagnostics(p *plans.Plan, src Sources) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, in := range p.Instances {
		if in.Error == "" {
			continue
		}
		if h, ok := p.Host(in.Host); ok && h.Error != "" {
			continue
		}
		diags = append(diags, instanceDiagnostic(in.Step, fmt.Sprintf("%s could not be planned", in.Address),
			in.Error+"; nothing will be changed there.", src))
	}
	return diags
}

// ApplyDiagnostics returns an error diagnostic for each change of res that
// failed, was left stale or differed from the reviewed plan, pointing at
// its step's declaration.
func ApplyDiagnostics(res *engine.ApplyResult, src Sources) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range res.Changes {
		switch c.Status {
		case plans.Failed, plans.Stale, plans.Differs:
			diags = append(diags, instanceDiagnostic(c.Step, fmt.Sprintf("%s %s", c.Address, c.Status), c.Error+".", src))
		}
	}
	return diags
}

// instanceDiagnostic is an error of one instance of step.
func instanceDiagnostic(step, summary, detail string, src Sources) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if r := src(step); r != nil {
		d.Subject = &hcl.Range{Filename: r.File,
			Start: hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
			End:   hcl.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte}}
	}
	return d
}
