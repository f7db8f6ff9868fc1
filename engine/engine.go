package engine

import (
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// DefaultParallelism is how many hosts are read or changed at once unless
// told otherwise.
const DefaultParallelism = 10

// Engine plans and applies playbooks. Its zero value is not usable: set
// Registry.
type Engine struct {
	// Registry resolves action ids, also those of a saved plan.
	Registry *actions.Registry
	// Parallelism bounds how many hosts are read or changed at once.
	Parallelism int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Hooks receives progress; nil means none.
	Hooks Hooks
	// Version is the program version recorded in plans.
	Version string
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) hooks() Hooks {
	if e.Hooks != nil {
		return e.Hooks
	}
	return NoHooks{}
}

func (e *Engine) parallelism() int {
	if e.Parallelism > 0 {
		return e.Parallelism
	}
	return DefaultParallelism
}
