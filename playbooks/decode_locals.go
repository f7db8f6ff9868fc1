package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// decodeLocals decodes a locals block. A playbook may have several; a name
// may be defined only once across them.
func (d *decoder) decodeLocals(b *hcl.Block) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for _, attr := range sortedAttributes(attrs) {
		if !hclsyntax.ValidIdentifier(attr.Name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid local value name",
				Detail:   "A local value name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.",
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		if prev, dup := d.p.Locals[attr.Name]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value definition",
				Detail:   fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique within a playbook.", attr.Name, prev.DeclRange),
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		d.p.Locals[attr.Name] = &Local{Name: attr.Name, Expr: attr.Expr, DeclRange: attr.Range}
		d.localNames = append(d.localNames, attr.Name)
	}
	return diags
}

// sortedAttributes returns attrs in source order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	list := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		list = append(list, a)
	}
	sortByRange(list, func(a *hcl.Attribute) hcl.Range { return a.Range })
	return list
}
