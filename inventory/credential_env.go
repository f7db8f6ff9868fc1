package inventory

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// envNames returns the names of the environment variables expr reads
// with env("NAME"), a literal name each, in the order written; nil when
// it reads none. A hint that the credentials were refused names these
// variables, the ones the operator set.
func envNames(expr hcl.Expression) []string {
	sx, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var names []string
	hclsyntax.VisitAll(sx, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "env" || len(call.Args) != 1 {
			return nil
		}
		v, diags := call.Args[0].Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			return nil
		}
		names = append(names, v.AsString())
		return nil
	})
	return names
}

// attrEnvNames is envNames of an attribute that may be absent.
func attrEnvNames(attr *hcl.Attribute) []string {
	if attr == nil {
		return nil
	}
	return envNames(attr.Expr)
}
