package playbooks

import (
	"errors"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/rectifyhq/rectify/internal/lang"
)

// Secrets never reach a diagnostic. Three rules see to it:
//
//  1. A diagnostic whose expression refers to a sensitive value, or calls
//     env, file or sensitive, loses its EvalContext, so HCL's text writer
//     prints no "var.x is ..." lines for it.
//  2. Every function is wrapped: when it fails on a sensitive argument, its
//     error (which may quote the argument) is replaced by one that does
//     not; every sensitive value a function returns is remembered.
//  3. The remembered values, and those of sensitive variables and
//     attributes, are replaced in every summary and detail by
//     "(sensitive value)", in case some message quotes one anyway.

// redacted replaces a secret in diagnostic text.
const redacted = "(sensitive value)"

// minSecretLen is the shortest secret that rule 3 replaces in text;
// shorter ones would garble ordinary words, and rules 1 and 2 still hold.
const minSecretLen = 3

// secretFuncs produce sensitive values from outside the playbook.
var secretFuncs = map[string]bool{"env": true, "file": true, "sensitive": true}

// secrets collects the sensitive values seen while evaluating.
type secrets struct {
	values map[string]bool
}

// add remembers every string (and number, as written) inside v.
func (s *secrets) add(v cty.Value) {
	if v == cty.NilVal {
		return
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return
	}
	switch {
	case v.Type() == cty.String:
		s.remember(v.AsString())
	case v.Type() == cty.Number:
		s.remember(v.AsBigFloat().Text('f', -1))
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if v.Type().IsMapType() {
				s.add(k)
			}
			s.add(e)
		}
	}
}

func (s *secrets) remember(text string) {
	if s.values == nil {
		s.values = map[string]bool{}
	}
	for _, form := range []string{text, strings.TrimSpace(text)} {
		if len(form) >= minSecretLen {
			s.values[form] = true
		}
	}
}

// scrub replaces every remembered secret in text, longest first.
func (s *secrets) scrub(text string) string {
	if len(s.values) == 0 || text == "" {
		return text
	}
	list := make([]string, 0, len(s.values))
	for v := range s.values {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	for _, v := range list {
		text = strings.ReplaceAll(text, v, redacted)
		// Messages often quote values Go-style.
		if q := strings.Trim(quoteGo(v), `"`); q != v {
			text = strings.ReplaceAll(text, q, redacted)
		}
	}
	return text
}

func quoteGo(s string) string {
	b := strings.Builder{}
	b.WriteString(`"`)
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(`"`)
	return b.String()
}

// redact applies rules 1 and 3 to diags.
func (s *secrets) redact(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Expression != nil && d.EvalContext != nil && touchesSensitive(d.Expression, d.EvalContext) {
			d.EvalContext = nil
		}
		d.Summary = s.scrub(d.Summary)
		d.Detail = s.scrub(d.Detail)
	}
	return diags
}

// touchesSensitive reports whether expr refers to a sensitive value in ctx
// or calls a function that produces one.
func touchesSensitive(expr hcl.Expression, ctx *hcl.EvalContext) bool {
	for _, tr := range expr.Variables() {
		v, diags := tr.TraverseAbs(ctx)
		if !diags.HasErrors() && lang.IsSensitive(v) {
			return true
		}
		// A sensitive root reached through a bad traversal still counts.
		if root, ok := ctxVariable(ctx, tr.RootName()); ok && lang.IsSensitive(root) && diags.HasErrors() {
			return true
		}
	}
	found := false
	if node, ok := expr.(hclsyntax.Node); ok {
		_ = hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
			if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && secretFuncs[call.Name] {
				found = true
			}
			return nil
		})
	}
	return found
}

func ctxVariable(ctx *hcl.EvalContext, name string) (cty.Value, bool) {
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[name]; ok {
			return v, true
		}
	}
	return cty.NilVal, false
}

// errSensitiveFailure replaces the error of a function that failed on a
// sensitive argument.
var errSensitiveFailure = errors.New("the function failed on a sensitive value; the reason is not shown because it could reveal the value")

// guardFunctions wraps every function of table (rule 2).
func (s *secrets) guardFunctions(table map[string]function.Function) map[string]function.Function {
	out := make(map[string]function.Function, len(table))
	for name, f := range table {
		if name == "try" || name == "can" {
			// These take expressions, not values; their failures are the
			// diagnostics of the expressions, which rule 1 and 3 cover.
			out[name] = f
			continue
		}
		out[name] = s.guard(f)
	}
	return out
}

func (s *secrets) guard(f function.Function) function.Function {
	params := f.Params()
	for i := range params {
		params[i].AllowMarked = true
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		c := *vp
		c.AllowMarked = true
		varParam = &c
	}
	hide := func(args []cty.Value, err error) error {
		if err == nil {
			return nil
		}
		for i, a := range args {
			if lang.IsSensitive(a) {
				var ae function.ArgError
				if errors.As(err, &ae) {
					return function.NewArgError(ae.Index, errSensitiveFailure)
				}
				return function.NewArgError(i, errSensitiveFailure)
			}
		}
		return err
	}
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			ty, err := f.ReturnTypeForValues(args)
			return ty, hide(args, err)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			if err != nil {
				return v, hide(args, err)
			}
			if lang.IsSensitive(v) {
				s.add(v)
			}
			return v, nil
		},
	})
}
