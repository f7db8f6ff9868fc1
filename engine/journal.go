package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rectifyhq/rectify/engine/plans"
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

// Journal records every change before it is made and after. A change whose
// start cannot be recorded is not made.
type Journal interface {
	// ChangeStarting records a change about to be made and returns its id.
	ChangeStarting(ctx context.Context, in plans.Instance) (int64, error)
	// ChangeFinished records how the change ended.
	ChangeFinished(ctx context.Context, id int64, res ChangeResult) error
}

// noJournal records nothing; for dry tests only.
type noJournal struct{}

func (noJournal) ChangeStarting(context.Context, plans.Instance) (int64, error) { return 0, nil }
func (noJournal) ChangeFinished(context.Context, int64, ChangeResult) error     { return nil }
