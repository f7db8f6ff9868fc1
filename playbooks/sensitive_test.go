package playbooks

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/rectifyhq/rectify/internal/lang"
)

// testSecret is recognisable in any output.
const testSecret = "Tr0ub4dor-horse-staple-5150"

func TestSecretsNeverInDiagnostics(t *testing.T) {
	scope := lang.Scope{
		BaseDir: "testdata/secrets",
		LookupEnv: func(name string) (string, bool) {
			if name == "RECTIFY_TEST_SECRET" {
				return testSecret, true
			}
			return "", false
		},
	}
	// The test's function table has functions that quote their argument
	// in errors and drop marks, so that the playbooks package's own rules
	// are what keeps the secret out.
	funcs := scope.Functions()
	funcs["tonumber"] = stdlib.MakeToFunc(cty.Number)
	funcs["nonsecret"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.String, AllowMarked: true}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, _ := args[0].Unmark()
			return v, nil
		},
	})
	in := EvalInput{
		Hosts:     testHosts(),
		Groups:    testGroups,
		VarFiles:  []string{"testdata/secrets.vars"},
		Vars:      map[string]string{"declared": testSecret, "declared_list": `["` + testSecret},
		Functions: funcs,
	}
	p, r, diags := loadAndEvaluate(t, "testdata/secrets", in)
	out := render(t, p, r, diags)

	// The errors happened: each marked line reports what it should.
	want := append(expectedDiagnostics(t, "testdata/secrets"), expectedDiagnostics(t, "testdata/secrets.vars")...)
	want = append(want,
		"<value for var.declared>:1: ERROR: Invalid value for variable",
		"<value for var.declared_list>:1: ERROR: Invalid value for variable")
	got := gotDiagnostics(diags)
	if diff := cmp.Diff(sorted(want), got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s\nrendered:\n%s", diff, out)
	}

	for _, form := range []string{testSecret, strings.ToUpper(testSecret), "horse-staple"} {
		if strings.Contains(out, form) {
			t.Errorf("the rendered diagnostics contain the secret %q:\n%s", form, out)
		}
		for _, d := range diags {
			if strings.Contains(d.Summary+d.Detail, form) {
				t.Errorf("diagnostic %q carries the secret in its text", d.Summary)
			}
		}
	}
	// Values that are not secret are still shown, as HCL shows them.
	if !strings.Contains(out, `with var.plain as "visible"`) {
		t.Errorf("the value of a plain variable is not shown:\n%s", out)
	}
	// The secret kept its mark through evaluation.
	if !lang.IsSensitive(r.Variables["token"]) || !lang.IsSensitive(r.Locals["upper"]) {
		t.Errorf("sensitive marks were lost: token %#v", r.Variables["token"])
	}
	if _, ok := r.Files["<value for var.declared_list>"]; ok {
		t.Errorf("the text of a sensitive -var value is kept for rendering")
	}
}

func TestSecretRedactionRules(t *testing.T) {
	s := &secrets{}
	s.remember("pa\"ss\nword")
	s.remember("ab")
	got := s.scrub(`value "pa\"ss\nword" and pa"ss` + "\n" + `word, ab`)
	want := `value "(sensitive value)" and (sensitive value), ab`
	if got != want {
		t.Errorf("scrub = %q, want %q", got, want)
	}
	if filepath.Base(redacted) == "" {
		t.Fatal("unreachable")
	}
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sortStrings(out)
	return out
}
