package plans

import (
	"encoding/json"
	"time"
)

// Status is how one change ended.
type Status string

// The change outcomes.
const (
	// Applied: the change was made and reported success.
	Applied Status = "applied"
	// Failed: the change was attempted and failed; the host may be partly
	// changed only if the action says so in the error.
	Failed Status = "failed"
	// Stale: the target moved since the plan; nothing was changed.
	Stale Status = "stale"
	// Differs: the target is as planned, but what the playbook calls for
	// now (a re-plan from a fresh read) is not the reviewed change; nothing
	// was changed.
	Differs Status = "differs"
	// Skipped: not attempted (an earlier batch failed, its trigger did not
	// fire, or a filter left it out).
	Skipped Status = "skipped"
	// Interrupted: the run was stopped before the change was attempted.
	Interrupted Status = "interrupted"
)

// ChangeResult is the outcome of one planned change.
type ChangeResult struct {
	Address  string          `json:"address"`
	Step     string          `json:"step"`
	Host     string          `json:"host"`
	Status   Status          `json:"status"`
	Error    string          `json:"error,omitempty"`
	Messages []string        `json:"messages,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Undo     json.RawMessage `json:"undo,omitempty"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished"`
	// Converged is set by verification: the instance now plans as no-op.
	Converged bool `json:"converged"`
	// VerifyError says why verification could not tell (the target could
	// not be read again).
	VerifyError string `json:"verify_error,omitempty"`
}
