package views

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

func TestInstanceDiagnostics(t *testing.T) {
	src := &plans.SourceRange{File: "/pb/playbook.hcl", Start: plans.SourcePos{Line: 12, Column: 1, Byte: 300}, End: plans.SourcePos{Line: 12, Column: 40, Byte: 339}}
	p := &plans.Plan{
		Hosts: []plans.Host{{Name: "ex01"}, {Name: "dc02", Error: "connection refused"}},
		Steps: []plans.Step{{Name: "smtp", Source: src}, {Name: "ports"}},
		Instances: []plans.Instance{
			{Address: "step.smtp[ex01]", Step: "smtp", Host: "ex01", Error: "cannot observe: no such account"},
			{Address: "step.smtp[dc02]", Step: "smtp", Host: "dc02", Error: "host dc02 could not be read: connection refused"},
			{Address: "step.ports[ex01]", Step: "ports", Host: "ex01", Error: "cannot plan: bad endpoint"},
			{Address: "step.smtp[ex03]", Step: "smtp", Host: "ex03"},
		},
	}
	subject := &hcl.Range{Filename: "/pb/playbook.hcl", Start: hcl.Pos{Line: 12, Column: 1, Byte: 300}, End: hcl.Pos{Line: 12, Column: 40, Byte: 339}}
	want := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "step.smtp[ex01] could not be planned", Detail: "cannot observe: no such account; nothing will be changed there.", Subject: subject},
		// A step the plan has no source for has no subject.
		{Severity: hcl.DiagError, Summary: "step.ports[ex01] could not be planned", Detail: "cannot plan: bad endpoint; nothing will be changed there."},
	}
	if diff := cmp.Diff(want, PlanDiagnostics(p, PlanSources(p.Steps))); diff != "" {
		t.Errorf("plan diagnostics (-want +got):\n%s", diff)
	}

	res := &engine.ApplyResult{Changes: []plans.ChangeResult{
		{Address: "step.smtp[ex01]", Step: "smtp", Status: plans.Stale, Error: "not changed: the target moved since the plan was made; make a new plan"},
		{Address: "step.smtp[ex02]", Step: "smtp", Status: plans.Applied},
		{Address: "step.smtp[ex03]", Step: "smtp", Status: plans.Skipped, Error: "an earlier change on this host failed"},
	}}
	wantApply := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "step.smtp[ex01] stale", Detail: "not changed: the target moved since the plan was made; make a new plan.", Subject: subject},
	}
	if diff := cmp.Diff(wantApply, ApplyDiagnostics(res, InputSources([]engine.Step{{Name: "smtp", Source: src}}))); diff != "" {
		t.Errorf("apply diagnostics (-want +got):\n%s", diff)
	}
}
