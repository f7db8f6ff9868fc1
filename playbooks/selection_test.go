package playbooks

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// TestEmptySelectionIsTyped checks that the command can find the
// "selects no host" warnings by type and turn them into errors.
func TestEmptySelectionIsTyped(t *testing.T) {
	r, diags := Load("testdata/invalid/bad_targets.hcl", testactions.Registry(), EvalInput{Hosts: testHosts(), Groups: testGroups})
	var got []EmptySelection
	for _, d := range diags {
		if sel, ok := hcl.DiagnosticExtra[EmptySelection](d); ok {
			if d.Severity != hcl.DiagWarning {
				t.Errorf("%q is not a warning", d.Summary)
			}
			got = append(got, sel)
		}
	}
	want := []EmptySelection{
		{Step: "nobody", Attribute: "targets"},
		{Step: "spare", Attribute: "targets"},
		{Step: "spare_dcs", Attribute: "against"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty selections (-want +got):\n%s", diff)
	}
	nobody, ok := r.Step("nobody")
	if !ok || nobody.Targets == nil || len(nobody.Targets) != 0 {
		t.Errorf("step nobody: targets %#v, want an empty, non-nil list", nobody)
	}

	// Without an inventory nothing can be empty.
	_, diags = Load("testdata/invalid/bad_targets.hcl", testactions.Registry(), EvalInput{})
	for _, d := range diags {
		if _, ok := hcl.DiagnosticExtra[EmptySelection](d); ok {
			t.Errorf("empty selection without an inventory: %s", d.Error())
		}
	}
}
