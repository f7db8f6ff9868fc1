package drift

import (
	"context"
	"time"
)

// Store keeps what cycles learn of drift over time: the episodes of each
// drifting item and the corrections made to them. The journal implements
// it.
type Store interface {
	// RecordDrift records one cycle's pending changes: it opens an episode
	// for each new one and extends those already open, marks flapping the
	// items whose change is back after the policy's number of corrections,
	// and closes the episodes that settled. It returns the playbook's open
	// episodes afterwards, in address order.
	RecordDrift(ctx context.Context, o Observations) ([]Episode, error)
	// RecordCorrection records a correction made to an open episode of
	// playbook. It reports false, and records nothing, when the address
	// has no open episode (a change a trigger caused, not a drift).
	RecordCorrection(ctx context.Context, playbook string, c CorrectionResult) (bool, error)
}

// FlapPolicy says when a drifting item is flapping: its change is pending
// again after Corrections applied corrections within Within. A flapping
// item is reported and no longer corrected until a person clears it.
type FlapPolicy struct {
	Corrections int
	Within      time.Duration
}

// DefaultFlapPolicy marks an item flapping when its drift is back after
// three corrections within a day.
var DefaultFlapPolicy = FlapPolicy{Corrections: 3, Within: 24 * time.Hour}

// Observation is one change a cycle found pending.
type Observation struct {
	Address string
	Step    string
	Host    string
	Action  string
	Object  string
}

// Observations are what one cycle saw.
type Observations struct {
	Playbook string
	RunID    int64
	Time     time.Time
	// Pending are the changes the cycle's plan holds.
	Pending []Observation
	// Unknown are the addresses that could not be read in this cycle
	// (their host was down): their episodes are left as they were. Every
	// other open episode of the playbook not in Pending has settled and is
	// closed.
	Unknown []string
	Policy  FlapPolicy
}

// Correction is one attempt to correct a drifted item.
type Correction struct {
	RunID  int64     `json:"run_id"`
	Time   time.Time `json:"time"`
	Status string    `json:"status"`
	Error  string    `json:"error,omitempty"`
}

// Episode is one drift episode: an instance that planned a change from
// FirstSeen until Resolved (zero while it still drifts).
type Episode struct {
	ID        int64     `json:"id"`
	Playbook  string    `json:"playbook"`
	Address   string    `json:"address"`
	Step      string    `json:"step"`
	Host      string    `json:"host"`
	Action    string    `json:"action"`
	Object    string    `json:"object,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	LastRunID int64     `json:"last_run_id"`
	Resolved  time.Time `json:"resolved,omitzero"`
	// Flapping is set once the change came back after the policy's number
	// of corrections; FlappingSince says when.
	Flapping      bool         `json:"flapping,omitempty"`
	FlappingSince time.Time    `json:"flapping_since,omitzero"`
	Corrections   []Correction `json:"corrections,omitempty"`
}

// Open reports whether the item still drifts.
func (e Episode) Open() bool { return e.Resolved.IsZero() }

// CorrectionResult is the outcome of one correction, for
// RecordCorrection.
type CorrectionResult struct {
	Address string
	RunID   int64
	Time    time.Time
	// Status is the change's status (plans.Applied, plans.Failed ...).
	Status string
	Error  string
	// Converged is set when verification found the instance settled: the
	// episode then closes at Time.
	Converged bool
}
