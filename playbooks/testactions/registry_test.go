package testactions

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// TestSchemasAreConsistent checks what the playbooks decoder relies on:
// every default suits its attribute's type, OneOf and Check.
func TestSchemasAreConsistent(t *testing.T) {
	r := Registry()
	for _, id := range r.IDs() {
		a, _ := r.Lookup(id)
		seen := map[string]bool{}
		for _, attr := range a.Schema().Attributes {
			if seen[attr.Name] {
				t.Errorf("%s: attribute %q twice", id, attr.Name)
			}
			seen[attr.Name] = true
			if attr.Default == cty.NilVal {
				continue
			}
			if attr.Required {
				t.Errorf("%s.%s: required with a default", id, attr.Name)
			}
			v, err := convert.Convert(attr.Default, attr.Type)
			if err != nil {
				t.Errorf("%s.%s: default does not suit %s: %v", id, attr.Name, attr.Type.FriendlyName(), err)
				continue
			}
			if len(attr.OneOf) > 0 && !contains(attr.OneOf, v.AsString()) {
				t.Errorf("%s.%s: default %q is not one of %v", id, attr.Name, v.AsString(), attr.OneOf)
			}
			if attr.Check != nil {
				if p := attr.Check(v); p != "" {
					t.Errorf("%s.%s: default fails its check: %s", id, attr.Name, p)
				}
			}
		}
	}
}

func TestRegistryValueCombinations(t *testing.T) {
	a, _ := Registry().Lookup("windows.registry_value")
	v := a.(*ValidatingAction)
	tests := []struct {
		kind  string
		value cty.Value
		want  string
	}{
		{"dword", cty.NumberIntVal(1), ""},
		{"dword", cty.StringVal("1"), ""},
		{"dword", cty.StringVal("one"), "value must be a number for a dword"},
		{"dword", cty.NumberIntVal(1 << 33), "value is out of range for a dword"},
		{"qword", cty.NumberIntVal(1 << 33), ""},
		{"string", cty.NumberIntVal(1), "value must be a string for a string"},
		{"multi_string", cty.ListVal([]cty.Value{cty.StringVal("a")}), ""},
		{"multi_string", cty.StringVal("a"), "value must be a list of strings for a multi_string"},
		{"dword", cty.NullVal(cty.DynamicPseudoType), "value is required unless ensure is \"absent\""},
	}
	for _, tt := range tests {
		cfg := configOf(map[string]cty.Value{"type": cty.StringVal(tt.kind), "value": tt.value, "ensure": cty.StringVal("present")})
		got := ""
		if probs := v.ValidateConfig(cfg); len(probs) > 0 {
			got = probs[0].Summary
		}
		if got != tt.want {
			t.Errorf("%s %#v: got %q, want %q", tt.kind, tt.value, got, tt.want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
