package playbooks

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Approvals says how many people other than a plan's author must approve
// it (rectify approve) before apply makes its changes:
//
//	approvals {
//	  required = 1
//	}
type Approvals struct {
	Required  int
	DeclRange hcl.Range
}

var approvalsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "required", Required: true},
	},
}

// maxApprovals bounds required: a change board, not a census.
const maxApprovals = 20

func decodeApprovals(b *hcl.Block) (*Approvals, hcl.Diagnostics) {
	ap := &Approvals{DeclRange: b.DefRange}
	content, diags := b.Body.Content(approvalsSchema)
	attr, ok := content.Attributes["required"]
	if !ok {
		return ap, diags
	}
	v, ds := attr.Expr.Value(nil)
	diags = append(diags, ds...)
	if ds.HasErrors() {
		return ap, diags
	}
	if !v.IsWhollyKnown() {
		return ap, append(diags, notConstant(attr))
	}
	n, acc := int64(0), big.Accuracy(1)
	if !v.IsNull() && v.Type() == cty.Number {
		n, acc = v.AsBigFloat().Int64()
	}
	if acc != big.Exact || n < 1 || n > maxApprovals {
		return ap, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid required",
			Detail:   fmt.Sprintf("required must be a whole number of approvals from 1 to %d.", maxApprovals),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	ap.Required = int(n)
	return ap, diags
}
