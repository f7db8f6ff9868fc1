package actions

import (
	"github.com/zclconf/go-cty/cty"
)

// Schema describes the attributes an action accepts in its step block, in
// addition to the meta-arguments every step has (targets, depends_on,
// triggered_by, description, auto_correct). The playbooks package decodes a
// step body against it and reports every problem as a diagnostic with the
// attribute's source range.
type Schema struct {
	// Description says in one sentence what the action brings about.
	Description string
	Attributes  []Attribute
}

// Attribute is one attribute of an action's block.
type Attribute struct {
	Name        string
	Description string
	// Type is the cty type the value is converted to. Ignored when Hosts is
	// set.
	Type     cty.Type
	Required bool
	// Default is used when the attribute is absent; cty.NilVal means null.
	Default cty.Value
	// Hosts marks an attribute whose expression selects hosts, like
	// targets (against = group.dc). Its decoded value is a list of host
	// names.
	Hosts bool
	// Sensitive values are never shown in plans, logs or errors.
	Sensitive bool
	// OneOf, when set, lists the only string values allowed.
	OneOf []string
	// Check, when set, validates a known, non-null value and returns a
	// problem in a sentence ("must be a duration such as 24h"), or "".
	Check func(cty.Value) string
}

// Lookup returns the attribute named name.
func (s Schema) Lookup(name string) (Attribute, bool) {
	for _, a := range s.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}
