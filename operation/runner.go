package operation

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// journalTimeout bounds the journal writes that record how an operation
// ended, which run even after it was asked to stop.
const journalTimeout = 30 * time.Second

// Runner runs operations: it holds what every operation uses.
type Runner struct {
	// Journal records the runs; a plan reads it when set, an apply and a
	// drift cycle need it.
	Journal Journal
	// Engine plans and applies; an operation's view, when it has one,
	// takes the place of its Hooks.
	Engine *engine.Engine
	// Log receives what operations log.
	Log zerolog.Logger
}

// Plan plans in with what the journal remembers of earlier changes (for
// temporary values), or without memory when the runner has no journal.
// hooks, when set, receive the progress of the reads.
func (r *Runner) Plan(ctx context.Context, in engine.Input, conns actions.Connections, hooks engine.Hooks) (*plans.Plan, error) {
	if r.Journal != nil {
		mem, err := r.Journal.Memory(ctx, in.Playbook.Name)
		if err != nil {
			return nil, err
		}
		in.Memory = mem
	}
	return r.engine(hooks, nil).Plan(ctx, in, conns)
}

// engine returns a copy of the runner's engine with hooks and clock, each
// nil for the engine's own.
func (r *Runner) engine(hooks engine.Hooks, now func() time.Time) *engine.Engine {
	e := engine.Engine{}
	if r.Engine != nil {
		e = *r.Engine
	}
	if hooks != nil {
		e.Hooks = hooks
	}
	if now != nil {
		e.Now = now
	}
	return &e
}

// finish records how run ended, with a bounded wait that outlives the
// operation's context.
func finish(ctx context.Context, run Run, outcome Outcome, summary string) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	return run.Finish(fctx, outcome, summary)
}
