package playbooks

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

const variablesPlaybook = `
playbook "v" {}

variable "name" {
  type = string
}
variable "untyped" {}
variable "count" {
  type    = number
  default = 1
}
variable "services" {
  type    = list(string)
  default = ["SMTP"]
}
variable "connector" {
  type = object({
    identity = string
    groups   = optional(list(string), ["ExchangeServers"])
  })
  default = { identity = "Default" }
}
`

func TestVariableValues(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pb := write("playbook.hcl", variablesPlaybook)
	first := write("first.vars", "count = 2\nservices = [\"A\", \"B\"]\nname = \"from-file\"\n")
	second := write("second.vars", "count = 3\nconnector = { identity = \"EX01\" }\n")

	tests := []struct {
		name string
		in   EvalInput
		want map[string]string // JSON of each value
		errs []string
	}{{
		name: "defaults and a required value",
		in:   EvalInput{Vars: map[string]string{"name": "[not parsed]", "untyped": "1 + 1"}},
		want: map[string]string{
			"name": `"[not parsed]"`, "untyped": `"1 + 1"`, "count": `1`, "services": `["SMTP"]`,
			"connector": `{"groups":["ExchangeServers"],"identity":"Default"}`,
		},
	}, {
		name: "files in order, then -var",
		in: EvalInput{
			VarFiles: []string{first, second},
			Vars:     map[string]string{"count": "4", "services": `["X"]`},
		},
		want: map[string]string{
			"name": `"from-file"`, "untyped": `null`, "count": `4`, "services": `["X"]`,
			"connector": `{"groups":["ExchangeServers"],"identity":"EX01"}`,
		},
		errs: []string{"No value for required variable"},
	}, {
		name: "bad values",
		in:   EvalInput{Vars: map[string]string{"name": "x", "count": "many", "services": "[", "nope": "1"}},
		// count's text "many" parses as a reference; untyped has no value.
		errs: []string{"Missing expression", "No value for required variable", "Value for undeclared variable", "Variables not allowed"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, diags := Load(pb, nil, tt.in)
			var errs []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs = append(errs, d.Summary)
				}
			}
			sort.Strings(errs)
			if diff := cmp.Diff(tt.errs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for name, want := range tt.want {
				v := r.Variables[name]
				if !v.IsKnown() {
					if want != "null" {
						t.Errorf("%s is unknown", name)
					}
					continue
				}
				js, err := ctyjson.Marshal(v, v.Type())
				if err != nil {
					t.Fatal(err)
				}
				if string(js) != want {
					t.Errorf("%s = %s, want %s", name, js, want)
				}
			}
		})
	}
}

func TestVariableTypeOfCLIValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.hcl")
	if err := os.WriteFile(path, []byte(variablesPlaybook), 0o600); err != nil {
		t.Fatal(err)
	}
	r, diags := Load(path, nil, EvalInput{Vars: map[string]string{"name": "a", "untyped": "b", "count": "7", "services": `["a", "b"]`}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if !r.Variables["count"].RawEquals(cty.NumberIntVal(7)) {
		t.Errorf("count = %#v", r.Variables["count"])
	}
	if got := r.Variables["services"]; !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})) {
		t.Errorf("services = %#v", got)
	}
	if got := r.Variables["untyped"]; !got.RawEquals(cty.StringVal("b")) {
		t.Errorf("untyped = %#v", got)
	}
	if strings.Contains(diags.Error(), "warning") {
		t.Errorf("unexpected warnings: %s", diags.Error())
	}
}
