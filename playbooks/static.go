package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// staticValue evaluates an expression that may not refer to anything (no
// variables, no functions) and converts it to ty. The result is
// cty.NilVal when there was an error.
func staticValue(attr *hcl.Attribute, ty cty.Type) (cty.Value, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if !v.IsWhollyKnown() {
		return cty.NilVal, append(diags, notConstant(attr))
	}
	if v.IsNull() {
		return cty.NilVal, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value",
			Detail:   fmt.Sprintf("The argument %q must not be null.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s.", attr.Name, err),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return cv, diags
}

// staticString decodes a constant string attribute; "" on error.
func staticString(attr *hcl.Attribute) (string, hcl.Diagnostics) {
	v, diags := staticValue(attr, cty.String)
	if v == cty.NilVal {
		return "", diags
	}
	return v.AsString(), diags
}

// staticBool decodes a constant bool attribute; false on error.
func staticBool(attr *hcl.Attribute) (bool, hcl.Diagnostics) {
	v, diags := staticValue(attr, cty.Bool)
	if v == cty.NilVal {
		return false, diags
	}
	return v.True(), diags
}

// notConstant reports a value that is not known before evaluation; only a
// broken expression (whose syntax error is reported too) gets here.
func notConstant(attr *hcl.Attribute) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid value",
		Detail:   fmt.Sprintf("The argument %q must be a constant value.", attr.Name),
		Subject:  attr.Expr.Range().Ptr(),
	}
}
