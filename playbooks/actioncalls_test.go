package playbooks

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

type panickyValidator struct{}

func (panickyValidator) ValidateConfig(actions.Config) []actions.ConfigProblem { panic("boom") }

func TestActionPanicsBecomeErrors(t *testing.T) {
	if _, err := runCheck(func(v cty.Value) string { return v.AsString() }, cty.NumberIntVal(1)); err == nil {
		t.Errorf("a panicking check returned no error")
	}
	if p, err := runCheck(func(cty.Value) string { return "must be x" }, cty.True); p != "must be x" || err != nil {
		t.Errorf("runCheck = %q, %v", p, err)
	}
	_, err := runValidator(panickyValidator{}, actions.Config{})
	if err == nil {
		t.Fatal("a panicking validator returned no error")
	}
	d := actionBug(&Step{ActionID: "x.y", Name: "s"}, err)
	if d.Severity != hcl.DiagError || !strings.Contains(d.Detail, "boom") {
		t.Errorf("diagnostic %+v", d)
	}
}
