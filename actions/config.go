package actions

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/plans"
)

// Config is a step's decoded attributes: an object value whose attributes
// are those of the action's Schema, defaults applied, types converted.
// Host-selecting attributes hold lists of host names.
type Config struct {
	Value cty.Value
}

// NewConfig wraps an object value.
func NewConfig(v cty.Value) Config { return Config{Value: v} }

func (c Config) attr(name string) cty.Value {
	if c.Value == cty.NilVal || c.Value.IsNull() || !c.Value.Type().IsObjectType() || !c.Value.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	v, _ := c.Value.GetAttr(name).UnmarkDeep()
	return v
}

// Has reports whether the attribute is set (known and not null).
func (c Config) Has(name string) bool {
	v := c.attr(name)
	return v.IsKnown() && !v.IsNull()
}

// String returns a string attribute, or "" when unset.
func (c Config) String(name string) string {
	v := c.attr(name)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// Bool returns a bool attribute, or false when unset.
func (c Config) Bool(name string) bool {
	v := c.attr(name)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Bool {
		return false
	}
	return v.True()
}

// Int returns a whole-number attribute, or 0 when unset.
func (c Config) Int(name string) int64 {
	v := c.attr(name)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0
	}
	i, _ := v.AsBigFloat().Int64()
	return i
}

// Number returns a number attribute as a big.Float, or nil when unset.
func (c Config) Number(name string) *big.Float {
	v := c.attr(name)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return nil
	}
	return v.AsBigFloat()
}

// Strings returns a list or set of strings (host lists too), or nil.
func (c Config) Strings(name string) []string {
	v := c.attr(name)
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		e, _ = e.Unmark()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			out = append(out, e.AsString())
		}
	}
	return out
}

// Raw returns the attribute's cty value, unmarked to the last element:
// Sensitive says whether any of it is a secret.
func (c Config) Raw(name string) cty.Value { return c.attr(name) }

// Sensitive reports whether the attribute's value, or anything inside it,
// came from a secret (env(), file(), a sensitive variable or attribute).
// An action that puts such a value into a change wraps it in
// plans.Sensitive and marks the attribute that shows it Sensitive.
func (c Config) Sensitive(name string) bool {
	if c.Value == cty.NilVal || c.Value.IsNull() || !c.Value.Type().IsObjectType() || !c.Value.Type().HasAttribute(name) {
		return false
	}
	return hasSensitiveMark(c.Value.GetAttr(name))
}

// AnySensitive reports whether any attribute carries a secret.
func (c Config) AnySensitive() bool {
	return c.Value != cty.NilVal && hasSensitiveMark(c.Value)
}

// JSON returns the attribute's value as a plain JSON value in which every
// sensitive part is wrapped in plans.Sensitive: what a payload carries.
func (c Config) JSON(name string) any {
	if c.Value == cty.NilVal || c.Value.IsNull() || !c.Value.Type().IsObjectType() || !c.Value.Type().HasAttribute(name) {
		return nil
	}
	return JSONValue(c.Value.GetAttr(name))
}

// Record returns the whole configuration as JSON with every sensitive part
// wrapped in plans.Sensitive, for a plan to record once redacted.
func (c Config) Record() (json.RawMessage, error) {
	if c.Value == cty.NilVal {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(JSONValue(c.Value))
	if err != nil {
		return nil, fmt.Errorf("encode step configuration: %w", err)
	}
	return b, nil
}

// SensitiveStrings returns every string inside a sensitive part of the
// configuration, for the engine to check that none reaches a record.
func (c Config) SensitiveStrings() []string {
	if c.Value == cty.NilVal {
		return nil
	}
	var out []string
	_, pvm := c.Value.UnmarkDeepWithPaths()
	for _, pm := range pvm {
		if _, ok := pm.Marks[lang.Sensitive]; !ok {
			continue
		}
		v, err := pm.Path.Apply(c.Value)
		if err != nil {
			continue
		}
		v, _ = v.UnmarkDeep()
		collectStrings(v, &out)
	}
	return out
}

func collectStrings(v cty.Value, out *[]string) {
	if !v.IsKnown() || v.IsNull() {
		return
	}
	switch {
	case v.Type() == cty.String:
		*out = append(*out, v.AsString())
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if v.Type().IsMapType() {
				collectStrings(k, out)
			}
			collectStrings(e, out)
		}
	}
}

func hasSensitiveMark(v cty.Value) bool {
	_, pvm := v.UnmarkDeepWithPaths()
	for _, pm := range pvm {
		if _, ok := pm.Marks[lang.Sensitive]; ok {
			return true
		}
	}
	return false
}

// JSONValue converts v to a plain JSON value (string, json.Number, bool,
// []any, map[string]any, nil), wrapping each sensitive part in
// plans.Sensitive. A value not known yet encodes as {"(unknown)": type}.
func JSONValue(v cty.Value) any {
	if v == cty.NilVal {
		return nil
	}
	if v.HasMark(lang.Sensitive) {
		plain, _ := v.UnmarkDeep()
		return plans.Sensitive{Value: JSONValue(plain)}
	}
	v, _ = v.Unmark()
	t := v.Type()
	if !v.IsKnown() {
		return map[string]any{"(unknown)": t.FriendlyName()}
	}
	if v.IsNull() {
		return nil
	}
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Number:
		return json.Number(v.AsBigFloat().Text('f', -1))
	case t == cty.Bool:
		return v.True()
	case t.IsObjectType() || t.IsMapType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = JSONValue(e)
		}
		return out
	case v.CanIterateElements():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, JSONValue(e))
		}
		return out
	}
	return map[string]any{"(unknown)": t.FriendlyName()}
}
