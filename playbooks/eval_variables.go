package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/rectifyhq/rectify/internal/lang"
)

// given is a value set for a variable outside the playbook.
type given struct {
	value cty.Value
	rng   hcl.Range
	// fromCLI is set for -var values.
	fromCLI bool
	// secret is set for a value that is sensitive whatever the variable
	// declares.
	secret bool
	// failed is set when the value given could not be read; the problem
	// has been reported.
	failed bool
}

// variables evaluates every variable: -var over -var-file over default,
// converted to the variable's type and checked by its validation rules.
func (e *evaluator) variables() hcl.Diagnostics {
	values, diags := e.varFileValues()
	for _, name := range sortedKeys(e.in.Vars) {
		v, declared := e.p.Variables[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("A value was given for -var %s, but the playbook declares no variable %q.%s", name, name, didYouMean(name, sortedKeys(e.p.Variables))),
			})
			continue
		}
		g, ds := e.cliValue(v, e.in.Vars[name], false)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			g = given{failed: true}
		}
		values[name] = g
	}
	for _, name := range sortedKeys(e.in.Values) {
		if _, declared := e.p.Variables[name]; !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The plan records a value for the variable %q, which the playbook no longer declares.", name),
			})
			continue
		}
		filename := fmt.Sprintf("<value recorded in the plan for var.%s>", name)
		values[name] = given{value: e.in.Values[name], rng: hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}, fromCLI: true}
	}
	for _, name := range sortedKeys(e.in.SecretVars) {
		v, declared := e.p.Variables[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("A sensitive value was given for the variable %q, which the playbook does not declare.", name),
			})
			continue
		}
		g, ds := e.cliValue(v, e.in.SecretVars[name], true)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			g = given{failed: true}
		}
		g.secret = true
		values[name] = g
	}
	for _, name := range sortedKeys(e.p.Variables) {
		v := e.p.Variables[name]
		val, ds := e.variable(v, values)
		diags = append(diags, ds...)
		g, isGiven := values[name]
		if v.Sensitive || isGiven && g.secret {
			val = val.Mark(lang.Sensitive)
		}
		if lang.IsSensitive(val) {
			e.secrets.add(val)
		}
		e.vars[name] = val
		e.res.Variables[name] = val
		if isGiven && !g.failed && !ds.HasErrors() {
			e.res.Given[name] = val
		}
	}
	// Validation runs after every value is known to be a secret or not, so
	// that no message can carry one.
	for _, name := range sortedKeys(e.p.Variables) {
		diags = append(diags, e.validate(e.p.Variables[name], values)...)
	}
	return diags
}

// variable returns the value of v: given, default, or unknown after an
// error.
func (e *evaluator) variable(v *Variable, values map[string]given) (cty.Value, hcl.Diagnostics) {
	g, ok := values[v.Name]
	if !ok {
		if v.Default != cty.NilVal {
			return v.Default, nil
		}
		if v.DefaultRange.Filename != "" {
			// The default was given but did not decode; LoadDir reported it.
			return cty.UnknownVal(v.Type), nil
		}
		return cty.UnknownVal(v.Type), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No value for required variable",
			Detail:   fmt.Sprintf("The variable %q has no default, so a value must be given with -var %s=... or in a -var-file.", v.Name, v.Name),
			Subject:  v.DeclRange.Ptr(),
		}}
	}
	if g.failed {
		return cty.UnknownVal(v.Type), nil
	}
	val := g.value
	if v.TypeDefaults != nil {
		val = v.TypeDefaults.Apply(val)
	}
	cv, err := convert.Convert(val, v.Type)
	if err != nil {
		return cty.UnknownVal(v.Type), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value given for var.%s does not suit its type %s: %s.", v.Name, typeString(v.Type), err),
			Subject:  g.rng.Ptr(),
		}}
	}
	return cv, nil
}

// cliValue parses the text of -var name=text for v; secret treats the text
// as sensitive whatever v declares.
func (e *evaluator) cliValue(v *Variable, text string, secret bool) (given, hcl.Diagnostics) {
	sensitive := v.Sensitive || secret
	filename := fmt.Sprintf("<value for var.%s>", v.Name)
	end := hcl.Pos{Line: 1, Column: len(text) + 1, Byte: len(text)}
	rng := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: end}
	if !v.typeGiven || v.Type == cty.String {
		return given{value: cty.StringVal(text), rng: rng, fromCLI: true}, nil
	}
	if !sensitive {
		e.res.Files[filename] = []byte(text)
	}
	diags := checkExpressionNesting([]byte(text), filename)
	var expr hclsyntax.Expression
	if !diags.HasErrors() {
		expr, diags = hclsyntax.ParseExpression([]byte(text), filename, hcl.InitialPos)
	}
	if !diags.HasErrors() {
		var val cty.Value
		val, diags = expr.Value(&hcl.EvalContext{Functions: e.funcs})
		if !diags.HasErrors() {
			return given{value: val, rng: expr.Range(), fromCLI: true}, diags
		}
	}
	if sensitive {
		// The parser's messages may quote the text.
		return given{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value given for the sensitive variable %q is not a valid expression of type %s; it is not shown.", v.Name, typeString(v.Type)),
			Subject:  rng.Ptr(),
		}}
	}
	return given{}, diags
}

// varFileValues reads the -var-file files in order; later files win.
func (e *evaluator) varFileValues() (map[string]given, hcl.Diagnostics) {
	values := map[string]given{}
	var diags hcl.Diagnostics
	for _, path := range e.in.VarFiles {
		src, ds := readSource(path)
		diags = append(diags, ds...)
		if src == nil {
			continue
		}
		e.res.Files[path] = src
		f, ds := parseSource(src, path)
		diags = append(diags, ds...)
		if f == nil {
			continue
		}
		attrs, ds := f.Body.JustAttributes()
		diags = append(diags, ds...)
		for _, attr := range sortedAttributes(attrs) {
			if _, declared := e.p.Variables[attr.Name]; !declared {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Value for undeclared variable",
					Detail:   fmt.Sprintf("The playbook declares no variable %q, so this value is ignored.%s", attr.Name, didYouMean(attr.Name, sortedKeys(e.p.Variables))),
					Subject:  attr.NameRange.Ptr(),
				})
				continue
			}
			val, ds := attr.Expr.Value(&hcl.EvalContext{Functions: e.funcs})
			diags = append(diags, ds...)
			if ds.HasErrors() {
				values[attr.Name] = given{failed: true}
				continue
			}
			values[attr.Name] = given{value: val, rng: attr.Expr.Range()}
		}
	}
	return values, diags
}

// validate checks v's validation rules against its value. A failed rule is
// reported at the given value, or at the condition for a default.
func (e *evaluator) validate(v *Variable, values map[string]given) hcl.Diagnostics {
	val := e.vars[v.Name]
	var diags hcl.Diagnostics
	for _, rule := range v.Validations {
		ctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{rootVar: cty.ObjectVal(map[string]cty.Value{v.Name: val})},
			Functions: e.funcs,
		}
		result, ds := rule.Condition.Value(ctx)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		result, _ = result.UnmarkDeep()
		if !result.IsKnown() {
			continue
		}
		if result.IsNull() || !result.Type().Equals(cty.Bool) {
			if cv, err := convert.Convert(result, cty.Bool); err == nil && !cv.IsNull() {
				result = cv
			} else {
				diags = append(diags, &hcl.Diagnostic{
					Severity:    hcl.DiagError,
					Summary:     "Invalid validation result",
					Detail:      "A validation condition must be true or false.",
					Subject:     rule.Condition.Range().Ptr(),
					Expression:  rule.Condition,
					EvalContext: ctx,
				})
				continue
			}
		}
		if result.True() {
			continue
		}
		subject := rule.Condition.Range()
		if g, ok := values[v.Name]; ok {
			subject = g.rng
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Invalid value for variable",
			Detail:      fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", rule.ErrorMessage, rule.Condition.Range()),
			Subject:     &subject,
			Expression:  rule.Condition,
			EvalContext: ctx,
		})
	}
	return diags
}

// typeString renders a type as it is written in a variable block.
func typeString(t cty.Type) string {
	if t == cty.DynamicPseudoType {
		return "any"
	}
	return t.FriendlyNameForConstraint()
}
