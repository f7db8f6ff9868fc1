package windows

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

func TestPowerShellPlan(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"check":   cty.StringVal("# rectify:op user.tls12 v1\nparam($a)\n"),
		"apply":   cty.StringVal("# rectify:op user.tls12_set v1\nparam($a)\n"),
		"desired": cty.ObjectVal(map[string]cty.Value{"enabled": cty.True, "protocols": cty.TupleVal([]cty.Value{cty.StringVal("TLS1.2")})}),
		"object":  cty.StringVal("TLS 1.2"), "reason": cty.NullVal(cty.String), "kb_step": cty.NullVal(cty.String),
	}))
	inst := actions.Instance{Step: "tls", Host: actions.Host{Name: "ex01"}, Config: cfg}
	for _, tt := range []struct {
		out  string
		want plans.Action
	}{
		{`{"protocols":["TLS1.2"],"enabled":true}`, plans.NoOp},
		{`{"enabled":false,"protocols":["TLS1.2"]}`, plans.Update},
	} {
		st, err := PowerShell{}.Observe(inst, actions.Results{"check": {Output: []byte(tt.out)}})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := PowerShell{}.Plan(inst, st)
		if err != nil || ch.Action != tt.want {
			t.Errorf("%s: %s, %v", tt.out, ch.Action, err)
		}
	}
	if _, err := (PowerShell{}).Observe(inst, actions.Results{"check": {Output: []byte("not json")}}); err == nil {
		t.Error("a non-JSON check result was accepted")
	}
	bad := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"check": cty.StringVal("Get-Item x"), "apply": cty.StringVal("# rectify:op registry.set v1\n")}))
	if got := len((PowerShell{}).ValidateConfig(bad)); got != 2 {
		t.Errorf("%d problems for two scripts without a user marker, want 2", got)
	}
}
