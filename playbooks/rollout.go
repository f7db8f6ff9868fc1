package playbooks

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/plans"
)

// Rollout is the batch policy of apply: how many targets change at once and
// how many may fail before the run stops.
type Rollout struct {
	// Serial is the batch size; zero Amount means all targets at once.
	Serial Amount
	// MaxFail is how many targets may fail before the run stops.
	MaxFail   Amount
	DeclRange hcl.Range
}

// Amount is a count of targets, absolute (serial = 2) or a percentage of
// all targets (serial = "25%").
type Amount struct {
	Value   int
	Percent bool
	// Set reports whether the attribute was given.
	Set   bool
	Range hcl.Range
}

// Of returns the amount for total targets; a percentage rounds down.
func (a Amount) Of(total int) int {
	if !a.Percent {
		return a.Value
	}
	return total * a.Value / 100
}

// Plan returns the amount as a plan holds a batch size: unset when not
// given, an error for an amount of no host.
func (a Amount) Plan() (plans.Amount, error) {
	switch {
	case !a.Set:
		return plans.Amount{}, nil
	case a.Percent:
		return plans.Percent(a.Value)
	}
	return plans.Hosts(a.Value)
}
