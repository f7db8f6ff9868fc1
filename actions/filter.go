package actions

// Filter is a structured LDAP filter. The Directory renders it to text,
// escaping every value, so that nothing from an inventory, a playbook or the
// directory itself can change a filter's meaning.
type Filter interface {
	isFilter()
}

// And matches entries that match every filter.
type And []Filter

// Or matches entries that match any filter.
type Or []Filter

// Not matches entries that do not match the filter.
type Not struct{ Filter Filter }

// Equal matches an attribute value (with the attribute's matching rule:
// servicePrincipalName and sAMAccountName compare case-insensitively).
type Equal struct{ Attribute, Value string }

// Present matches entries that have the attribute.
type Present struct{ Attribute string }

// BitAnd matches entries whose integer attribute has every bit of Mask
// (LDAP_MATCHING_RULE_BIT_AND, 1.2.840.113556.1.4.803).
type BitAnd struct {
	Attribute string
	Mask      uint32
}

// Substring matches a value with an optional initial part, any middle parts
// and an optional final part (cn=EX*).
type Substring struct {
	Attribute string
	Initial   string
	Any       []string
	Final     string
}

func (And) isFilter()       {}
func (Or) isFilter()        {}
func (Not) isFilter()       {}
func (Equal) isFilter()     {}
func (Present) isFilter()   {}
func (BitAnd) isFilter()    {}
func (Substring) isFilter() {}
