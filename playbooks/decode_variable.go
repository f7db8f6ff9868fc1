package playbooks

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// decodeVariable decodes a variable block.
func (d *decoder) decodeVariable(b *hcl.Block) hcl.Diagnostics {
	name := b.Labels[0]
	v := &Variable{Name: name, Type: cty.DynamicPseudoType, DeclRange: b.DefRange}
	content, diags := b.Body.Content(variableSchema)
	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   "A variable name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.",
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	if prev, dup := d.p.Variables[name]; dup {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate variable declaration",
			Detail:   fmt.Sprintf("A variable named %q was already declared at %s. Variable names must be unique within a playbook.", name, prev.DeclRange),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	} else {
		d.p.Variables[name] = v
	}
	if attr, ok := content.Attributes["description"]; ok {
		s, ds := staticString(attr)
		diags = append(diags, ds...)
		v.Description = s
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		s, ds := staticBool(attr)
		diags = append(diags, ds...)
		v.Sensitive = s
	}
	if attr, ok := content.Attributes["type"]; ok {
		ty, defaults, ds := typeexpr.TypeConstraintWithDefaults(attr.Expr)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			v.Type, v.TypeDefaults, v.typeGiven = ty, defaults, true
		}
	}
	if attr, ok := content.Attributes["default"]; ok {
		v.DefaultRange = attr.Expr.Range()
		val, ds := attr.Expr.Value(nil)
		if !ds.HasErrors() && !val.IsWhollyKnown() {
			ds = append(ds, notConstant(attr))
		}
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			if v.TypeDefaults != nil {
				val = v.TypeDefaults.Apply(val)
			}
			cv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", err),
					Subject:  attr.Expr.Range().Ptr(),
				})
			} else {
				v.Default = cv
			}
		}
	}
	for _, blk := range content.Blocks {
		val, ds := decodeValidation(name, blk)
		diags = append(diags, ds...)
		if val != nil {
			v.Validations = append(v.Validations, val)
		}
	}
	return diags
}

// decodeValidation decodes a validation block of variable name. Its
// condition may refer only to var.<name>.
func decodeValidation(name string, b *hcl.Block) (*Validation, hcl.Diagnostics) {
	content, diags := b.Body.Content(validationSchema)
	cond, hasCond := content.Attributes["condition"]
	msg, hasMsg := content.Attributes["error_message"]
	if !hasCond || !hasMsg {
		return nil, diags
	}
	val := &Validation{Condition: cond.Expr, DeclRange: b.DefRange}
	for _, tr := range cond.Expr.Variables() {
		ref, ok := traversalName(tr)
		if tr.RootName() == "var" && ok && ref.Name == name {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference in variable validation",
			Detail:   fmt.Sprintf("The condition of variable %q may refer only to the variable itself, as var.%s.", name, name),
			Subject:  tr.SourceRange().Ptr(),
		})
		val = nil
	}
	s, ds := staticString(msg)
	diags = append(diags, ds...)
	if !ds.HasErrors() && strings.TrimSpace(s) == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty error message",
			Detail:   "The error_message says what is wrong with a value that fails the condition; it must not be empty.",
			Subject:  msg.Expr.Range().Ptr(),
		})
	}
	if val != nil {
		val.ErrorMessage = s
	}
	return val, diags
}
