package inventory

import (
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/internal/secret"
)

// decoder evaluates attributes and collects every problem it meets, so that
// one pass over the file reports them all.
type decoder struct {
	ctx   *hcl.EvalContext
	dir   string // the inventory's directory, for ca_file
	diags hcl.Diagnostics
}

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng.Ptr(),
	})
}

func (d *decoder) warnf(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng.Ptr(),
	})
}

// value evaluates attr and converts it to ty. It returns ok=false when the
// attribute is absent, null, unknown or wrong; problems become diagnostics.
// The value keeps its marks.
func (d *decoder) value(attr *hcl.Attribute, ty cty.Type) (cty.Value, bool) {
	if attr == nil {
		return cty.NilVal, false
	}
	v, diags := attr.Expr.Value(d.ctx)
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		// convert's messages name types, never values.
		d.errorf(attr.Expr.Range(), "Incorrect attribute value type",
			"Inappropriate value for attribute %q: %s.", attr.Name, err)
		return cty.NilVal, false
	}
	if cv.IsNull() {
		return cty.NilVal, false
	}
	return cv, true
}

// requiredString decodes a string attribute the schema requires, and
// reports a null value, which the schema's presence check lets through.
func (d *decoder) requiredString(attr *hcl.Attribute) (s string, sensitive, ok bool) {
	before := len(d.diags)
	s, sensitive, ok = d.plainString(attr)
	if !ok && attr != nil && !d.diags[before:].HasErrors() {
		d.errorf(attr.Expr.Range(), "Missing "+attr.Name, "%s is required and must not be null.", attr.Name)
	}
	return s, sensitive, ok
}

// plainString decodes a string attribute that is not a secret. A value from
// env() or file() is accepted (a user name often comes from the environment)
// but flagged so that callers never quote it in a message.
func (d *decoder) plainString(attr *hcl.Attribute) (s string, sensitive, ok bool) {
	v, ok := d.value(attr, cty.String)
	if !ok {
		return "", false, false
	}
	sensitive = lang.IsSensitive(v)
	v, _ = v.UnmarkDeep()
	return v.AsString(), sensitive, true
}

// str is plainString for attributes whose value may be quoted in messages
// when it is not sensitive.
func (d *decoder) str(attr *hcl.Attribute) (string, bool) {
	s, _, ok := d.plainString(attr)
	return s, ok
}

// fact decodes a string that becomes one of a host's facts (fqdn, site,
// ...). Facts are shown in plans and logs, so they may not come from env()
// or file(), whose values are secrets.
func (d *decoder) fact(attr *hcl.Attribute) (string, bool) {
	s, sensitive, ok := d.plainString(attr)
	return d.checkFact(attr, s, sensitive, ok)
}

// requiredFact is fact for an attribute the schema requires.
func (d *decoder) requiredFact(attr *hcl.Attribute) (string, bool) {
	s, sensitive, ok := d.requiredString(attr)
	return d.checkFact(attr, s, sensitive, ok)
}

func (d *decoder) checkFact(attr *hcl.Attribute, s string, sensitive, ok bool) (string, bool) {
	if ok && sensitive {
		d.errorf(attr.Expr.Range(), "Secret in host facts", secretFactDetail, attr.Name)
		return "", false
	}
	return s, ok
}

const secretFactDetail = "%s is shown in plans and logs, so it cannot come from env() or file(), whose values rectify keeps secret."

// boolean decodes a bool attribute.
func (d *decoder) boolean(attr *hcl.Attribute) (bool, bool) {
	v, ok := d.value(attr, cty.Bool)
	if !ok {
		return false, false
	}
	v, _ = v.UnmarkDeep()
	return v.True(), true
}

// integer decodes a whole number between lo and hi.
func (d *decoder) integer(attr *hcl.Attribute, lo, hi int64) (int64, bool) {
	v, ok := d.value(attr, cty.Number)
	if !ok {
		return 0, false
	}
	v, _ = v.UnmarkDeep()
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if acc != big.Exact || i < lo || i > hi {
		d.errorf(attr.Expr.Range(), "Invalid "+attr.Name, "%s must be a whole number from %d to %d.", attr.Name, lo, hi)
		return 0, false
	}
	return i, true
}

// duration decodes a positive duration such as "30s" or "2m".
func (d *decoder) duration(attr *hcl.Attribute) (time.Duration, bool) {
	s, sensitive, ok := d.plainString(attr)
	if !ok {
		return 0, false
	}
	dur, err := lang.ParseDuration(s)
	if err != nil || dur <= 0 {
		what := fmt.Sprintf("%q", s)
		if sensitive {
			what = "the value"
		}
		d.errorf(attr.Expr.Range(), "Invalid "+attr.Name,
			"%s is not a positive duration; write it like 30s, 2m or 1h.", what)
		return 0, false
	}
	return dur, true
}

// secret decodes a password attribute. A value that does not come from
// env() or file() is accepted with a warning: it is written in the file.
func (d *decoder) secret(attr *hcl.Attribute) (secret.Value, bool) {
	v, ok := d.value(attr, cty.String)
	if !ok {
		return secret.Value{}, false
	}
	if !readsOutside(attr.Expr) {
		d.warnf(attr.Expr.Range(), "Password written in the inventory",
			`The value of %q is written in the file, where anyone who can read it sees it. Use env("NAME") or file("path") so that the secret stays out of the inventory.`, attr.Name)
		d.diags[len(d.diags)-1].Extra = secretSource{}
	}
	v, _ = v.UnmarkDeep()
	return secret.New(v.AsString()), true
}

// readsOutside reports whether expr calls env() or file(), the functions
// through which secrets enter without being written in the file.
func readsOutside(expr hcl.Expression) bool {
	sx, ok := expr.(hclsyntax.Expression)
	if !ok {
		return false
	}
	found := false
	hclsyntax.VisitAll(sx, func(n hclsyntax.Node) hcl.Diagnostics {
		if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && (call.Name == "env" || call.Name == "file") {
			found = true
		}
		return nil
	})
	return found
}

// listItem is one string of a list attribute with its own source range, so
// that a problem with one element is reported at that element.
type listItem struct {
	Value string
	Range hcl.Range
}

// stringList decodes a list of strings. When the list is written as a
// literal, every element carries its own range.
func (d *decoder) stringList(attr *hcl.Attribute) ([]listItem, bool) {
	if attr == nil {
		return nil, false
	}
	if exprs, diags := hcl.ExprList(attr.Expr); !diags.HasErrors() {
		var items []listItem
		ok := true
		for _, e := range exprs {
			v, diags := e.Value(d.ctx)
			d.diags = append(d.diags, diags...)
			if diags.HasErrors() || !v.IsWhollyKnown() {
				ok = false
				continue
			}
			sv, err := convert.Convert(v, cty.String)
			if err != nil || sv.IsNull() {
				d.errorf(e.Range(), "Incorrect attribute value type",
					"Each element of %q must be a string.", attr.Name)
				ok = false
				continue
			}
			if lang.IsSensitive(sv) {
				d.errorf(e.Range(), "Secret in host facts", secretFactDetail, attr.Name)
				ok = false
				continue
			}
			sv, _ = sv.UnmarkDeep()
			items = append(items, listItem{Value: sv.AsString(), Range: e.Range()})
		}
		return items, ok
	}
	v, ok := d.value(attr, cty.List(cty.String))
	if !ok {
		return nil, false
	}
	if lang.IsSensitive(v) {
		d.errorf(attr.Expr.Range(), "Secret in host facts", secretFactDetail, attr.Name)
		return nil, false
	}
	v, _ = v.UnmarkDeep()
	var items []listItem
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			d.errorf(attr.Expr.Range(), "Incorrect attribute value type", "The elements of %q must not be null.", attr.Name)
			return nil, false
		}
		items = append(items, listItem{Value: e.AsString(), Range: attr.Expr.Range()})
	}
	return items, true
}

// stringMap decodes vars: a map of strings that may not hold secrets, since
// host vars are shown in plans.
func (d *decoder) stringMap(attr *hcl.Attribute) (map[string]string, bool) {
	v, ok := d.value(attr, cty.Map(cty.String))
	if !ok {
		return nil, false
	}
	if lang.IsSensitive(v) {
		d.errorf(attr.Expr.Range(), "Secret in vars",
			"%s are shown in plans and logs, so they cannot hold values from env() or file(). Put credentials in a password attribute.", attr.Name)
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			continue
		}
		out[k.AsString()] = e.AsString()
	}
	return out, true
}
