package actions

import (
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
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
	v, _ := c.Value.GetAttr(name).Unmark()
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

// Raw returns the attribute's cty value, unmarked.
func (c Config) Raw(name string) cty.Value { return c.attr(name) }

// MarshalJSON encodes the configuration with its type, so that a saved plan
// can carry it and restore it exactly.
func (c Config) MarshalJSON() ([]byte, error) {
	if c.Value == cty.NilVal {
		return []byte("null"), nil
	}
	v, _ := c.Value.UnmarkDeep()
	return ctyjson.Marshal(v, cty.DynamicPseudoType)
}

// UnmarshalJSON restores a configuration encoded by MarshalJSON.
func (c *Config) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		c.Value = cty.NilVal
		return nil
	}
	v, err := ctyjson.Unmarshal(b, cty.DynamicPseudoType)
	if err != nil {
		return fmt.Errorf("decode step configuration: %w", err)
	}
	c.Value = v
	return nil
}
