package playbooks

import "github.com/hashicorp/hcl/v2"

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

// Of returns the amount for total targets. A percentage rounds down; use
// BatchSize for batch sizes, which never drop below one.
func (a Amount) Of(total int) int {
	if !a.Percent {
		return a.Value
	}
	return total * a.Value / 100
}

// BatchSize returns the number of targets per batch: Serial of total, at
// least one, and total when Serial is not set.
func (r *Rollout) BatchSize(total int) int {
	if r == nil || !r.Serial.Set {
		return total
	}
	n := r.Serial.Of(total)
	if n < 1 {
		n = 1
	}
	if n > total {
		n = total
	}
	return n
}
