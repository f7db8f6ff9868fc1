package drift

import "time"

// Metrics receives what the watcher does, for monitoring. The Prometheus
// metrics of rectify watch implement it.
type Metrics interface {
	// ExpectCycle says when the next cycle is due.
	ExpectCycle(next time.Time)
	// CycleSkipped counts a cycle that did not run, and why ("locked":
	// other runs held its hosts; "overrun": the previous cycle was still
	// running).
	CycleSkipped(playbook, reason string)
	// ObserveCycle hands over what one cycle found and did.
	ObserveCycle(f Figures)
}

// ElectionMetrics is the optional capability of Metrics that shows
// whether this watcher is the active one of several on a shared journal.
type ElectionMetrics interface {
	SetActive(playbook string, active bool)
}

// Figures are what one cycle found and did, as monitoring counts it.
type Figures struct {
	Playbook string
	Started  time.Time
	Duration time.Duration
	// Outcome is the run's outcome as the journal records it.
	Outcome     string
	Pending     []PendingFigure
	Drift       []DriftFigure
	Corrections []CorrectionFigure
	Hosts       []HostFigure
}

// PendingFigure is one change a cycle left pending.
type PendingFigure struct {
	Step, Host, Action string
}

// DriftFigure is one item still drifting after a cycle.
type DriftFigure struct {
	Step, Host string
	FirstSeen  time.Time
	Flapping   bool
}

// CorrectionFigure is one correction a cycle attempted.
type CorrectionFigure struct {
	Step, Host string
	// Result is the change's status: applied, failed, stale, interrupted.
	Result string
}

// HostFigure is one host a cycle read, or could not.
type HostFigure struct {
	Name string
	Up   bool
}
