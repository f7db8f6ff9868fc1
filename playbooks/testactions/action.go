package testactions

import (
	"context"
	"errors"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// Action is a schema-only action.
type Action struct {
	schema   actions.Schema
	validate func(actions.Config) []actions.ConfigProblem
}

var _ actions.Action = (*Action)(nil)

// ValidatingAction is an Action that also checks attribute combinations.
type ValidatingAction struct{ Action }

var _ actions.Validator = (*ValidatingAction)(nil)

// ErrNotApplicable is returned by Apply: a test action changes nothing.
var ErrNotApplicable = errors.New("a test action describes a schema and cannot apply changes")

// Schema returns the action's schema.
func (a *Action) Schema() actions.Schema { return a.schema }

// Probes reads nothing.
func (a *Action) Probes(actions.Instance) ([]actions.Probe, error) { return nil, nil }

// Observe reports no state.
func (a *Action) Observe(actions.Instance, actions.Results) (actions.State, error) {
	return nil, nil
}

// Plan always plans a no-op.
func (a *Action) Plan(actions.Instance, actions.State) (plans.Change, error) {
	return plans.Change{Action: plans.NoOp, Reason: "test action"}, nil
}

// Apply refuses: there is nothing a test action can change.
func (a *Action) Apply(context.Context, actions.Instance, plans.Change, actions.Connections) (actions.Outcome, error) {
	return actions.Outcome{}, ErrNotApplicable
}

// ValidateConfig runs the action's combination checks.
func (a *ValidatingAction) ValidateConfig(cfg actions.Config) []actions.ConfigProblem {
	return a.validate(cfg)
}
